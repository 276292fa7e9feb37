//! The JWT bearer flow (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`):
//! an RS256 assertion signed with the key of the Connected App's certificate.
//! No client secret, no refresh token, no browser: the user must be
//! pre-authorized by an admin-approved app, or have approved the app once.
//! Every refusal is `invalid_grant` but an unknown `iss`
//! (`invalid_client_id`) and a user an admin-approved app does not
//! pre-authorize (`invalid_app_access`).

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value};

use super::access::{self, Flow};
use super::issue::{Answer, Issue, allows_refresh, issue};
use super::token::{EXPIRED_CODE, INACTIVE_USER, INVALID_CLIENT_ID, Refusal};
use crate::mock::config::ConnectedApp;
use crate::mock::keys::{decoding_key, public_key};
use crate::mock::request::MockRequest;
use crate::mock::state::MockState;

const INVALID_ASSERTION: Refusal = ("invalid_grant", "invalid assertion");
const BAD_AUDIENCE: Refusal = ("invalid_grant", "audience is invalid");
const NOT_APPROVED: Refusal = ("invalid_grant", "user hasn't approved this consumer");

/// The login host a production org accepts as `aud`, besides its own URL.
const PRODUCTION: &str = "https://login.salesforce.com";
/// The login host a sandbox accepts instead.
const SANDBOX: &str = "https://test.salesforce.com";

pub(super) fn grant(state: &MockState, request: &MockRequest) -> Result<Value, Refusal> {
    let assertion = request.param("assertion").unwrap_or_default().trim();
    let unverified = payload(assertion).ok_or(INVALID_ASSERTION)?;
    let issuer = unverified.get("iss").and_then(Value::as_str);
    let app = issuer
        .and_then(|iss| state.app(iss))
        .ok_or(INVALID_CLIENT_ID)?;
    let app = &*app;
    let claims = verify(app, assertion).ok_or(INVALID_ASSERTION)?;
    let login_host = if state.org_settings().sandbox {
        SANDBOX
    } else {
        PRODUCTION
    };
    if !audience_ok(claims.get("aud"), login_host, &request.base_url) {
        return Err(BAD_AUDIENCE);
    }
    let exp = claims.get("exp").ok_or(INVALID_ASSERTION)?;
    let exp = seconds(exp).ok_or(INVALID_ASSERTION)?;
    if exp <= state.now_ms() / 1000 {
        return Err(EXPIRED_CODE);
    }
    let user = claims
        .get("sub")
        .and_then(Value::as_str)
        .and_then(|sub| state.user_by_name(sub.trim()))
        .ok_or(NOT_APPROVED)?;
    if !user.user.active {
        return Err(INACTIVE_USER);
    }
    access::check(state, app, user, Flow::JwtBearer)?;
    if !access::approved(state, app, user) {
        return Err(NOT_APPROVED);
    }
    let scopes: Vec<String> = app
        .scopes
        .iter()
        .filter(|scope| !allows_refresh(std::slice::from_ref(scope)))
        .cloned()
        .collect();
    let what = Issue::new(app, &user.id, &scopes, &request.base_url).answering(Answer::JwtBearer);
    Ok(issue(state, &what).to_json())
}

/// The claims, unverified: only to learn the issuer, whose certificate
/// then verifies the signature.
fn payload(assertion: &str) -> Option<Map<String, Value>> {
    let mut parts = assertion.split('.');
    let (_, claims) = (parts.next()?, parts.next()?);
    let bytes = URL_SAFE_NO_PAD.decode(claims.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The claims if the assertion is RS256 and signed with the key of the
/// app's certificate. Claims are checked here, not by the library: `exp`
/// may be a string.
fn verify(app: &ConnectedApp, assertion: &str) -> Option<Map<String, Value>> {
    let key = public_key(app.certificate.as_deref()?)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims = HashSet::new();
    validation.validate_exp = false;
    validation.validate_aud = false;
    let data =
        jsonwebtoken::decode::<Map<String, Value>>(assertion, &decoding_key(&key), &validation)
            .ok()?;
    Some(data.claims)
}

/// `aud` (a string or a list) names this org's URL (by either scheme) or
/// its login host: `https://login.salesforce.com` for production,
/// `https://test.salesforce.com` for a sandbox.
fn audience_ok(aud: Option<&Value>, login_host: &str, base_url: &str) -> bool {
    let host = |url: &str| {
        let url = url.trim().trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        host.map(str::to_ascii_lowercase)
    };
    let own = host(base_url);
    let accepted = |aud: &str| {
        let aud = aud.trim().trim_end_matches('/');
        aud == login_host || (own.is_some() && host(aud) == own)
    };
    match aud {
        Some(Value::String(aud)) => accepted(aud),
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).any(accepted),
        _ => false,
    }
}

/// Epoch seconds from a number or a numeric string. Milliseconds (what
/// sfdx-core sends) read as seconds far in the future, and pass, as on
/// Salesforce.
fn seconds(value: &Value) -> Option<u64> {
    let number = match value {
        Value::Number(number) => number.as_f64()?,
        Value::String(text) => text.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() || number < 0.0 {
        return None;
    }
    // Truncation is meant: fractions of a second do not matter; huge values saturate.
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "checked finite and non-negative; `as` saturates"
    )]
    Some(number as u64)
}

#[cfg(test)]
mod tests;
