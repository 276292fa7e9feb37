//! Who may use an app, from where, and whether they have approved it: the
//! rules every grant shares. An admin-approved app takes only the users
//! its profiles and permission sets pre-authorize (and asks none of them
//! for consent); a self-authorize app asks each user once. A user whose
//! profile has login IP ranges is refused outside them, as the app's IP
//! relaxation says; the org's trusted ranges spare a password its token.

use super::token::Refusal;
use crate::mock::config::ConnectedApp;
use crate::mock::state::{MockState, User};

/// Outside the profile's login IP ranges, under a policy that enforces them.
pub(crate) const IP_RESTRICTED: Refusal = ("invalid_grant", "ip restricted");
/// A user an admin-approved app does not pre-authorize.
pub(crate) const NOT_ADMIN_APPROVED: Refusal = (
    "invalid_app_access",
    "user is not admin approved to access this app",
);

/// Which flow asks: the app's IP relaxation treats them differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Web server, user-agent and device flows: the user logged in.
    Interactive,
    Password,
    Refresh,
    /// Always enforces IP restrictions, whatever the app relaxes.
    JwtBearer,
    /// The run-as user is exempt from the app's permitted users.
    ClientCredentials,
}

/// The refusal when `user` may not get tokens of `app` through `flow`.
pub(crate) fn check(
    state: &MockState,
    app: &ConnectedApp,
    user: &User,
    flow: Flow,
) -> Result<(), Refusal> {
    if flow != Flow::ClientCredentials && !app.permits(&user.user) {
        return Err(NOT_ADMIN_APPROVED);
    }
    if ip_restricted(state, app, user, flow) {
        return Err(IP_RESTRICTED);
    }
    Ok(())
}

/// Outside the user's profile's login IP ranges, and the app does not relax them.
fn ip_restricted(state: &MockState, app: &ConnectedApp, user: &User, flow: Flow) -> bool {
    if !state.config.outside_login_ranges(&user.user) {
        return false;
    }
    match (flow, app.ip_relaxation.as_str()) {
        (Flow::JwtBearer, _) => true,
        (_, "bypass") | (Flow::Refresh, "enforce_relaxrefresh") => false,
        _ => true,
    }
}

/// Whether `password` is the user's API password: the password with the
/// security token appended, or, where no token is needed, the password alone.
pub(crate) fn api_password_matches(state: &MockState, user: &User, password: &str) -> bool {
    let with_token = format!("{}{}", user.user.password, user.user.security_token);
    password == with_token
        || (!state.config.needs_security_token(&user.user) && password == user.user.password)
}

/// Whether `user` may use `app` without being asked: pre-authorized by an
/// admin-approved app, or approved once before.
pub(crate) fn approved(state: &MockState, app: &ConnectedApp, user: &User) -> bool {
    (app.admin_approved && app.permits(&user.user))
        || state
            .store()
            .approvals
            .contains(&(user.id.clone(), app.client_id.clone()))
}

/// Remembers that `user` approved `app` (Allow on the consent page).
pub(crate) fn record_approval(state: &MockState, app: &ConnectedApp, user: &User) {
    state
        .store()
        .approvals
        .insert((user.id.clone(), app.client_id.clone()));
}

#[cfg(test)]
mod tests;
