//! The steps of the renderers' test flow: PKCE, authorize with the built-in
//! user agent, callback, token and a REST call, against a mock on a fixed port.

use serde_json::{Value, json};

use crate::log::{
    Body, Check, Exchange, HttpRequest, HttpResponse, Location, Party, Status, StepLog,
};

pub(super) const MOCK: &str = "http://127.0.0.1:40123";
pub(super) const REDIRECT: &str = "http://localhost:8000/callback";
const CLIENT_ID: &str = "3MVG9mockClientId000000000000000000000000000000000000000000000000000000";
const VERIFIER: &str = "IziO58ClrgKUcNFcAITz536MDc9CFPRao51aNy2oJJgcpjx50Teodw";
const CHALLENGE: &str = "JmR5pIeKlldrAdhAodjTAjebTZJyeCIwf3RJ2H_ySOs";
const STATE: &str = "k3j4h5g6f7d8s9a0";
const CODE: &str = "aPrxSQ3aaqvXvXS1YFs99kfElnR6laQluNi_m0uNK6SFMvIDfRt57JVu3fw=";
const CODE_ENCODED: &str = "aPrxSQ3aaqvXvXS1YFs99kfElnR6laQluNi_m0uNK6SFMvIDfRt57JVu3fw%3D";
const ACCESS: &str = "00Dak0000000000!AQ.X5uk20JAGuO3FR8gPDO607BR6ffWfaFIKQb7YOCBw08b3FE0";
const REFRESH: &str = "5AeFS689N62y7ZV4zE1skBM0ziB7K9euw1s19p8eSX7h.rizGM1_QQQ";

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn step(index: usize, id: &str, name: &str, kind: &str) -> StepLog {
    let kind = crate::kind::Kind::from_name(kind).expect("a step kind");
    StepLog {
        index,
        id: Some(id.to_owned()),
        name: name.to_owned(),
        kind,
        doc: None,
        location: Location {
            line: 10 + 4 * index as u64,
            column: 5,
        },
        status: Status::Passed,
        duration_ms: 3 * index as u64,
        inputs: Value::Null,
        exchanges: Vec::new(),
        result: Value::Null,
        checks: Vec::new(),
        error: None,
        hint: None,
    }
}

fn exchange(from: Party, to: Party, request: HttpRequest, response: HttpResponse) -> Exchange {
    // The browser's form posts are what the person does; the rest is the protocol.
    let role = match (from, request.method.as_str()) {
        (Party::Browser, "POST") => crate::log::Role::Interaction,
        (Party::Browser, _) if to == Party::LoginHost => crate::log::Role::Page,
        _ => crate::log::Role::Protocol,
    };
    Exchange {
        from,
        to,
        role,
        request,
        response: Some(response),
        error: None,
    }
}

pub(super) fn check(subject: &str, expected: &str, actual: &str) -> Check {
    Check {
        subject: subject.to_owned(),
        expected: expected.to_owned(),
        actual: actual.to_owned(),
        passed: expected == actual,
    }
}

fn html(status: u16, body: &str, extra: &[(&str, &str)]) -> HttpResponse {
    let mut headers = pairs(&[("Content-Type", "text/html; charset=utf-8")]);
    headers.extend(pairs(extra));
    headers.extend(pairs(&[
        ("Date", "Thu, 12 Feb 2026 10:00:00 GMT"),
        ("Content-Length", "123"),
    ]));
    HttpResponse {
        status,
        headers,
        body: Some(Body::Text(body.to_owned())),
    }
}

pub(super) fn pkce() -> StepLog {
    let mut s = step(1, "pkce", "PKCE Generated", "pkce");
    s.doc = Some("The verifier stays here; only its SHA-256 `code_challenge` travels.".to_owned());
    s.inputs = json!({"method": "S256", "length": 64});
    s.result = json!({
        "code_verifier": VERIFIER, "code_challenge": CHALLENGE, "code_challenge_method": "S256"
    });
    s
}

fn authorize_url() -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs([
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", STATE),
        ])
        .finish();
    format!("{MOCK}/services/oauth2/authorize?{query}")
}

pub(super) fn authorize() -> StepLog {
    let mut s = step(2, "login", "Authorization URL Built", "authorize");
    let url = authorize_url();
    s.inputs = json!({
        "url": format!("{MOCK}/services/oauth2/authorize"),
        "params": {
            "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "response_type": "code",
            "code_challenge": CHALLENGE, "code_challenge_method": "S256"
        }
    });
    s.result = json!({"url": url, "state": STATE});
    let get = |url: &str| HttpRequest {
        method: "GET".to_owned(),
        url: url.to_owned(),
        headers: pairs(&[("User-Agent", "sfscenario/0.1.0"), ("Accept", "text/html")]),
        body: None,
    };
    let post = |path: &str, form: &[(&str, &str)]| HttpRequest {
        method: "POST".to_owned(),
        url: format!("{MOCK}{path}"),
        headers: pairs(&[("Content-Type", "application/x-www-form-urlencoded")]),
        body: Some(Body::Form(pairs(form))),
    };
    let login_page = "<!doctype html>\n<title>Log In</title>\n<form method=post action=/login>\n  <input name=username>\n  <input name=pw type=password>\n</form>\n";
    let location = format!("{REDIRECT}?code={CODE_ENCODED}&state={STATE}");
    s.exchanges = vec![
        exchange(
            Party::Browser,
            Party::LoginHost,
            get(&url),
            html(200, login_page, &[]),
        ),
        exchange(
            Party::Browser,
            Party::LoginHost,
            post(
                "/login",
                &[
                    ("username", "admin@mock.example"),
                    ("pw", "mock-password-1"),
                ],
            ),
            html(200, "<!doctype html>\n<p>Allow access?</p>\n", &[]),
        ),
        exchange(
            Party::Browser,
            Party::LoginHost,
            post("/services/oauth2/authorize/consent", &[("action", "Allow")]),
            html(302, "", &[("Location", &location)]),
        ),
    ];
    s
}

