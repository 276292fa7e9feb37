//! Tests of the device flow: the token endpoint's side and the verification
//! pages, driven the way the runner's built-in user agent drives them.

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::mock::config::{DEFAULT_CLIENT_ID as ID, MockConfig};
use crate::mock::testing::{Harness, hidden_fields};

/// The default app with the device flow enabled, and `connected_app` over it.
fn config(connected_app: &Value) -> MockConfig {
    let mut app = connected_app.clone();
    app["device_flow_enabled"] = json!(true);
    MockConfig::from_overrides(&json!({ "connected_app": app })).unwrap()
}

async fn start(mock: &Harness, scope: &str) -> Value {
    let (status, body) = mock
        .token(&[
            ("response_type", "device_code"),
            ("client_id", ID),
            ("scope", scope),
        ])
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn poll(mock: &Harness, device_code: &str) -> (StatusCode, Value) {
    mock.token(&[
        ("grant_type", "device"),
        ("client_id", ID),
        ("code", device_code),
    ])
    .await
}

fn assert_error(answer: &(StatusCode, Value), error: &str) {
    assert_eq!(answer.0, StatusCode::BAD_REQUEST, "{}", answer.1);
    assert_eq!(answer.1["error"], error, "{}", answer.1);
}

async fn post(mock: &Harness, fields: &[(String, String)], cookie: Option<&str>) -> Response {
    let mut request = mock
        .client
        .post(format!("{}/setup/connect", mock.base))
        .form(fields);
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    request.send().await.unwrap()
}

/// The verification page → login → Allow/Deny: the final page's HTML.
async fn decide(mock: &Harness, verification: &str, decision: &str) -> String {
    let login = mock.get(verification).await;
    assert_eq!(login.status(), StatusCode::OK);
    let html = login.text().await.unwrap();
    assert!(html.contains("<form method=\"post\" action=\"/setup/connect\">"));
    assert!(html.contains("type=\"password\""));
    let mut fields = hidden_fields(&html);
    fields.push(("username".into(), "mock.user@example.com".into()));
    fields.push(("pw".into(), "mock-password-1".into()));
    let consent = post(mock, &fields, None).await;
    let cookie = consent.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let sid = cookie.split(';').next().unwrap().to_string();
    let html = consent.text().await.unwrap();
    assert!(html.contains("value=\"allow\">Allow</button>"), "{html}");
    let code = verification.rsplit('=').next().unwrap().to_uppercase();
    assert!(html.contains(&format!("code <b>{code}</b>")), "{html}");
    assert!(html.contains("value=\"deny\">Deny</button>"));
    let mut fields = hidden_fields(&html);
    assert!(fields.iter().any(|(k, v)| k == "consent_step" && v == "1"));
    fields.push(("decision".into(), decision.into()));
    let done = post(mock, &fields, Some(&sid)).await;
    assert_eq!(done.status(), StatusCode::OK);
    done.text().await.unwrap()
}

#[tokio::test]
async fn the_whole_flow() {
    let mock = Harness::with(config(&json!({ "device_interval": "0s" })), None).await;
    let started = start(&mock, "api refresh_token openid").await;
    let keys: Vec<&str> = started
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["device_code", "user_code", "verification_uri", "interval"]
    );
    assert_eq!(
        started["verification_uri"],
        format!("{}/setup/connect", mock.base)
    );
    assert_eq!(started["interval"], 0);
    let user_code = started["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 8);
    let device_code = started["device_code"].as_str().unwrap();
    let pending = poll(&mock, device_code).await;
    assert_error(&pending, "authorization_pending");
    assert_eq!(pending.1["error_description"], "authorization pending");
    let verification = format!(
        "{}?user_code={}",
        started["verification_uri"].as_str().unwrap(),
        user_code.to_lowercase()
    );
    let done = decide(&mock, &verification, "allow").await;
    assert!(!done.contains("<form"), "{done}");
    let (status, body) = poll(&mock, device_code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["refresh_token"].as_str().unwrap().starts_with("5Aep"));
    assert!(body.get("id_token").is_some());
    assert_eq!(body["scope"], "api refresh_token openid");
    assert_error(&poll(&mock, device_code).await, "invalid_grant");
    // The code is spent: the page no longer knows it.
    assert_eq!(
        mock.get(&verification).await.status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn deny_and_slow_down() {
    let mock = Harness::with(config(&json!({})), None).await;
    let started = start(&mock, "api").await;
    assert_eq!(started["interval"], 5);
    let device_code = started["device_code"].as_str().unwrap();
    assert_error(&poll(&mock, device_code).await, "authorization_pending");
    assert_error(&poll(&mock, device_code).await, "slow_down");
    let mock = Harness::with(config(&json!({ "device_interval": "0s" })), None).await;
    let started = start(&mock, "api").await;
    let verification = format!(
        "{}?user_code={}",
        started["verification_uri"].as_str().unwrap(),
        started["user_code"].as_str().unwrap()
    );
    let done = decide(&mock, &verification, "deny").await;
    assert!(!done.contains("<form"));
    let denied = poll(&mock, started["device_code"].as_str().unwrap()).await;
    assert_error(&denied, "access_denied");
}

#[tokio::test]
async fn multipart_start_and_refusals() {
    let mock = Harness::with(config(&json!({ "device_code_lifetime": "0s" })), None).await;
    // sfdx-core posts form-data.
    let form = reqwest::multipart::Form::new()
        .text("response_type", "device_code")
        .text("client_id", ID)
        .text("scope", "refresh_token web api");
    let response = mock
        .client
        .post(format!("{}/services/oauth2/token", mock.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let started = start(&mock, "api").await;
    let expired = poll(&mock, started["device_code"].as_str().unwrap()).await;
    assert_error(&expired, "invalid_grant");
    assert_eq!(expired.1["error_description"], "expired authorization code");
    assert_error(&poll(&mock, "nope").await, "invalid_grant");
    let answer = mock
        .token(&[
            ("response_type", "device_code"),
            ("client_id", ID),
            ("scope", "api full"),
        ])
        .await;
    assert_error(&answer, "invalid_scope");
    let answer = mock
        .token(&[("response_type", "device_code"), ("client_id", "nope")])
        .await;
    assert_error(&answer, "invalid_client_id");
}

#[tokio::test]
async fn verification_page_without_or_with_a_bad_code() {
    let mock = Harness::with(config(&json!({})), None).await;
    let page = mock.get(&format!("{}/setup/connect", mock.base)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"user_code\""));
    assert!(!html.contains("type=\"password\""));
    let page = mock
        .get(&format!("{}/setup/connect?user_code=NOPE1234", mock.base))
        .await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("invalid or has expired")
    );
    let started = start(&mock, "api").await;
    let mut fields = vec![(
        "user_code".to_string(),
        started["user_code"].as_str().unwrap().to_string(),
    )];
    fields.push(("username".into(), "mock.user@example.com".into()));
    fields.push(("pw".into(), "wrong".into()));
    let html = post(&mock, &fields, None).await.text().await.unwrap();
    assert!(html.contains("Please check your username and password."));
    let consent_without_session = [
        fields[0].clone(),
        ("consent_step".into(), "1".into()),
        ("decision".into(), "allow".into()),
    ];
    let html = post(&mock, &consent_without_session, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"id="Login""#));
}

/// Off by default, as on a new app: `invalid_grant` when the flow starts.
/// The Salesforce CLI's own app no longer offers it either.
#[tokio::test]
async fn off_unless_the_app_enables_it() {
    let mock = Harness::start().await;
    for client_id in [ID, "PlatformCLI"] {
        let answer = mock
            .token(&[("response_type", "device_code"), ("client_id", client_id)])
            .await;
        assert_error(&answer, "invalid_grant");
        assert_eq!(
            answer.1["error_description"],
            "device flow is not enabled for the app"
        );
    }
}
