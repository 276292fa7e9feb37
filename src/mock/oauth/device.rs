//! The device flow at the token endpoint: `response_type=device_code` starts
//! it; `grant_type=device` polls until the user approves at `/setup/connect`
//! (see `verification.rs`). Every refusal is HTTP 400 JSON; sfdx-core keeps
//! polling only on `authorization_pending`.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::access::{self, Flow};
use super::authorize::granted_scopes;
use super::issue::{Issue, issue};
use super::token::{EXPIRED_CODE, INACTIVE_USER, Refusal, client};
use crate::mock::duration::{millis, parse_duration};
use crate::mock::pages::DEVICE;
use crate::mock::request::MockRequest;
use crate::mock::state::{DeviceGrant, DeviceStatus, MockState, expiry};

const PENDING: Refusal = ("authorization_pending", "authorization pending");
const SLOW_DOWN: Refusal = ("slow_down", "slow down");
const DENIED: Refusal = ("access_denied", "end-user denied authorization");
const NOT_ENABLED: Refusal = ("invalid_grant", "device flow is not enabled for the app");
const INVALID_SCOPE: Refusal = (
    "invalid_scope",
    "requested scope is invalid, unknown, or malformed",
);

/// `POST /services/oauth2/token` with `response_type=device_code`.
pub(super) fn start(state: &MockState, request: &MockRequest) -> Result<Value, Refusal> {
    let app = client(state, request, |_| false)?;
    let app = &*app;
    if !app.device_flow_enabled {
        return Err(NOT_ENABLED);
    }
    let scopes = granted_scopes(app, request.param("scope")).ok_or(INVALID_SCOPE)?;
    let interval = parse_duration(&app.device_interval).unwrap_or(Duration::from_secs(5));
    let now = state.now_ms();
    let mut store = state.store();
    let device_code = store.random.device_code();
    let user_code = store.random.user_code();
    let grant = DeviceGrant {
        client_id: app.client_id.clone(),
        user_code: user_code.clone(),
        scopes,
        expires_ms: expiry(&app.device_code_lifetime, now),
        interval,
        last_poll: None,
        status: DeviceStatus::Pending,
    };
    store.devices.insert(device_code.clone(), grant);
    drop(store);
    Ok(json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": format!("{}{DEVICE}", request.base_url),
        "interval": millis(interval).div_ceil(1000),
    }))
}

/// `POST /services/oauth2/token` with `grant_type=device` and `code`.
pub(super) fn poll(state: &MockState, request: &MockRequest) -> Result<Value, Refusal> {
    let app = client(state, request, |_| false)?;
    let app = &*app;
    let code = request.param("code").unwrap_or_default();
    let (user_id, scopes) = answer(state, code, &app.client_id)?;
    let active = state.user_by_id(&user_id).filter(|user| user.user.active);
    let user = active.ok_or(INACTIVE_USER)?;
    access::check(state, app, user, Flow::Interactive)?;
    let what = Issue::new(app, &user.id, &scopes, &request.base_url).interactive(None);
    Ok(issue(state, &what).to_json())
}

/// Where the device code stands: the approving user and scopes once
/// approved (the code is then spent), or why not yet.
fn answer(
    state: &MockState,
    code: &str,
    client_id: &str,
) -> Result<(String, Vec<String>), Refusal> {
    let now = state.now_ms();
    let mut store = state.store();
    let device = store
        .devices
        .get_mut(code)
        .filter(|device| device.client_id == client_id)
        .ok_or(EXPIRED_CODE)?;
    if now >= device.expires_ms || device.status == DeviceStatus::Used {
        return Err(EXPIRED_CODE);
    }
    // Real time: a seeded run's clock barely moves while the device waits.
    let polled = Instant::now();
    let too_soon = device
        .last_poll
        .is_some_and(|last| polled.saturating_duration_since(last) < device.interval);
    if too_soon {
        return Err(SLOW_DOWN);
    }
    device.last_poll = Some(polled);
    match &device.status {
        DeviceStatus::Pending => Err(PENDING),
        DeviceStatus::Denied => Err(DENIED),
        DeviceStatus::Used => Err(EXPIRED_CODE),
        DeviceStatus::Approved { user_id } => {
            let approved = (user_id.clone(), device.scopes.clone());
            device.status = DeviceStatus::Used;
            Ok(approved)
        }
    }
}

#[cfg(test)]
mod tests;
