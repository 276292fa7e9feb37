//! PKCE at the mock: the `/services/oauth2/pkce/generator` endpoint and the
//! challenge sent to the authorize endpoint. The rules themselves (alphabet,
//! lengths, S256) are in [`crate::pkce`], shared with the runner.

use hyper::StatusCode;
use serde_json::json;

use crate::mock::config::ConnectedApp;
use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};
use crate::mock::state::MockState;
use crate::pkce::{is_valid_challenge, s256};

/// `GET /services/oauth2/pkce/generator`: a fresh S256 pair.
pub(crate) fn generator(state: &MockState, _: &MockRequest) -> MockResponse {
    let verifier = state.store().random.code_verifier();
    let challenge = s256(&verifier);
    response::json(
        StatusCode::OK,
        &json!({ "code_verifier": verifier, "code_challenge": challenge }),
    )
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
