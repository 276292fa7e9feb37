//! Exact diagnoses of the authorize endpoint's refusals: scopes, response
//! types, a denied consent, PKCE, `immediate`, a device still pending.

use serde_json::Value;

use super::{Exact, Facts, list, step_ref, v};
use crate::kind::Kind;

use super::oauth::authorization;

pub(super) fn immediate_unsuccessful(f: &Facts<'_>) -> Option<Exact> {
    let (step, auth) = authorization(f)?;
    if auth.get("immediate") != Some("true") {
        return None;
    }
    let which = step.map_or_else(|| "this request".to_owned(), step_ref);
    Exact::new(
        format!(
            "{which} sent `immediate=true`, and the user had no session on the mock yet, or had not approved the app"
        ),
        "drop `immediate: \"true\"`, or log in and approve the app in an earlier `authorize` step of the same run",
    )
}

pub(super) fn invalid_scope(f: &Facts<'_>) -> Option<Exact> {
    let requested = match f.sent.get("scope") {
        Some(s) if f.step.kind == Kind::Token => s.to_owned(),
        _ => authorization(f)?.1.get("scope")?.to_owned(),
    };
    let app = f.app();
    let missing: Vec<&str> = requested
        .split([' ', '+'])
        .filter(|s| !s.is_empty() && !app.scopes.iter().any(|a| a == s))
        .collect();
    if missing.is_empty() {
        return None;
    }
    Exact::new(
        format!(
            "you asked for `scope` {}; the app's scopes are {}, without {}",
            v(&requested),
            list(app.scopes.iter().map(String::as_str)),
            list(missing.iter().copied())
        ),
        format!(
            "ask for the app's scopes only, or add {} to `mock.connected_app.scopes` (on Salesforce, the app's Selected OAuth Scopes)",
            list(missing)
        ),
    )
}

pub(super) fn unsupported_response_type(f: &Facts<'_>) -> Option<Exact> {
    let (_, auth) = authorization(f)?;
    let cause = match auth.get("response_type") {
        Some(r) => format!("the authorization request sent `response_type` {}", v(r)),
        None => "the authorization request sent no `response_type`".to_owned(),
    };
    Exact::new(
        cause,
        "send `response_type: code` (web server flow) or `token` (user-agent flow)",
    )
}

pub(super) fn access_denied(f: &Facts<'_>) -> Option<Exact> {
    let (Some(auth_step), _) = authorization(f)? else {
        return None;
    };
    let consent = auth_step
        .inputs
        .pointer("/as/consent")
        .and_then(Value::as_str);
    if consent != Some("deny") {
        return None;
    }
    Exact::new(
        format!(
            "the built-in user agent pressed Deny on the consent page, as {} asks (`as: {{ consent: deny }}`)",
            step_ref(auth_step)
        ),
        "remove `consent: deny`, or expect `access_denied` on the callback in a negative test",
    )
}

pub(super) fn missing_code_challenge(f: &Facts<'_>) -> Option<Exact> {
    let (auth_step, auth) = authorization(f)?;
    let app = f.app();
    if !app.pkce_required || auth.get("code_challenge").is_some_and(|c| !c.is_empty()) {
        return None;
    }
    let which = auth_step.map_or_else(|| "this request".to_owned(), step_ref);
    Exact::new(
        format!(
            "the app requires PKCE (`mock.connected_app.pkce_required: true`), and {which} sent no `code_challenge`"
        ),
        "add a `pkce` step and send `code_challenge: \"{{ pkce.code_challenge }}\"` (then `code_verifier` to the token endpoint), or set `pkce_required: false`",
    )
}

pub(super) fn authorization_pending(f: &Facts<'_>) -> Option<Exact> {
    let started = f
        .earlier
        .iter()
        .rev()
        .find(|s| s.result.get("device_code").is_some_and(|c| !c.is_null()))?;
    Exact::new(
        format!(
            "{} started the device flow, and this request polled once, before the user approved",
            step_ref(started)
        ),
        "poll: add `poll: { interval: 5s, timeout: 5m }` to the token step (with `--browser auto`, sfscenario approves on the verification page meanwhile)",
    )
}
