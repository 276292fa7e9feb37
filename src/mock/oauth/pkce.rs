//! PKCE: the `/services/oauth2/pkce/generator` endpoint, checking the
//! challenge sent to the authorize endpoint, and the verifier against it.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::mock::config::ConnectedApp;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::MockState;

/// `GET /services/oauth2/pkce/generator`: a fresh S256 pair.
pub(crate) fn generator(state: &MockState) -> MockResponse {
    let verifier = state.store().random.code_verifier();
    let challenge = s256(&verifier);
    response::json(
        StatusCode::OK,
        &json!({ "code_verifier": verifier, "code_challenge": challenge }),
    )
}

/// base64url (no padding) of the verifier's SHA-256.
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A challenge as the authorize endpoint accepts it (RFC 7636 characters,
/// 43 to 171 long: the length jsforce's verifiers reach).
pub(crate) fn is_valid_challenge(challenge: &str) -> bool {
    (43..=171).contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

/// Whether `verifier` is well formed (Salesforce refuses `~`) and matches.
pub(crate) fn verifies(verifier: &str, challenge: &str, method: &str) -> bool {
    let well_formed = (43..=171).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
    well_formed
        && match method {
            "plain" => verifier == challenge,
            _ => s256(verifier) == challenge,
        }
}

/// PKCE at authorize time: a missing method means S256 (as Salesforce treats
/// jsforce, which never sends one); `plain` is allowed.
pub(crate) fn check_challenge(
    app: &ConnectedApp,
    challenge: Option<&str>,
    method: Option<&str>,
) -> Result<Option<(String, String)>, &'static str> {
    let Some(challenge) = challenge.filter(|challenge| !challenge.is_empty()) else {
        if app.pkce_required {
            return Err("missing required code challenge");
        }
        return Ok(None);
    };
    let method = match method.filter(|method| !method.is_empty()) {
        None | Some("S256") => "S256",
        Some("plain") => "plain",
        Some(_) => return Err("invalid code challenge method"),
    };
    if !is_valid_challenge(challenge) {
        return Err("invalid code challenge");
    }
    Ok(Some((challenge.to_string(), method.to_string())))
}

#[cfg(test)]
mod tests {
    use super::{s256, verifies};

    #[test]
    fn s256_matches_openssl() {
        let verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc"
        );
        assert!(verifies(
            verifier,
            "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc",
            "S256"
        ));
        assert!(verifies(verifier, verifier, "plain"));
        assert!(!verifies("short", "short", "plain"));
        let tilde = format!("{verifier}~");
        assert!(!verifies(&tilde, &tilde, "plain"));
    }
}
