//! Into the org's web pages with an access token: the UI Bridge API
//! `/services/oauth2/singleaccess` trades the token for a one-time frontdoor
//! URL (what `sf org open` opens), `/secur/frontdoor.jsp` turns that URL, or
//! a `sid` access token, into a browser session, and the home page says who
//! is logged in.

use hyper::StatusCode;
use serde_json::json;

use super::consent::with_session;
use super::identity::{caller, refuse};
use crate::mock::pages::{self, FRONTDOOR, HOME};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{FrontdoorCode, Grant, MockState, expiry_after};

/// `GET|POST /services/oauth2/singleaccess` (Bearer token; optional
/// `redirect_uri`, a path on the org): `{"frontdoor_uri": "…"}`.
pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let grant = match caller(state, request) {
        Ok(grant) => grant,
        // sfdx-core notes that an expired token gets 403 here, not 401.
        Err(code) => return refuse(StatusCode::FORBIDDEN, code),
    };
    if !allows_web(&grant) {
        return refuse(StatusCode::FORBIDDEN, "Insufficient_Scope");
    }
    let start_url = request.param("redirect_uri").and_then(local_path);
    let record = FrontdoorCode {
        user_id: grant.user_id.to_string(),
        start_url: start_url.clone(),
        expires_ms: expiry_after(FrontdoorCode::LIFETIME, state.now_ms()),
    };
    let code = {
        let mut store = state.store();
        let code = store.random.frontdoor_code();
        store.frontdoor.insert(code.clone(), record);
        code
    };
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("otp", &code);
    if let Some(start_url) = &start_url {
        query.append_pair("startURL", start_url);
    }
    let uri = format!("{}{FRONTDOOR}?{}", request.base_url, query.finish());
    response::json(StatusCode::OK, &json!({ "frontdoor_uri": uri }))
}

/// `GET /secur/frontdoor.jsp?otp=…` (a one-time code from `singleaccess`)
/// or `?sid=<access token>&retURL=…`: a session cookie, then the start page.
pub(crate) fn frontdoor(state: &MockState, request: &MockRequest) -> MockResponse {
    let found = if let Some(code) = request.param("otp") {
        let now = state.now_ms();
        state
            .store()
            .frontdoor
            .remove(code)
            .filter(|record| now < record.expires_ms)
            .map(|record| (record.user_id, record.start_url))
    } else {
        let return_to = request.param("retURL").and_then(local_path);
        request
            .param("sid")
            .and_then(|token| state.session(token))
            .filter(allows_web)
            .map(|grant| (grant.user_id.to_string(), return_to))
    };
    let user = found.and_then(|(user_id, start)| {
        let user = state.user_by_id(&user_id).filter(|user| user.user.active)?;
        Some((user, start))
    });
    let Some((user, start)) = user else {
        let page = pages::notice_page("Link Expired", "This link is no longer valid.");
        return response::html(StatusCode::BAD_REQUEST, page);
    };
    let target = start.unwrap_or_else(|| HOME.to_string());
    let location = format!("{}{target}", request.base_url);
    with_session(state, user, response::redirect(&location))
}

/// `GET /home/home.jsp`: who the browser's session belongs to.
pub(crate) fn home(state: &MockState, request: &MockRequest) -> MockResponse {
    let text = match super::authorize::logged_in_user(state, request) {
        Some(user) => format!("You are logged in as {}.", user.user.username),
        None => "You are not logged in.".to_string(),
    };
    response::html(StatusCode::OK, pages::notice_page("Home", &text))
}

/// The web pages take a token granted `web` or `full` (as `frontdoor.jsp`
/// documents).
fn allows_web(grant: &Grant) -> bool {
    grant
        .scopes
        .iter()
        .any(|scope| scope == "web" || scope == "full")
}

/// A path on the org (`/lightning/setup`); anything else is ignored, so the
/// frontdoor never sends the browser to another site.
fn local_path(target: &str) -> Option<String> {
    let target = target.trim();
    let local = target.starts_with('/') && !target.starts_with("//") && !target.contains('\\');
    local.then(|| target.to_string())
}

#[cfg(test)]
mod tests;
