//! `/services/oauth2/revoke` (POST form `token=`, or GET `?token=`): an access
//! token is revoked; a refresh token is revoked with every access token it
//! gave. Success is HTTP 200 with an empty body; errors are HTTP 400 with a
//! form-encoded (not JSON) body, which jsforce parses with `querystring`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hyper::StatusCode;

use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse, TEXT, encode_pairs};
use crate::mock::state::MockState;

const FORM: &str = "application/x-www-form-urlencoded;charset=UTF-8";

pub(crate) fn handle(state: &MockState, request: &MockRequest) -> MockResponse {
    let token = request.param("token").unwrap_or_default().trim();
    if looks_like_jwt(token) {
        return refuse("unsupported_token_type", "this token type is not supported");
    }
    if revoke(state, token) {
        response::body(StatusCode::OK, TEXT, String::new())
    } else {
        refuse("invalid_token", "Token was invalid")
    }
}

/// Forgets the token (and a refresh token's access tokens); `false` if unknown.
fn revoke(state: &MockState, token: &str) -> bool {
    let mut store = state.store();
    if store.access_tokens.remove(token).is_some() {
        return true;
    }
    if store.refresh_tokens.remove(token).is_none() {
        return false;
    }
    store
        .access_tokens
        .retain(|_, grant| grant.refresh_token.as_deref() != Some(token));
    true
}

fn refuse(error: &str, description: &str) -> MockResponse {
    let body = encode_pairs(&[("error", error), ("error_description", description)]);
    response::body(StatusCode::BAD_REQUEST, FORM, body)
}

/// Three dot-separated parts whose first decodes to a JSON object (an
/// `id_token` or assertion): the test jsforce uses too.
fn looks_like_jwt(token: &str) -> bool {
    let parts: Vec<&str> = token.split('.').collect();
    let [header, _, _] = parts.as_slice() else {
        return false;
    };
    URL_SAFE_NO_PAD
        .decode(header)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .is_some_and(|value| value.is_object())
}

#[cfg(test)]
mod tests {
    use super::looks_like_jwt;

    #[test]
    fn jwts_are_told_apart_from_opaque_tokens() {
        assert!(looks_like_jwt("eyJhbGciOiJSUzI1NiJ9.e30.c2ln"));
        assert!(!looks_like_jwt("00Dak0000000001!AQa.b.c"));
        assert!(!looks_like_jwt("5Aepabc"));
        assert!(!looks_like_jwt(""));
    }
}

#[cfg(test)]
mod http_tests;
