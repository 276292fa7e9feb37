//! `/services/oauth2/authorize`: checks the authorization request, then shows
//! the login page, or with a login session the consent page (a user who
//! approved the app before, or whom an admin-approved app pre-authorizes,
//! goes straight back to the client). `prompt` (`login`, `consent`,
//! `select_account`, space-separated) asks again; `immediate=true` never
//! shows a page. The pages post back here; `consent.rs` handles those posts.

use hyper::{Method, StatusCode};

use super::access;
use super::consent;
use super::error_page;
use super::pkce::check_challenge;
use crate::mock::config::ConnectedApp;
use crate::mock::pages;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT, encode_pairs};
use crate::mock::state::{MockState, User};

mod prompt;

pub(crate) use prompt::Prompt;

/// Form fields of the pages themselves, never carried forward.
const CONTROL_FIELDS: [&str; 7] = [
    "username",
    "pw",
    "Login",
    "consent_step",
    "decision",
    super::mfa::CODE_FIELD,
    "save",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ResponseType {
    /// Web server flow: `?code=…`.
    Code,
    /// User-agent flow: `#access_token=…`.
    Token,
}

/// A checked authorization request.
pub(crate) struct AuthRequest {
    pub(crate) app: std::sync::Arc<ConnectedApp>,
    pub(crate) redirect_uri: String,
    pub(crate) response_type: ResponseType,
    pub(crate) scopes: Vec<String>,
    pub(crate) state: Option<String>,
    /// `(code_challenge, method)`.
    pub(crate) challenge: Option<(String, String)>,
    pub(crate) prompt: Prompt,
    /// `immediate=true`: no page; `immediate_unsuccessful` if one is needed.
    pub(crate) immediate: bool,
    pub(crate) login_hint: String,
    /// Echoed in the `id_token`.
    pub(crate) nonce: Option<String>,
    /// Every parameter of the request, carried forward by the pages.
    pub(crate) hidden: Vec<(String, String)>,
}

/// Why an authorization request is refused.
enum Refusal {
    /// Answered on the login host: the redirect URI cannot be trusted.
    Here(&'static str, &'static str),
    /// Salesforce's own error page, never the client's redirect URI.
    ErrorPage(&'static str, &'static str),
    /// Sent back to the client's redirect URI.
    Redirect(Partial, &'static str, &'static str),
}

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
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
        Err(Refusal::ErrorPage(error, description)) => {
            return error_page::redirect(request, error, description);
        }
    };
    if request.method == Method::POST {
        consent::post(state, request, &auth)
    } else {
        show(state, request, &auth)
    }
}

/// The login page; with a login session, the consent page or (consent
/// given before) the redirect; with `immediate=true`, the redirect or
/// `immediate_unsuccessful`.
pub(crate) fn show(state: &MockState, request: &MockRequest, auth: &AuthRequest) -> MockResponse {
    let user = logged_in_user(state, request);
    let prompt = auth.prompt;
    if auth.immediate {
        return match user {
            Some(user) if !prompt.login && !needs_consent(state, auth, user) => {
                consent::approve(state, request, auth, user)
            }
            _ => error_redirect(
                &auth.partial(),
                "immediate_unsuccessful",
                "immediate unsuccessful",
            ),
        };
    }
    match user {
        Some(user) if prompt.select_account => login_response(auth, &user.user.username, None),
        Some(user) if !prompt.login => consent::after_login(state, request, auth, user),
        _ => login_response(auth, &auth.login_hint, None),
    }
}

/// Whether `user` must see the consent page: a self-authorize app they
/// have not approved, or `prompt=consent`; never an admin-approved app.
pub(crate) fn needs_consent(state: &MockState, auth: &AuthRequest, user: &User) -> bool {
    !auth.app.admin_approved && (auth.prompt.consent || !access::approved(state, &auth.app, user))
}

pub(crate) fn login_response(
    auth: &AuthRequest,
    username: &str,
    error: Option<&str>,
) -> MockResponse {
    let page = pages::login_page(
        pages::AUTHORIZE,
        &auth.app.name,
        &auth.hidden,
        username,
        error,
    );
    response::html(StatusCode::OK, page)
}

pub(crate) fn consent_response(auth: &AuthRequest, user: &User) -> MockResponse {
    let page = pages::consent_page(
        pages::AUTHORIZE,
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
    let now = state.now_ms();
    let user_id = state
        .store()
        .sessions
        .get(sid)
        .filter(|session| now < session.expires_ms)?
        .user_id
        .clone();
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

impl AuthRequest {
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

fn check(state: &MockState, params: &[(String, String)]) -> Result<AuthRequest, Refusal> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    let Some(shared) = get("client_id").and_then(|id| state.app(id)) else {
        return Err(Refusal::Here(
            "invalid_client_id",
            "client identifier invalid",
        ));
    };
    let app = &*shared;
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
        // With `openid` granted, the fragment carries an `id_token` either way.
        Some("token" | "token id_token" | "id_token token") => ResponseType::Token,
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
        let description = "the requested scope is not allowed";
        return Err(Refusal::ErrorPage("invalid_scope", description));
    };
    let challenge = match check_challenge(app, get("code_challenge"), get("code_challenge_method"))
    {
        Ok(challenge) => challenge,
        Err(description) => return redirect(partial, "invalid_request", description),
    };
    let immediate = get("immediate").is_some_and(|value| value.eq_ignore_ascii_case("true"));
    Ok(AuthRequest {
        app: std::sync::Arc::clone(&shared),
        redirect_uri: partial.redirect_uri,
        response_type,
        scopes,
        state: partial.state,
        challenge,
        prompt: Prompt::parse(get("prompt")),
        immediate,
        login_hint: get("login_hint").unwrap_or_default().to_string(),
        nonce: get("nonce")
            .filter(|nonce| !nonce.is_empty())
            .map(str::to_string),
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
pub(crate) fn granted_scopes(app: &ConnectedApp, requested: Option<&str>) -> Option<Vec<String>> {
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

#[cfg(test)]
mod consent_tests;
#[cfg(test)]
mod tests;
