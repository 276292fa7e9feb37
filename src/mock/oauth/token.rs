//! `POST /services/oauth2/token`: the authorization code, password and
//! refresh token grants here; the JWT bearer, client credentials and device
//! flows in their own files. Every refusal is HTTP 400 with Salesforce's strings.

use hyper::StatusCode;

use super::access::{self, Flow};
use super::issue::{Answer, Issue, allows_refresh, issue};
use super::{client_credentials, device, jwt_bearer};
use crate::mock::config::ConnectedApp;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, oauth_error};
use crate::mock::state::{AuthCode, MockState, User};
use crate::pkce::verifies;

pub(super) type Refusal = (&'static str, &'static str);

pub(super) const INVALID_CLIENT_ID: Refusal = ("invalid_client_id", "client identifier invalid");
pub(super) const INVALID_CLIENT: Refusal = ("invalid_client", "invalid client credentials");
pub(super) const EXPIRED_CODE: Refusal = ("invalid_grant", "expired authorization code");
const REDIRECT_MISMATCH: Refusal = (
    "redirect_uri_mismatch",
    "redirect_uri must match configuration",
);
const BAD_VERIFIER: Refusal = ("invalid_grant", "invalid code verifier");
pub(super) const AUTH_FAILURE: Refusal = ("invalid_grant", "authentication failure");
pub(super) const INACTIVE_USER: Refusal = ("invalid_grant", "inactive user");
const EXPIRED_TOKEN: Refusal = ("invalid_grant", "expired access/refresh token");
const UNSUPPORTED_GRANT: Refusal = ("unsupported_grant_type", "grant type not supported");

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let result = match request.param("grant_type") {
        Some("authorization_code") => authorization_code(state, request),
        Some("password") => password(state, request),
        Some("refresh_token") => refresh_token(state, request),
        Some(JWT_BEARER) => jwt_bearer::grant(state, request),
        Some("client_credentials") => client_credentials::grant(state, request),
        Some("device") => device::poll(state, request),
        None if request.param("response_type") == Some("device_code") => {
            device::start(state, request)
        }
        _ => Err(UNSUPPORTED_GRANT),
    };
    match result {
        Ok(body) => response::json(StatusCode::OK, &body),
        Err((error, description)) => oauth_error(error, description),
    }
}

/// The client's credentials, from the body or else a Basic header.
fn client_credentials(request: &MockRequest) -> (Option<String>, Option<String>) {
    let basic = request.basic_auth();
    let id = request.param("client_id").map(str::to_string);
    let secret = request.param("client_secret").map(str::to_string);
    match basic {
        Some((basic_id, basic_secret)) => (id.or(Some(basic_id)), secret.or(Some(basic_secret))),
        None => (id, secret),
    }
}

/// The calling app, its secret checked when `secret_required` (a wrong
/// secret is refused even when none is required).
pub(super) fn client(
    state: &MockState,
    request: &MockRequest,
    secret_required: impl Fn(&ConnectedApp) -> bool,
) -> Result<std::sync::Arc<ConnectedApp>, Refusal> {
    let (id, secret) = client_credentials(request);
    let app = id
        .as_deref()
        .and_then(|id| state.app(id))
        .ok_or(INVALID_CLIENT_ID)?;
    let secret = secret.filter(|secret| !secret.is_empty());
    match secret {
        Some(secret) if secret != app.client_secret => Err(INVALID_CLIENT),
        None if secret_required(&app) => Err(INVALID_CLIENT),
        _ => Ok(app),
    }
}

