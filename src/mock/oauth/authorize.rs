//! `/services/oauth2/authorize`: checks the authorization request, then shows
//! the login page or (with a login session) the consent page. The pages post
//! back here; `consent.rs` handles those posts.

use hyper::{Method, StatusCode};

use super::consent;
use super::pkce::is_valid_challenge;
use crate::mock::config::ConnectedApp;
use crate::mock::pages;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT, encode_pairs};
use crate::mock::state::{MockState, User};

/// Form fields of the pages themselves, never carried forward.
const CONTROL_FIELDS: [&str; 4] = ["username", "password", "consent_step", "decision"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseType {
    /// Web server flow: `?code=…`.
    Code,
    /// User-agent flow: `#access_token=…`.
    Token,
}

/// A checked authorization request.
pub(crate) struct AuthRequest<'a> {
    pub(crate) app: &'a ConnectedApp,
    pub(crate) redirect_uri: String,
    pub(crate) response_type: ResponseType,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
    /// `(code_challenge, method)`.
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) prompt_login: bool,
    pub(crate) login_hint: String,
    /// Every parameter of the request, carried forward by the pages.
    pub(crate) hidden: Vec<(String, String)>,
}

/// Why an authorization request is refused.
enum Refusal {
    /// Answered on the login host: the redirect URI cannot be trusted.
    Here(&'static str, &'static str),
    /// Sent back to the client's redirect URI.
    Redirect(Partial, &'static str, &'static str),
}

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    if request.method != Method::GET && request.method != Method::POST {
        return response::body(
            StatusCode::METHOD_NOT_ALLOWED,
            TEXT,
            "method not allowed".into(),
        );
    }
    let params = parameters(request);
    let auth = match check(state, &params) {
        Ok(auth) => auth,
        Err(Refusal::Here(error, description)) => {
            let body = encode_pairs(&[("error", error), ("error_description", description)]);
            return response::body(StatusCode::BAD_REQUEST, TEXT, body);
        }
        Err(Refusal::Redirect(partial, error, description)) => {
            return error_redirect(&partial, error, description);
        }
    };
    if request.method == Method::POST {
        consent::post(state, request, &auth)
    } else {
        show(state, request, &auth)
    }
}

/// The login page, or the consent page when the browser has a login session.
pub(crate) fn show(
    state: &MockState,
    request: &MockRequest,
    auth: &AuthRequest<'_>,
) -> MockResponse {
    match logged_in_user(state, request) {
        Some(user) if !auth.prompt_login => consent_response(auth, user),
        _ => login_response(auth, &auth.login_hint, None),
    }
}

pub(crate) fn login_response(
    auth: &AuthRequest<'_>,
    username: &str,
    error: Option<&str>,
) -> MockResponse {
    let page = pages::login_page(&auth.app.name, &auth.hidden, username, error);
    response::html(StatusCode::OK, page)
}

pub(crate) fn consent_response(auth: &AuthRequest<'_>, user: &User) -> MockResponse {
    let page = pages::consent_page(
        &auth.app.name,
        &user.user.username,
        &auth.scopes,
        &auth.hidden,
    );
    response::html(StatusCode::OK, page)
}

/// The active user behind the browser's `sid` cookie.
pub(crate) fn logged_in_user<'s>(state: &'s MockState, request: &MockRequest) -> Option<&'s User> {
    let sid = request.cookie("sid")?;
    let user_id = state.store().sessions.get(sid)?.clone();
    state.user_by_id(&user_id).filter(|user| user.user.active)
}

/// Redirects an error to the client, in the query or (user-agent flow) the fragment.
pub(crate) fn error_redirect(auth: &Partial, error: &str, description: &str) -> MockResponse {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(state) = &auth.state {
        pairs.push(("state", state));
    }
    response::redirect(&redirect_location(
        &auth.redirect_uri,
        auth.fragment,
        &pairs,
    ))
}

/// `redirect_uri` plus `pairs` in its query, or in its fragment.
pub(crate) fn redirect_location<K: AsRef<str>, V: AsRef<str>>(
    redirect_uri: &str,
    fragment: bool,
    pairs: &[(K, V)],
) -> String {
    let separator = match (fragment, redirect_uri.contains('?')) {
        (true, _) => '#',
        (false, true) => '&',
        (false, false) => '?',
    };
    format!("{redirect_uri}{separator}{}", encode_pairs(pairs))
}

