//! Exact diagnoses of the APIs' refusals (REST, SOAP) and of the revoke
//! endpoint: where the token sent came from, and what happened to it.

use serde_json::Value;

use super::oauth::password_check;
use super::{Exact, Facts, step_ref, v};
use crate::log::StepLog;
use crate::steps::element_texts;

/// The earlier step whose token response holds `token` as `field`.
fn issued_by<'f>(f: &'f Facts<'_>, field: &str, token: &str) -> Option<&'f StepLog> {
    f.earlier_result(field, token)
}

/// The earlier step that revoked `token`.
fn revoked_by<'f>(f: &'f Facts<'_>, token: &str) -> Option<&'f StepLog> {
    f.earlier_sending("token", token)
        .into_iter()
        .find(|(_, sent)| sent.url.contains("/services/oauth2/revoke"))
        .map(|(s, _)| s)
}

pub(super) fn invalid_session_id(f: &Facts<'_>) -> Option<Exact> {
    let token = session_sent(f)?;
    let fix = "send a live access token of this org, such as `{{ token.access_token }}` of an earlier token step, or `{{ org.access_token }}`";
    if let Some(revoker) = revoked_by(f, &token) {
        return Exact::new(
            format!("this access token was revoked in {}", step_ref(revoker)),
            fix,
        );
    }
    let Some(origin) = issued_by(f, "access_token", &token) else {
        return Exact::new(
            "the token sent was not issued by this org in this run: it is no `access_token` of an earlier step, nor `org.access_token`",
            fix,
        );
    };
    if let Some(refresh) = origin.result.get("refresh_token").and_then(Value::as_str)
        && let Some(revoker) = revoked_by(f, refresh)
    {
        return Exact::new(
            format!(
                "{} revoked the refresh token that came with this access token (in {}), and with it the access token",
                step_ref(revoker),
                step_ref(origin)
            ),
            fix,
        );
    }
    let lifetime = &f.app().access_token_lifetime;
    if crate::duration::parse(lifetime).is_some_and(|d| d.as_secs() < 60) {
        return Exact::new(
            format!(
                "the access token of {} expired: the app's access tokens live {} (`mock.connected_app.access_token_lifetime`)",
                step_ref(origin),
                v(lifetime)
            ),
            "give access tokens a longer lifetime (Salesforce's session timeout is 2 hours by default), or refresh the token first",
        );
    }
    None
}

/// The access token of a REST call (its bearer) or a SOAP call (its `sessionId`).
fn session_sent(f: &Facts<'_>) -> Option<String> {
    match f.sent.bearer() {
        Some(t) => Some(t.to_owned()),
        None => element_texts(f.sent.text.as_deref().unwrap_or(""), "sessionId")
            .into_iter()
            .next(),
    }
}

pub(super) fn session_not_valid_for_api(f: &Facts<'_>) -> Option<Exact> {
    let token = session_sent(f)?;
    let origin = issued_by(f, "access_token", &token)?;
    let scope = origin.result.get("scope").and_then(Value::as_str)?;
    let granted: Vec<&str> = scope.split([' ', '+']).collect();
    if granted.contains(&"api") || granted.contains(&"full") {
        return None;
    }
    Exact::new(
        format!(
            "the access token of {} was granted `scope` {}, without `api` (or `full`)",
            step_ref(origin),
            v(scope)
        ),
        "ask for `api` in the authorization request's `scope` (the app must have it, `mock.connected_app.scopes`), then log in again",
    )
}

pub(super) fn soap_login_disabled(f: &Facts<'_>) -> Option<Exact> {
    let version = f
        .sent
        .url
        .split("/services/Soap/u/")
        .nth(1)?
        .split(['/', '?'])
        .next()?
        .to_owned();
    let major: u32 = version.split('.').next()?.parse().ok()?;
    if major >= 65 {
        return Exact::new(
            format!(
                "the call went to API version {}; SOAP `login()` is gone from version 65.0 on",
                v(&version)
            ),
            "use an OAuth flow (JWT bearer or client credentials for an integration), or, for now, an API version below 65.0",
        );
    }
    if f.config.org_settings.allow_soap_login {
        return None;
    }
    Exact::new(
        "SOAP `login()` is off in this org (`mock.org_settings.allow_soap_login` is false, as in every new org)",
        "set `allow_soap_login: true` under `mock.org_settings` (on Salesforce, Setup › User Interface › Enable SOAP API login()), or better, use an OAuth flow",
    )
}

pub(super) fn invalid_login(f: &Facts<'_>) -> Option<Exact> {
    let body = f.sent.text.as_deref()?;
    let username = element_texts(body, "username").into_iter().next()?;
    let password = element_texts(body, "password")
        .into_iter()
        .next()
        .unwrap_or_default();
    password_check(f, &username, &password)
}

pub(super) fn revoke_invalid_token(f: &Facts<'_>) -> Option<Exact> {
    let token = f.sent.get("token")?;
    let fix = "revoke a token this org issued and has not revoked yet";
    if let Some(revoker) = revoked_by(f, token) {
        return Exact::new(
            format!("this token was already revoked in {}", step_ref(revoker)),
            fix,
        );
    }
    let origin =
        issued_by(f, "access_token", token).or_else(|| issued_by(f, "refresh_token", token));
    match origin {
        None => Exact::new("this token was not issued by this org in this run", fix),
        Some(origin) => {
            let refresh = origin.result.get("refresh_token").and_then(Value::as_str)?;
            let revoker = revoked_by(f, refresh)?;
            Exact::new(
                format!(
                    "{} revoked the refresh token of {}, and with it this access token",
                    step_ref(revoker),
                    step_ref(origin)
                ),
                fix,
            )
        }
    }
}

pub(super) fn revoke_unsupported_token_type(f: &Facts<'_>) -> Option<Exact> {
    let token = f.sent.get("token")?;
    let origin = issued_by(f, "id_token", token)?;
    Exact::new(
        format!("you sent the `id_token` of {}", step_ref(origin)),
        format!(
            "send its `access_token` or `refresh_token` (`{{{{ {}.refresh_token }}}}`)",
            origin.id.as_deref().unwrap_or("token")
        ),
    )
}
