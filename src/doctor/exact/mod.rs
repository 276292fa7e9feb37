//! Exact hints, on the in-process mock: the doctor reads the mock's
//! configuration through the runner (nothing of it is ever sent in a
//! response) and the requests of this run, and says which setting or which
//! value caused the refusal.
//!
//! A diagnosis echoes only what was sent or configured, never a secret's
//! value (it compares them), and every echoed value is put in a code span
//! by [`v`], with its backticks and control characters replaced.

mod access;
mod api;
mod oauth;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use crate::log::StepLog;
use crate::mock::{ConnectedApp, MockConfig, MockUser};

use super::sent::Sent;

/// What the doctor found, instead of the documented causes and fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exact {
    pub causes: Vec<String>,
    pub fix: String,
}

impl Exact {
    fn new(cause: impl Into<String>, fix: impl Into<String>) -> Option<Exact> {
        Some(Exact {
            causes: vec![cause.into()],
            fix: fix.into(),
        })
    }
}

/// What a diagnosis may look at.
pub struct Facts<'a> {
    pub step: &'a StepLog,
    /// The steps before it, in order.
    pub earlier: &'a [StepLog],
    /// The request the answer was to.
    pub sent: Sent,
    pub config: &'a MockConfig,
    /// The mock's URL.
    pub base_url: &'a str,
}

type Diagnosis = fn(&Facts<'_>) -> Option<Exact>;

/// The entries with an exact diagnosis.
const DIAGNOSES: &[(&str, Diagnosis)] = &[
    ("invalid_client_id", oauth::invalid_client_id),
    ("invalid_client", oauth::invalid_client),
    ("authentication_failure", oauth::authentication_failure),
    ("inactive_user", oauth::inactive_user),
    ("expired_authorization_code", oauth::expired_code),
    ("invalid_code_verifier", oauth::invalid_code_verifier),
    ("redirect_uri_mismatch", oauth::redirect_uri_mismatch),
    ("redirect_uri_missing", oauth::redirect_uri_missing),
    ("expired_refresh_token", oauth::expired_refresh_token),
    ("unsupported_grant_type", oauth::unsupported_grant_type),
    ("user_not_approved", access::user_not_approved),
    ("not_admin_approved", access::not_admin_approved),
    (
        "no_client_credentials_user",
        access::no_client_credentials_user,
    ),
    ("device_flow_disabled", access::device_flow_disabled),
    ("ip_restricted", access::ip_restricted),
    ("wrong_domain", oauth::wrong_domain),
    ("invalid_assertion", oauth::invalid_assertion),
    ("invalid_audience", oauth::invalid_audience),
    ("invalid_scope", oauth::invalid_scope),
    (
        "unsupported_response_type",
        oauth::unsupported_response_type,
    ),
    ("access_denied", oauth::access_denied),
    ("immediate_unsuccessful", oauth::immediate_unsuccessful),
    ("missing_code_challenge", oauth::missing_code_challenge),
    ("authorization_pending", oauth::authorization_pending),
    ("invalid_session_id", api::invalid_session_id),
    ("soap_invalid_session_id", api::invalid_session_id),
    ("session_not_valid_for_rest", api::session_not_valid_for_api),
    ("invalid_login", api::invalid_login),
    ("soap_login_disabled", api::soap_login_disabled),
    ("revoke_invalid_token", api::revoke_invalid_token),
    (
        "revoke_unsupported_token_type",
        api::revoke_unsupported_token_type,
    ),
];

/// The exact causes and fix of an entry, when the run shows them.
#[must_use]
pub fn diagnose(id: &str, facts: &Facts<'_>) -> Option<Exact> {
    let (_, diagnosis) = DIAGNOSES.iter().find(|(name, _)| *name == id)?;
    diagnosis(facts)
}

/// The entries that have an exact diagnosis on the mock.
#[must_use]
pub fn ids() -> Vec<&'static str> {
    DIAGNOSES.iter().map(|(id, _)| *id).collect()
}

impl Facts<'_> {
    /// The org's apps: the scenario's and the Salesforce CLI's.
    fn apps(&self) -> Vec<ConnectedApp> {
        vec![
            self.config.connected_app.clone(),
            ConnectedApp::platform_cli(),
        ]
    }

    /// The client id the request named: in its parameters, a Basic header,
    /// or a JWT's `iss`.
    fn client_id(&self) -> Option<String> {
        self.sent
            .get("client_id")
            .map(str::to_owned)
            .or_else(|| self.sent.basic_client().map(|(id, _)| id))
            .or_else(|| {
                self.claims()?
                    .get("iss")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
    }

    /// The app the request named, else the scenario's.
    fn app(&self) -> ConnectedApp {
        let id = self.client_id();
        self.apps()
            .into_iter()
            .find(|a| Some(&a.client_id) == id.as_ref())
            .unwrap_or_else(|| self.config.connected_app.clone())
    }

    fn user(&self, username: &str) -> Option<&MockUser> {
        let username = username.trim();
        self.config
            .users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    fn usernames(&self) -> String {
        list(self.config.users.iter().map(|u| u.username.as_str()))
    }

    /// The claims of the JWT assertion sent, unverified.
    fn claims(&self) -> Option<Map<String, Value>> {
        let assertion = self.sent.get("assertion")?;
        jwt_part(assertion, 1)
    }

    /// The earlier steps whose request sent `name` = `value`, with that request.
    fn earlier_sending(&self, name: &str, value: &str) -> Vec<(&StepLog, Sent)> {
        self.earlier
            .iter()
            .filter_map(|s| Sent::of(s).map(|sent| (s, sent)))
            .filter(|(_, sent)| sent.get(name) == Some(value))
            .collect()
    }

    /// The earlier step whose result has `field` = `value`.
    fn earlier_result(&self, field: &str, value: &str) -> Option<&StepLog> {
        self.earlier
            .iter()
            .find(|s| s.result.get(field).and_then(Value::as_str) == Some(value))
    }
}

/// A JSON part of a JWT (0 the header, 1 the claims).
fn jwt_part(jwt: &str, index: usize) -> Option<Map<String, Value>> {
    let part = jwt.split('.').nth(index)?;
    let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// A value as it is echoed: in a code span, one line, no backticks, at most
/// 200 characters.
fn v(value: &str) -> String {
    let mut clean: String = value
        .chars()
        .map(|c| match c {
            '`' => '\'',
            c if c.is_control() => ' ',
            c => c,
        })
        .take(200)
        .collect();
    if value.chars().count() > 200 {
        clean.push('…');
    }
    format!("`{clean}`")
}

/// Values as a list of code spans.
fn list<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = values.into_iter().map(v).collect();
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}

/// `step 3 `token``.
fn step_ref(step: &StepLog) -> String {
    match &step.id {
        Some(id) => format!("step {} {}", step.index, v(id)),
        None => format!("step {}", step.index),
    }
}

#[cfg(test)]
mod tests {
    use super::{ids, v};
    use crate::doctor::table::entry;

    #[test]
    fn every_diagnosis_has_an_entry() {
        for id in ids() {
            assert!(entry(id).is_some(), "{id}");
        }
    }

    #[test]
    fn echoed_values_cannot_break_out_of_their_code_span() {
        assert_eq!(v("a`b\nc"), "`a'b c`");
        assert!(v(&"x".repeat(300)).ends_with("…`"));
    }
}
