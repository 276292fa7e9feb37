//! Test helpers: a mock on a loopback port and a client that drives its
//! pages by hand, the way the runner's built-in user agent does.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use super::config::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockConfig};
use super::server::{MockOptions, MockServer};

pub(crate) const REDIRECT_URI: &str = "http://localhost:8000/callback";
/// A verifier and its S256 challenge (computed with openssl).
pub(crate) const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub(crate) const CHALLENGE: &str = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";

/// The default org with `org_settings` turned on (`{"allow_soap_login": true}`).
pub(crate) fn org_with(settings: &Value) -> MockConfig {
    MockConfig::from_overrides(&serde_json::json!({ "org_settings": settings }))
        .expect("a valid configuration")
}

/// The default org with the username-password flow allowed.
pub(crate) fn password_org() -> MockConfig {
    org_with(&serde_json::json!({ "allow_username_password_flows": true }))
}

/// The default app, admin-approved for the default user's profile (what
/// the JWT bearer flow needs).
pub(crate) fn preauthorized_org() -> MockConfig {
    MockConfig::from_overrides(&serde_json::json!({
        "connected_app": { "admin_approved": true, "profiles": ["System Administrator"] },
    }))
    .expect("a valid configuration")
}

pub(crate) struct Harness {
    pub(crate) server: MockServer,
    pub(crate) client: Client,
    pub(crate) base: String,
}

impl Harness {
    pub(crate) async fn start() -> Harness {
        Harness::with(MockConfig::default(), None).await
    }

    pub(crate) async fn with(config: MockConfig, seed: Option<u64>) -> Harness {
        let options = MockOptions {
            seed,
            ..MockOptions::default()
        };
        Harness::with_options(config, options).await
    }

    pub(crate) async fn with_options(config: MockConfig, options: MockOptions) -> Harness {
        let server = MockServer::start(config, options)
            .await
            .expect("mock starts");
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client builds");
        let base = server.base_url();
        Harness {
            server,
            client,
            base,
        }
    }

    pub(crate) fn authorize_url(&self, params: &[(&str, &str)]) -> String {
        let query: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        format!("{}/services/oauth2/authorize?{query}", self.base)
    }

    pub(crate) async fn get(&self, url: &str) -> Response {
        self.client.get(url).send().await.expect("GET answered")
    }

    /// POSTs a page's form (its hidden fields plus `extra`).
    pub(crate) async fn post_form(
        &self,
        fields: &[(String, String)],
        extra: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> Response {
        let mut form: Vec<(String, String)> = fields.to_vec();
        form.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string())),
        );
        let mut request = self
            .client
            .post(format!("{}/services/oauth2/authorize", self.base))
            .form(&form);
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.expect("POST answered")
    }

    /// Login page → credentials → consent page: `(sid cookie, consent html)`.
    pub(crate) async fn log_in(&self, params: &[(&str, &str)]) -> (String, String) {
        let login = self.get(&self.authorize_url(params)).await;
        assert_eq!(login.status(), StatusCode::OK);
        let fields = hidden_fields(&login.text().await.expect("login page"));
        let consent = self.post_form(&fields, &CREDENTIALS, None).await;
        session_and_page(consent).await
    }

    /// The whole browser part: the `Location` of the final redirect. A user
    /// who approved the app before is not asked again: the login answers
    /// with the redirect.
    pub(crate) async fn approve(&self, params: &[(&str, &str)], decision: &str) -> String {
        let login = self.get(&self.authorize_url(params)).await;
        let fields = hidden_fields(&login.text().await.expect("login page"));
        let after_login = self.post_form(&fields, &CREDENTIALS, None).await;
        if after_login.status() == StatusCode::FOUND {
            return location(&after_login);
        }
        let (sid, consent) = session_and_page(after_login).await;
        let fields = hidden_fields(&consent);
        let done = self
            .post_form(&fields, &[("decision", decision)], Some(&sid))
            .await;
        assert_eq!(done.status(), StatusCode::FOUND);
        location(&done)
    }

    /// A code for the default app, with the RFC 7636 challenge.
    pub(crate) async fn code(&self) -> String {
        let location = self.approve(&pkce_params(), "allow").await;
        query_param(&location, "code").expect("code in the redirect")
    }

    pub(crate) async fn token(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let url = format!("{}/services/oauth2/token", self.base);
        let response = self
            .client
            .post(url)
            .form(form)
            .send()
            .await
            .expect("token answered");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    /// Exchanges a code from `code()` with the right verifier.
    pub(crate) async fn exchange(&self, code: &str) -> (StatusCode, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", DEFAULT_CLIENT_ID),
            ("client_secret", DEFAULT_CLIENT_SECRET),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", VERIFIER),
        ])
        .await
    }
}

/// The default user's login form fields.
const CREDENTIALS: [(&str, &str); 2] = [
    ("username", "mock.user@example.com"),
    ("pw", "mock-password-1"),
];

/// The `sid` cookie a successful login sets, and the page it answered with.
async fn session_and_page(page: Response) -> (String, String) {
    assert_eq!(page.status(), StatusCode::OK);
    let cookie = page.headers().get(SET_COOKIE).expect("sid cookie");
    let cookie = cookie.to_str().expect("ascii").to_string();
    assert!(
        cookie.ends_with("; Path=/; HttpOnly; SameSite=Lax"),
        "{cookie}"
    );
    let sid = cookie.split(';').next().expect("pair").to_string();
    (sid, page.text().await.expect("consent page"))
}

pub(crate) fn pkce_params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("response_type", "code"),
        ("client_id", DEFAULT_CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", "st&te 1"),
    ]
}

/// The hidden fields of a page's form, unescaped.
pub(crate) fn hidden_fields(html: &str) -> Vec<(String, String)> {
    let pattern = regex::Regex::new(r#"<input type="hidden" name="([^"]*)" value="([^"]*)">"#)
        .expect("regex");
    pattern
        .captures_iter(html)
        .map(|capture| (unescape(&capture[1]), unescape(&capture[2])))
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

pub(crate) fn location(response: &Response) -> String {
    let value = response.headers().get(LOCATION).expect("Location header");
    value.to_str().expect("ascii").to_string()
}

/// A parameter of a URL's query, or of its fragment.
pub(crate) fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once(['?', '#'])?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