/// Where errors go once the redirect URI is trusted.
pub(crate) struct Partial {
    pub(crate) redirect_uri: String,
    pub(crate) fragment: bool,
    pub(crate) state: Option<String>,
}

impl AuthRequest<'_> {
    pub(crate) fn partial(&self) -> Partial {
        Partial {
            redirect_uri: self.redirect_uri.clone(),
            fragment: self.response_type == ResponseType::Token,
            state: self.state.clone(),
        }
    }
}

/// The authorization parameters: the query of a GET; the hidden fields (then
/// the query) of a POST. The first of repeated parameters wins.
fn parameters(request: &MockRequest) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = Vec::new();
    let form = if request.method == Method::POST {
        request.form.as_slice()
    } else {
        &[]
    };
    for (key, value) in form.iter().chain(&request.query) {
        let control = CONTROL_FIELDS.contains(&key.as_str());
        if !control && !params.iter().any(|(seen, _)| seen == key) {
            params.push((key.clone(), value.clone()));
        }
    }
    params
}

fn check<'s>(
    state: &'s MockState,
    params: &[(String, String)],
) -> Result<AuthRequest<'s>, Refusal> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(app) = get("client_id").and_then(|id| state.app(id)) else {
        return Err(Refusal::Here(
            "invalid_client_id",
            "client identifier invalid",
        ));
    };
    let Some(redirect_uri) = get("redirect_uri").filter(|uri| !uri.is_empty()) else {
        return Err(Refusal::Here(
            "redirect_uri_missing",
            "redirect_uri not provided",
        ));
    };
    if !app.callback_urls.iter().any(|url| url == redirect_uri) {
        let description = "redirect_uri must match configuration";
        return Err(Refusal::Here("redirect_uri_mismatch", description));
    }
    let mut partial = Partial {
        redirect_uri: redirect_uri.to_string(),
        fragment: false,
        state: get("state").map(str::to_string),
    };
    let response_type = match get("response_type") {
        Some("code") => ResponseType::Code,
        Some("token") => ResponseType::Token,
        _ => {
            return redirect(
                partial,
                "unsupported_response_type",
                "response type not supported",
            );
        }
    };
    partial.fragment = response_type == ResponseType::Token;
    let Some(scopes) = granted_scopes(app, get("scope")) else {
        let description = "requested scope is invalid, unknown, or malformed";
        return redirect(partial, "invalid_scope", description);
    };
    let challenge = match check_challenge(app, get("code_challenge"), get("code_challenge_method"))
    {
        Ok(challenge) => challenge,
        Err(description) => return redirect(partial, "invalid_request", description),
    };
    let prompt_login = get("prompt").is_some_and(|prompt| prompt.split(' ').any(|p| p == "login"));
    Ok(AuthRequest {
        app,
        redirect_uri: partial.redirect_uri,
        response_type,
        scopes,
        state: partial.state,
        challenge,
        prompt_login,
        login_hint: get("login_hint").unwrap_or_default().to_string(),
        hidden: params.to_vec(),
    })
}

fn redirect<T>(
    partial: Partial,
    error: &'static str,
    description: &'static str,
) -> Result<T, Refusal> {
    Err(Refusal::Redirect(partial, error, description))
}

/// The requested scopes if the app has them all; all the app's without `scope`.
fn granted_scopes(app: &ConnectedApp, requested: Option<&str>) -> Option<Vec<String>> {
    let requested = requested.map(str::trim).filter(|scope| !scope.is_empty());
    let Some(requested) = requested else {
        return Some(app.scopes.clone());
    };
    let mut scopes: Vec<String> = Vec::new();
    for scope in requested
        .split([' ', '+'])
        .filter(|scope| !scope.is_empty())
    {
        if !app.scopes.iter().any(|allowed| allowed == scope) {
            return None;
        }
        if !scopes.iter().any(|seen| seen == scope) {
            scopes.push(scope.to_string());
        }
    }
    Some(scopes)
}

