//! Posts from the login and consent pages: logging in (a `sid` session
//! cookie), then Allow (a code or, for the user-agent flow, tokens) or Deny.
//! Allow is remembered: the next authorization of the same user and app
//! goes straight back to the client.

use hyper::header::{HeaderValue, SET_COOKIE};

use super::access::{self, Flow};
use super::authorize::{
    self, AuthRequest, ResponseType, consent_response, error_redirect, logged_in_user,
    login_response, needs_consent, redirect_location,
};
use super::issue::{Issue, issue};
use super::mfa;
use crate::mock::pages::AUTHORIZE;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{AuthCode, MockState, Session, User, expiry, expiry_after};

/// Salesforce's own wording for a failed login.
const BAD_LOGIN: &str = "Please check your username and password. If you still can't log in, \
                         contact your Salesforce administrator.";
const INACTIVE: &str = "Your user account is inactive. Contact your Salesforce administrator.";
pub(crate) const LOGGED_OUT: &str = "Your session has ended. Please log in again.";

/// A POST to the authorize endpoint: a consent decision, a login, or neither.
pub(crate) fn post(state: &MockState, request: &MockRequest, auth: &AuthRequest) -> MockResponse {
    let field = |name: &str| {
        request
            .form
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, v)| v.as_str())
    };
    if field("consent_step").is_some() {
        return decide(state, request, auth, field("decision"));
    }
    if field(mfa::CODE_FIELD).is_some() {
        return match mfa::answer(state, request, AUTHORIZE, &auth.hidden) {
            mfa::Answer::Verified(user) => {
                with_session(state, user, after_login(state, request, auth, user))
            }
            mfa::Answer::Refused(page) => page,
            mfa::Answer::NoLogin => login_response(auth, &auth.login_hint, Some(LOGGED_OUT)),
        };
    }
    match field("username") {
        Some(username) => {
            let password = field("pw").unwrap_or_default();
            log_in(state, request, auth, username, password)
        }
        None => authorize::show(state, request, auth),
    }
}

fn log_in(
    state: &MockState,
    request: &MockRequest,
    auth: &AuthRequest,
    username: &str,
    password: &str,
) -> MockResponse {
    match authenticate(state, username, password) {
        Ok(user) if mfa::required(user) => mfa::challenge(state, user, AUTHORIZE, &auth.hidden),
        Ok(user) => with_session(state, user, after_login(state, request, auth, user)),
        Err(message) => login_response(auth, username, Some(message)),
    }
}

/// Once the user is known: the consent page if they must be asked, else
/// straight back to the client.
pub(crate) fn after_login(
    state: &MockState,
    request: &MockRequest,
    auth: &AuthRequest,
    user: &User,
) -> MockResponse {
    if needs_consent(state, auth, user) {
        consent_response(auth, user)
    } else {
        approve(state, request, auth, user)
    }
}

/// The login form's check (the password alone, no security token): the
/// user, or the message the login page shows.
pub(crate) fn authenticate<'s>(
    state: &'s MockState,
    username: &str,
    password: &str,
) -> Result<&'s User, &'static str> {
    let user = state.user_by_name(username.trim());
    let user = user
        .filter(|user| user.user.password == password)
        .ok_or(BAD_LOGIN)?;
    if user.user.active {
        Ok(user)
    } else {
        Err(INACTIVE)
    }
}

/// `page` with a new login session for `user` in its `sid` cookie.
pub(crate) fn with_session(state: &MockState, user: &User, mut page: MockResponse) -> MockResponse {
    let session = Session {
        user_id: user.id.clone(),
        expires_ms: expiry_after(Session::LIFETIME, state.now_ms()),
    };
    let sid = {
        let mut store = state.store();
        let sid = store.random.session_id();
        store.sessions.insert(sid.clone(), session);
        sid
    };
    let cookie = format!("sid={sid}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        page.headers_mut().append(SET_COOKIE, cookie);
    }
    page
}

fn decide(
    state: &MockState,
    request: &MockRequest,
    auth: &AuthRequest,
    decision: Option<&str>,
) -> MockResponse {
    let Some(user) = logged_in_user(state, request) else {
        return login_response(auth, &auth.login_hint, Some(LOGGED_OUT));
    };
    match decision {
        Some("allow") => {
            access::record_approval(state, &auth.app, user);
            approve(state, request, auth, user)
        }
        Some("deny") => error_redirect(
            &auth.partial(),
            "access_denied",
            "end-user denied authorization",
        ),
        _ => consent_response(auth, user),
    }
}

/// Back to the client: a code in the query (the token endpoint then checks
/// who may use the app), or tokens in the fragment.
pub(crate) fn approve(
    state: &MockState,
    request: &MockRequest,
    auth: &AuthRequest,
    user: &User,
) -> MockResponse {
    let mut pairs: Vec<(&str, String)> = match auth.response_type {
        ResponseType::Code => vec![("code", new_code(state, auth, user))],
        ResponseType::Token => {
            if let Err((error, description)) =
                access::check(state, &auth.app, user, Flow::Interactive)
            {
                // The token endpoint's `invalid_app_access` reaches the
                // user-agent flow's callback as `OAUTH_APP_ACCESS_DENIED`.
                let error = match error {
                    "invalid_app_access" => "OAUTH_APP_ACCESS_DENIED",
                    other => other,
                };
                return error_redirect(&auth.partial(), error, description);
            }
            let what = Issue::new(&auth.app, &user.id, &auth.scopes, &request.base_url)
                .interactive(auth.nonce.as_deref());
            issue(state, &what).fragment_pairs()
        }
    };
    if let Some(client_state) = &auth.state {
        pairs.push(("state", client_state.clone()));
    }
    let fragment = auth.response_type == ResponseType::Token;
    response::redirect(&redirect_location(&auth.redirect_uri, fragment, &pairs))
}

fn new_code(state: &MockState, auth: &AuthRequest, user: &User) -> String {
    let record = AuthCode {
        client_id: auth.app.client_id.clone(),
        redirect_uri: auth.redirect_uri.clone(),
        user_id: user.id.clone(),
        scopes: auth.scopes.clone(),
        challenge: auth.challenge.clone(),
        nonce: auth.nonce.clone(),
        expires_ms: expiry(&auth.app.code_lifetime, state.now_ms()),
        used: false,
    };
    let mut store = state.store();
    let code = store.random.authorization_code();
    store.codes.insert(code.clone(), record);
    code
}
