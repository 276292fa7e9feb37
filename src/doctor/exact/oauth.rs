//! Exact diagnoses of the client's and the user's credentials refused by
//! the token endpoint; what the other diagnoses share.

use super::{Exact, Facts, list, v};
use crate::doctor::sent::{Sent, last_authorization};
use crate::kind::Kind;

pub(super) const GRANTS: &[&str] = &[
    "authorization_code",
    "password",
    "refresh_token",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
    "client_credentials",
    "device",
];

/// The authorization request behind a callback's error, or the request
/// itself for an `authorize` step.
pub(super) fn authorization<'f>(
    f: &'f Facts<'_>,
) -> Option<(Option<&'f crate::log::StepLog>, Sent)> {
    if f.step.kind == Kind::Authorize {
        // The URL it built, not the last page it saw (an error page).
        return Some((
            None,
            Sent::authorization(f.step).unwrap_or_else(|| f.sent.clone()),
        ));
    }
    last_authorization(f.earlier).map(|(s, sent)| (Some(s), sent))
}

pub(super) fn invalid_client_id(f: &Facts<'_>) -> Option<Exact> {
    let apps = f.apps();
    let known: Vec<String> = apps
        .iter()
        .map(|a| format!("{} ({})", v(&a.client_id), a.name))
        .collect();
    let cause = match f.client_id() {
        Some(id) => format!(
            "you sent `client_id` {}; this org's apps are {}",
            v(&id),
            known.join(" and ")
        ),
        None => format!(
            "the request carried no `client_id`; this org's apps are {}",
            known.join(" and ")
        ),
    };
    Exact::new(
        cause,
        "send the app's consumer key (`{{ org.client_id }}` on the mock), or set `mock.connected_app.client_id` to the key you send",
    )
}

pub(super) fn invalid_client(f: &Facts<'_>) -> Option<Exact> {
    let app = f.app();
    let secret = f
        .sent
        .get("client_secret")
        .map(str::to_owned)
        .or_else(|| f.sent.basic_client().map(|(_, s)| s))
        .filter(|s| !s.is_empty());
    let credentials = f.sent.get("grant_type") == Some("client_credentials");
    match secret {
        None if credentials => Exact::new(
            "the client credentials flow authenticates the app with its secret, and no `client_secret` was sent",
            "send `client_secret: \"{{ org.client_secret }}\"` in the form or a Basic `Authorization` header",
        ),
        None => Exact::new(
            format!(
                "no `client_secret` was sent, and the app {} requires one (`mock.connected_app.require_secret: true`)",
                v(&app.name)
            ),
            "send `client_secret: \"{{ org.client_secret }}\"`, or set `require_secret: false` for a public client (on Salesforce, turn off *Require Secret for Web Server Flow*)",
        ),
        Some(s) if s != app.client_secret => Exact::new(
            format!(
                "the `client_secret` sent is not the consumer secret of the app {}",
                v(&app.name)
            ),
            "send the app's consumer secret, `{{ org.client_secret }}` on the mock",
        ),
        Some(_) => None,
    }
}

pub(super) fn authentication_failure(f: &Facts<'_>) -> Option<Exact> {
    if !f.config.org_settings.allow_username_password_flows {
        return Exact::new(
            "the org blocks the username-password flow (`mock.org_settings.allow_username_password_flows` is false, as in every org created since Summer '23)",
            "set `allow_username_password_flows: true` under `mock.org_settings` (on Salesforce, Setup › OAuth and OpenID Connect Settings › Allow OAuth Username-Password Flows), or better, use another flow",
        );
    }
    let app = f.app();
    if !app.username_password_flow {
        return Exact::new(
            format!(
                "the app {} is an External Client App, which never takes the username-password flow",
                v(&app.name)
            ),
            "use another flow: the web server flow with PKCE, JWT bearer or client credentials",
        );
    }
    let username = f.sent.get("username")?;
    password_check(f, username, f.sent.get("password").unwrap_or(""))
}

/// Why a username and password were refused: no such user, the security
/// token missing or wrong, or the password wrong. Shared with SOAP `login()`.
pub(super) fn password_check(f: &Facts<'_>, username: &str, password: &str) -> Option<Exact> {
    let Some(user) = f.user(username) else {
        return Exact::new(
            format!(
                "there is no user {} in this org; its users are {}",
                v(username),
                f.usernames()
            ),
            "send one of those usernames (`{{ org.username }}` is the first), or add the user to `mock.users`",
        );
    };
    let full = format!("{}{}", user.password, user.security_token);
    let alone = password == user.password && !f.config.needs_security_token(user);
    let (cause, fix) = if password == full || alone {
        return None;
    } else if password == user.password {
        (
            format!(
                "the password of {} was sent without its security token; this org wants the password followed by the security token",
                v(&user.username)
            ),
            "send `\"{{ org.password }}{{ org.security_token }}\"` (on Salesforce, or log in from a trusted IP range)",
        )
    } else if password.starts_with(&user.password) {
        (
            format!(
                "the security token appended to {}'s password is not the user's security token",
                v(&user.username)
            ),
            "append the user's current security token (`{{ org.security_token }}` on the mock)",
        )
    } else {
        (
            format!("the password sent is not {}'s password", v(&user.username)),
            "send the user's password followed by its security token (`{{ org.password }}{{ org.security_token }}` for the first user)",
        )
    };
    Exact::new(cause, fix)
}

pub(super) fn inactive_user(f: &Facts<'_>) -> Option<Exact> {
    let named = f
        .sent
        .get("username")
        .map(str::to_owned)
        .or_else(|| f.claims()?.get("sub")?.as_str().map(str::to_owned))
        .or_else(|| {
            (f.sent.get("grant_type") == Some("client_credentials"))
                .then(|| f.app().client_credentials_user)
                .flatten()
        });
    let inactive: Vec<&str> = f
        .config
        .users
        .iter()
        .filter(|u| !u.active)
        .map(|u| u.username.as_str())
        .collect();
    let cause = match named.as_deref().and_then(|n| f.user(n)) {
        Some(user) if !user.active => format!(
            "user {} is inactive (`active: false` in `mock.users`)",
            v(&user.username)
        ),
        _ if !inactive.is_empty() => format!(
            "this org's inactive users are {} (`active: false` in `mock.users`)",
            list(inactive)
        ),
        _ => return None,
    };
    Exact::new(
        cause,
        "set `active: true` for the user in `mock.users`, or log in as an active user",
    )
}
