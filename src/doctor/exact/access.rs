//! Exact diagnoses of who may use an app, and how: the app's permitted
//! users (admin-approved or self-authorize), its switches (device flow,
//! client credentials' run-as user) and the profiles' login IP ranges.

use serde_json::Value;

use super::oauth::authorization;
use super::{Exact, Facts, list, v};
use crate::mock::MockUser;

pub(super) fn user_not_approved(f: &Facts<'_>) -> Option<Exact> {
    let claims = f.claims()?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    let Some(user) = f.user(sub) else {
        return Exact::new(
            format!(
                "the assertion's `sub` is {}, and there is no such user in this org; its users are {}",
                v(sub),
                f.usernames()
            ),
            "set `sub` to a username of the org (`{{ org.username }}`)",
        );
    };
    let app = f.app();
    if app.admin_approved {
        // Outside the app's profiles and permission sets the answer is
        // `invalid_app_access`; inside, the user is pre-authorized.
        return None;
    }
    Exact::new(
        format!(
            "the app lets users self-authorize (`mock.connected_app.admin_approved` is false), and {} has not approved it: no earlier step of this run logged in as the user and pressed Allow",
            v(&user.username)
        ),
        format!(
            "set `admin_approved: true` with the user's profile in `profiles` ({}) or one of its permission sets in `permission_sets` — on Salesforce, *Admin approved users are pre-authorized* — or have the user approve the app once (an `authorize` step) before the JWT bearer request",
            v(&user.profile)
        ),
    )
}

/// The user a token request is for: its `username`, the JWT's `sub`, or
/// the user the built-in user agent logged in as.
fn named_user<'f>(f: &'f Facts<'_>) -> Option<&'f MockUser> {
    let named = f
        .sent
        .get("username")
        .map(str::to_owned)
        .or_else(|| f.claims()?.get("sub")?.as_str().map(str::to_owned))
        .or_else(|| {
            let (step, _) = authorization(f)?;
            let step = step.unwrap_or(f.step);
            step.inputs
                .pointer("/as/username")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    match named {
        Some(name) => f.user(&name),
        None => f.config.users.first(),
    }
}

pub(super) fn not_admin_approved(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    let user = named_user(f)?;
    if !app.admin_approved || app.permits(user) {
        return None;
    }
    let sets = if user.permission_sets.is_empty() {
        "no permission sets".to_owned()
    } else {
        format!(
            "permission sets {}",
            list(user.permission_sets.iter().map(String::as_str))
        )
    };
    Exact::new(
        format!(
            "the app is admin-approved (`mock.connected_app.admin_approved: true`) for profiles {} and permission sets {}; user {} has profile {} and {sets}",
            list(app.profiles.iter().map(String::as_str)),
            list(app.permission_sets.iter().map(String::as_str)),
            v(&user.username),
            v(&user.profile),
        ),
        format!(
            "add {} to `mock.connected_app.profiles` (on Salesforce, the app's Manage Profiles), give the user one of the app's permission sets, or set `admin_approved: false`",
            v(&user.profile)
        ),
    )
}

pub(super) fn ip_restricted(f: &Facts<'_>) -> Option<Exact> {
    let user = named_user(f)?;
    if !f.config.outside_login_ranges(user) {
        return None;
    }
    let settings = &f.config.org_settings;
    let jwt = f.sent.get("grant_type") == Some("urn:ietf:params:oauth:grant-type:jwt-bearer");
    let relaxation = if jwt {
        "the JWT bearer flow always enforces them".to_owned()
    } else {
        format!(
            "the app enforces them (`mock.connected_app.ip_relaxation: {}`)",
            f.app().ip_relaxation
        )
    };
    Exact::new(
        format!(
            "the org sees the request come from {} (`mock.org_settings.client_ip`), outside the login IP ranges of {}'s profile {} ({}); {relaxation}",
            v(&settings.client_ip),
            v(&user.username),
            v(&user.profile),
            list(f.config.login_ip_ranges(user).iter().map(String::as_str))
        ),
        format!(
            "add the address to `mock.profiles.{}.login_ip_ranges`, or (but for JWT bearer) set `mock.connected_app.ip_relaxation: bypass`",
            user.profile
        ),
    )
}

pub(super) fn device_flow_disabled(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    if app.device_flow_enabled {
        return None;
    }
    if app.client_id == "PlatformCLI" {
        return Exact::new(
            "the Salesforce CLI's app `PlatformCLI` has no device flow (Salesforce blocked it for that app)",
            "use the scenario's own app, with `mock.connected_app.device_flow_enabled: true`, or the web server flow",
        );
    }
    Exact::new(
        format!(
            "the app {} has the device flow off (`mock.connected_app.device_flow_enabled` is false, a new app's default)",
            v(&app.name)
        ),
        "set `device_flow_enabled: true` under `mock.connected_app` (on Salesforce, *Enable for Device Flow* in the app's OAuth settings)",
    )
}

pub(super) fn no_client_credentials_user(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    let cause = match &app.client_credentials_user {
        None => {
            "the app has no run-as user (`mock.connected_app.client_credentials_user` is not set)"
                .to_owned()
        }
        Some(name) if f.user(name).is_none() => format!(
            "the app's run-as user {} is not one of the org's users ({})",
            v(name),
            f.usernames()
        ),
        Some(_) => return None,
    };
    Exact::new(
        cause,
        "set `mock.connected_app.client_credentials_user` to a username of `mock.users` (on Salesforce, the app's *Client Credentials Flow › Run As*)",
    )
}