pub(super) fn callback() -> StepLog {
    let mut s = step(3, "callback", "Authorization Code Received", "callback");
    s.inputs = json!({"listen": REDIRECT});
    let request = HttpRequest {
        method: "GET".to_owned(),
        url: format!("{REDIRECT}?code={CODE_ENCODED}&state={STATE}"),
        headers: pairs(&[("Host", "localhost:8000")]),
        body: None,
    };
    let page = "<!doctype html>\n<p>You may return to the terminal.</p>\n";
    s.exchanges = vec![exchange(
        Party::Browser,
        Party::Callback,
        request,
        html(200, page, &[]),
    )];
    s.result = json!({
        "code": CODE, "state": STATE, "params": {"code": CODE, "state": STATE},
        "error": null, "error_description": null
    });
    s
}

fn token_request() -> HttpRequest {
    HttpRequest {
        method: "POST".to_owned(),
        url: format!("{MOCK}/services/oauth2/token"),
        headers: pairs(&[
            ("content-type", "application/x-www-form-urlencoded"),
            ("accept", "application/json"),
        ]),
        body: Some(Body::Form(pairs(&[
            ("grant_type", "authorization_code"),
            ("code", CODE),
            ("client_id", CLIENT_ID),
            ("client_secret", "mock-client-secret-0001"),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ]))),
    }
}

pub(super) fn json_response(status: u16, body: &Value) -> HttpResponse {
    HttpResponse {
        status,
        headers: pairs(&[
            ("Content-Type", "application/json;charset=UTF-8"),
            ("Cache-Control", "no-cache,no-store"),
            ("Date", "Thu, 12 Feb 2026 10:00:01 GMT"),
            ("Connection", "keep-alive"),
            ("Transfer-Encoding", "chunked"),
        ]),
        body: Some(Body::Json(body.clone())),
    }
}

fn token_body() -> Value {
    json!({
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "signature": "vXu9CpiCNIXtX2EH4BmWH583firy5XH9ZpU6AVJETd0=",
        "scope": "refresh_token web api openid",
        "instance_url": MOCK,
        "id": format!("{MOCK}/id/00Dak0000000000EAA/005ak0000000000AAA"),
        "token_type": "Bearer",
        "issued_at": "1770952407907",
        "api_instance_url": MOCK
    })
}

pub(super) fn with_http_result(fields: &Value, status: u16, body: &Value) -> Value {
    let mut result = fields.clone();
    if let Value::Object(map) = &mut result {
        map.insert("status".to_owned(), json!(status));
        map.insert(
            "headers".to_owned(),
            json!({"content-type": "application/json;charset=UTF-8"}),
        );
        map.insert("json".to_owned(), body.clone());
        map.insert("body".to_owned(), Value::String(body.to_string()));
    }
    result
}

pub(super) fn token() -> StepLog {
    let mut s = step(4, "token", "Token Response Received", "token");
    let request = token_request();
    s.inputs = json!({"url": request.url});
    let body = token_body();
    s.exchanges = vec![exchange(
        Party::Runner,
        Party::LoginHost,
        request,
        json_response(200, &body),
    )];
    s.result = with_http_result(&body, 200, &body);
    s.checks = vec![
        check("status", "200", "200"),
        check("json token_type", "\"Bearer\"", "\"Bearer\""),
        check("json refresh_token", "exists", "exists"),
    ];
    s
}

pub(super) fn accounts() -> StepLog {
    let mut s = step(5, "accounts", "Account Described", "request");
    let url = format!("{MOCK}/services/data/v62.0/sobjects/Account");
    s.inputs = json!({"method": "GET", "url": url, "bearer": ACCESS});
    let request = HttpRequest {
        method: "GET".to_owned(),
        url,
        headers: pairs(&[
            ("authorization", &format!("Bearer {ACCESS}")),
            ("accept", "application/json"),
        ]),
        body: None,
    };
    let body = json!({
        "objectDescribe": {"name": "Account", "label": "Account", "keyPrefix": "001", "queryable": true},
        "recentItems": []
    });
    s.exchanges = vec![exchange(
        Party::Runner,
        Party::Instance,
        request,
        json_response(200, &body),
    )];
    s.result = with_http_result(&json!({}), 200, &body);
    s.checks = vec![check(
        "json objectDescribe.name",
        "\"Account\"",
        "\"Account\"",
    )];
    s
}