fn authorization_code(
    state: &MockState,
    request: &MockRequest,
) -> Result<serde_json::Value, Refusal> {
    let app = client(state, request, |app| app.require_secret)?;
    let app = &*app;
    let code = take_code(
        state,
        request.param("code").unwrap_or_default(),
        &app.client_id,
    )?;
    if request.param("redirect_uri") != Some(code.redirect_uri.as_str()) {
        return Err(REDIRECT_MISMATCH);
    }
    if let Some((challenge, method)) = &code.challenge {
        let verifier = request.param("code_verifier").ok_or(BAD_VERIFIER)?;
        if !verifies(verifier, challenge, method) {
            return Err(BAD_VERIFIER);
        }
    }
    let user = active_user(state, &code.user_id)?;
    access::check(state, app, user, Flow::Interactive)?;
    let what = Issue::new(app, &code.user_id, &code.scopes, &request.base_url)
        .interactive(code.nonce.as_deref());
    Ok(issue(state, &what).to_json())
}

/// Looks a code up and marks it used: a code is single-use even when the
/// exchange then fails.
fn take_code(state: &MockState, code: &str, client_id: &str) -> Result<AuthCode, Refusal> {
    let now = state.now_ms();
    let mut store = state.store();
    let record = store.codes.get_mut(code).ok_or(EXPIRED_CODE)?;
    let usable = !record.used && now < record.expires_ms && record.client_id == client_id;
    record.used = true;
    if usable {
        Ok(record.clone())
    } else {
        Err(EXPIRED_CODE)
    }
}

/// The user behind a code or refresh token, if still active.
pub(super) fn active_user<'s>(state: &'s MockState, user_id: &str) -> Result<&'s User, Refusal> {
    state
        .user_by_id(user_id)
        .filter(|user| user.user.active)
        .ok_or(INACTIVE_USER)
}

/// Username-password flow: password and security token concatenated (the
/// password alone from a trusted IP range); no refresh token. Blocked unless
/// the org allows it, with the same answer as bad credentials.
fn password(state: &MockState, request: &MockRequest) -> Result<serde_json::Value, Refusal> {
    let app = client(state, request, |app| app.require_secret)?;
    let app = &*app;
    // Blocked org-wide, or an External Client App (which never takes a
    // password): Salesforce answers with the generic authentication failure.
    if !state.org_settings().allow_username_password_flows || !app.username_password_flow {
        return Err(AUTH_FAILURE);
    }
    let username = request.param("username").unwrap_or_default();
    let user = state.user_by_name(username.trim()).ok_or(AUTH_FAILURE)?;
    let password = request.param("password").unwrap_or_default();
    if !access::api_password_matches(state, user, password) {
        return Err(AUTH_FAILURE);
    }
    if !user.user.active {
        return Err(INACTIVE_USER);
    }
    access::check(state, app, user, Flow::Password)?;
    let scopes: Vec<String> = app
        .scopes
        .iter()
        .filter(|scope| !allows_refresh(std::slice::from_ref(scope)))
        .cloned()
        .collect();
    let what = Issue::new(app, &user.id, &scopes, &request.base_url).answering(Answer::Password);
    Ok(issue(state, &what).to_json())
}

/// Refresh token flow: a new access token; a new refresh token (the old one
/// revoked) only with rotation.
fn refresh_token(state: &MockState, request: &MockRequest) -> Result<serde_json::Value, Refusal> {
    let app = client(state, request, |app| {
        app.require_secret_for_refresh.unwrap_or(app.require_secret)
    })?;
    let app = &*app;
    let token = request.param("refresh_token").unwrap_or_default();
    let grant = state
        .store()
        .refresh_tokens
        .get(token)
        .cloned()
        .filter(|grant| grant.is_live(state.now_ms()) && *grant.client_id == *app.client_id)
        .ok_or(EXPIRED_TOKEN)?;
    let user = active_user(state, &grant.user_id)?;
    access::check(state, app, user, Flow::Refresh)?;
    if app.refresh_token_rotation {
        // Spent: a second use of the same token is refused.
        if state.store().refresh_tokens.remove(token).is_none() {
            return Err(EXPIRED_TOKEN);
        }
    }
    let mut what = Issue::new(app, &grant.user_id, &grant.scopes, &request.base_url);
    what.with_refresh = app.refresh_token_rotation;
    what.from_refresh = (!app.refresh_token_rotation).then_some(token);
    what.id_token = true;
    Ok(issue(state, &what).to_json())
}

#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod tests;