/// PKCE at authorize time: a missing method means S256 (as Salesforce treats
/// jsforce, which never sends one); `plain` is allowed.
fn check_challenge(
    app: &ConnectedApp,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<(String, String)>, &'static str> {
    let Some(challenge) = challenge.filter(|challenge| !challenge.is_empty()) else {
        if app.pkce_required {
            return Err("missing required code challenge");
        }
        return Ok(None);
    };
    let method = match method.filter(|method| !method.is_empty()) {
        None | Some("S256") => "S256",
        Some("plain") => "plain",
        Some(_) => return Err("invalid code challenge method"),
    };
    if !is_valid_challenge(challenge) {
        return Err("invalid code challenge");
    }
    Ok(Some((challenge.to_string(), method.to_string())))
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use crate::mock::config::{DEFAULT_CLIENT_ID, MockConfig, MockUser};
    use crate::mock::testing::{
        CHALLENGE, Harness, REDIRECT_URI, hidden_fields, location, pkce_params, query_param,
    };

    #[tokio::test]
    async fn login_page_follows_the_form_contract() {
        let mock = Harness::start().await;
        let page = mock.get(&mock.authorize_url(&pkce_params())).await;
        assert_eq!(page.status(), StatusCode::OK);
        let content_type = page.headers()["content-type"].to_str().unwrap().to_string();
        assert_eq!(content_type, "text/html;charset=UTF-8");
        let html = page.text().await.unwrap();
        let form = "<form method=\"post\" action=\"/services/oauth2/authorize\">";
        assert_eq!(html.matches(form).count(), 1);
        assert!(html.contains("type=\"text\" id=\"username\" name=\"username\""));
        assert!(html.contains("type=\"password\" id=\"password\" name=\"password\""));
        assert!(html.contains("<button type=\"submit\" class=\"primary\">Log In</button>"));
        let fields = hidden_fields(&html);
        let expected: Vec<(String, String)> = pkce_params()
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect();
        assert_eq!(fields, expected);
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "no external resources"
        );
    }

    #[tokio::test]
    async fn consent_page_names_app_and_scopes() {
        let mock = Harness::start().await;
        let (_, consent) = mock.log_in(&pkce_params()).await;
        assert!(consent.contains("sfscenario Mock App"));
        for scope in ["api", "web", "refresh_token", "openid"] {
            assert!(
                consent.contains(&format!("<code>{scope}</code>")),
                "{scope}"
            );
        }
        assert!(consent.contains("<input type=\"hidden\" name=\"consent_step\" value=\"1\">"));
        assert!(
            consent.contains(
                "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
            )
        );
        assert!(
            consent
                .contains("<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>")
        );
    }

    #[tokio::test]
    async fn allow_redirects_with_code_and_state() {
        let mock = Harness::start().await;
        let location = mock.approve(&pkce_params(), "allow").await;
        assert!(
            location.starts_with(&format!("{REDIRECT_URI}?code=aPrx")),
            "{location}"
        );
        assert!(location.ends_with("%3D&state=st%26te%201"), "{location}");
        assert_eq!(query_param(&location, "state").as_deref(), Some("st&te 1"));
    }

    #[tokio::test]
    async fn deny_redirects_access_denied() {
        let mock = Harness::start().await;
        let location = mock.approve(&pkce_params(), "deny").await;
        let expected = format!(
            "{REDIRECT_URI}?error=access_denied&error_description=end-user%20denied%20authorization&state=st%26te%201"
        );
        assert_eq!(location, expected);
    }

    #[tokio::test]
    async fn bad_password_shows_the_login_page_again() {
        let mock = Harness::start().await;
        let html = mock
            .get(&mock.authorize_url(&pkce_params()))
            .await
            .text()
            .await
            .unwrap();
        let fields = hidden_fields(&html);
        let wrong = [
            ("username", "mock.user@example.com"),
            ("password", "MOCKSECURITYTOKEN123"),
        ];
        let page = mock.post_form(&fields, &wrong, None).await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.headers().get("set-cookie").is_none());
        let html = page.text().await.unwrap();
        assert!(html.contains("Please check your username and password."));
        assert!(html.contains(">Log In</button>"));
        assert_eq!(hidden_fields(&html), fields);
    }

    #[tokio::test]
    async fn inactive_user_cannot_log_in() {
        let inactive = MockUser {
            active: false,
            ..MockUser::default()
        };
        let config = MockConfig {
            users: vec![inactive],
            ..MockConfig::default()
        };
        let mock = Harness::with(config, None).await;
        let html = mock
            .get(&mock.authorize_url(&pkce_params()))
            .await
            .text()
            .await
            .unwrap();
        let fields = hidden_fields(&html);
        let credentials = [
            ("username", "mock.user@example.com"),
            ("password", "mock-password-1"),
        ];
        let html = mock
            .post_form(&fields, &credentials, None)
            .await
            .text()
            .await
            .unwrap();
        assert!(html.contains("inactive"), "{html}");
    }

    #[tokio::test]
    async fn session_cookie_skips_login_unless_prompt_login() {
        let mock = Harness::start().await;
        let (sid, _) = mock.log_in(&pkce_params()).await;
        let url = mock.authorize_url(&pkce_params());
        let page = mock
            .client
            .get(&url)
            .header("cookie", &sid)
            .send()
            .await
            .unwrap();
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("value=\"allow\">Allow</button>")
        );
        let mut params = pkce_params();
        params.push(("prompt", "login"));
        let url = mock.authorize_url(&params);
        let page = mock
            .client
            .get(&url)
            .header("cookie", &sid)
            .send()
            .await
            .unwrap();
        assert!(page.text().await.unwrap().contains(">Log In</button>"));
    }

    #[tokio::test]
    async fn consent_without_session_goes_back_to_login() {
        let mock = Harness::start().await;
        let (_, consent) = mock.log_in(&pkce_params()).await;
        let page = mock
            .post_form(&hidden_fields(&consent), &[("decision", "allow")], None)
            .await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains(">Log In</button>"));
    }

    #[tokio::test]
    async fn unknown_client_and_bad_redirect_are_answered_here() {
        let mock = Harness::start().await;
        let cases = [
            (
                "client_id",
                "nope",
                "error=invalid_client_id&error_description=client%20identifier%20invalid",
            ),
            (
                "redirect_uri",
                "http://localhost:8000/other",
                "error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration",
            ),
            (
                "redirect_uri",
                "",
                "error=redirect_uri_missing&error_description=redirect_uri%20not%20provided",
            ),
        ];
        for (key, value, body) in cases {
            let params: Vec<(&str, &str)> = pkce_params()
                .into_iter()
                .map(|(k, v)| if k == key { (k, value) } else { (k, v) })
                .collect();
            let response = mock.get(&mock.authorize_url(&params)).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key}={value}");
            assert!(response.headers().get("location").is_none());
            assert_eq!(response.text().await.unwrap(), body);
        }
    }

    #[tokio::test]
    async fn other_errors_go_to_the_callback() {
        let mut config = MockConfig::default();
        config.connected_app.pkce_required = true;
        let mock = Harness::with(config, None).await;
        let base = [
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("state", "s"),
        ];
        let cases: [(&[(&str, &str)], &str); 4] = [
            (
                &[("response_type", "id_token"), ("code_challenge", CHALLENGE)],
                "unsupported_response_type",
            ),
            (
                &[
                    ("response_type", "code"),
                    ("scope", "api full"),
                    ("code_challenge", CHALLENGE),
                ],
                "invalid_scope",
            ),
            (
                &[("response_type", "code")],
                "invalid_request&error_description=missing%20required%20code%20challenge",
            ),
            (
                &[
                    ("response_type", "code"),
                    ("code_challenge", CHALLENGE),
                    ("code_challenge_method", "S512"),
                ],
                "invalid_request",
            ),
        ];
        for (extra, error) in cases {
            let params: Vec<(&str, &str)> = base.iter().chain(extra).copied().collect();
            let response = mock.get(&mock.authorize_url(&params)).await;
            assert_eq!(response.status(), StatusCode::FOUND, "{error}");
            let location = location(&response);
            assert!(
                location.starts_with(&format!("{REDIRECT_URI}?error={error}")),
                "{location}"
            );
            assert!(location.ends_with("&state=s"), "{location}");
        }
    }

    #[tokio::test]
    async fn user_agent_flow_returns_tokens_in_the_fragment() {
        let mock = Harness::start().await;
        let params = [
            ("response_type", "token"),
            ("client_id", DEFAULT_CLIENT_ID),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "api refresh_token"),
            ("state", "xyz"),
        ];
        let location = mock.approve(&params, "allow").await;
        let (_, fragment) = location.split_once('#').expect("fragment");
        let keys: Vec<String> = form_urlencoded::parse(fragment.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect();
        let expected = [
            "access_token",
            "refresh_token",
            "instance_url",
            "id",
            "issued_at",
            "signature",
            "scope",
            "token_type",
            "state",
        ];
        assert_eq!(keys, expected);
        assert_eq!(
            query_param(&location, "scope").as_deref(),
            Some("api refresh_token")
        );
        assert!(
            query_param(&location, "access_token")
                .unwrap()
                .starts_with("00Dak0000000001!")
        );
        let location = mock.approve(&params, "deny").await;
        assert!(
            location.starts_with(&format!("{REDIRECT_URI}#error=access_denied")),
            "{location}"
        );
    }
}
