//! The device flow's verification page, `/setup/connect` (the
//! `verification_uri`): the user types (or the link pre-fills) the user
//! code, logs in, and presses Allow or Deny. Same form contract as the
//! authorize pages; the page after the decision has no form.

use hyper::{Method, StatusCode};

use super::access;
use super::authorize::logged_in_user;
use super::consent::{LOGGED_OUT, authenticate, with_session};
use super::mfa;
use crate::mock::config::ConnectedApp;
use crate::mock::pages::{self, DEVICE};
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::{DeviceStatus, MockState, User};

const INVALID_CODE: &str = "That code is invalid or has expired. Check the code on your device.";

/// A pending device code, found by its user code.
struct Pending {
    device_code: String,
    user_code: String,
    app: std::sync::Arc<ConnectedApp>,
    scopes: Vec<String>,
}

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let typed = request
        .param("user_code")
        .map(normalize)
        .unwrap_or_default();
    if typed.is_empty() {
        return response::html(StatusCode::OK, pages::device_code_page(None));
    }
    let Some(device) = pending(state, &typed) else {
        let page = pages::device_code_page(Some(INVALID_CODE));
        return response::html(StatusCode::BAD_REQUEST, page);
    };
    let field = |name: &str| {
        let form = if request.method == Method::POST {
            request.form.as_slice()
        } else {
            &[]
        };
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    if field("consent_step").is_some() {
        return match logged_in_user(state, request) {
            Some(user) => decide(state, &device, user, field("decision")),
            None => login(&device, "", Some(LOGGED_OUT)),
        };
    }
    let hidden = [("user_code".to_string(), device.user_code.clone())];
    if field(mfa::CODE_FIELD).is_some() {
        return match mfa::answer(state, request, DEVICE, &hidden) {
            mfa::Answer::Verified(user) => with_session(state, user, confirm(&device, user)),
            mfa::Answer::Refused(page) => page,
            mfa::Answer::NoLogin => login(&device, "", Some(LOGGED_OUT)),
        };
    }
    if let Some(username) = field("username") {
        let password = field("pw").unwrap_or_default();
        return match authenticate(state, username, password) {
            Ok(user) if mfa::required(user) => mfa::challenge(state, user, DEVICE, &hidden),
            Ok(user) => with_session(state, user, confirm(&device, user)),
            Err(message) => login(&device, username, Some(message)),
        };
    }
    match logged_in_user(state, request) {
        Some(user) => confirm(&device, user),
        None => login(&device, "", None),
    }
}

fn decide(
    state: &MockState,
    device: &Pending,
    user: &User,
    decision: Option<&str>,
) -> MockResponse {
    let status = match decision {
        Some("allow") => DeviceStatus::Approved {
            user_id: user.id.clone(),
        },
        Some("deny") => DeviceStatus::Denied,
        _ => return confirm(device, user),
    };
    let allowed = status != DeviceStatus::Denied;
    if allowed {
        access::record_approval(state, &device.app, user);
    }
    if let Some(grant) = state.store().devices.get_mut(&device.device_code) {
        grant.status = status;
    }
    response::html(StatusCode::OK, pages::device_done_page(allowed))
}

fn login(device: &Pending, username: &str, error: Option<&str>) -> MockResponse {
    let hidden = [("user_code".to_string(), device.user_code.clone())];
    let page = pages::login_page(DEVICE, &device.app.name, &hidden, username, error);
    response::html(StatusCode::OK, page)
}

fn confirm(device: &Pending, user: &User) -> MockResponse {
    let hidden = [("user_code".to_string(), device.user_code.clone())];
    let page = pages::consent_page(
        DEVICE,
        &device.app.name,
        &user.user.username,
        &device.scopes,
        &hidden,
    );
    response::html(StatusCode::OK, page)
}

/// The live, undecided device code with this user code.
fn pending(state: &MockState, user_code: &str) -> Option<Pending> {
    let now = state.now_ms();
    let store = state.store();
    let (device_code, grant) = store.devices.iter().find(|(_, grant)| {
        grant.user_code == user_code
            && grant.status == DeviceStatus::Pending
            && now < grant.expires_ms
    })?;
    Some(Pending {
        device_code: device_code.to_owned(),
        user_code: grant.user_code.clone(),
        app: state.app(&grant.client_id)?,
        scopes: grant.scopes.clone(),
    })
}

/// Codes are read without case, spaces or dashes.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}
