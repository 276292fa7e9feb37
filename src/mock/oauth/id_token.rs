//! OIDC ID tokens: RS256 JWTs signed with the org's key (published
//! at `/id/keys`), with Salesforce's claims and a 120-second lifetime.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::issue::Issue;
use crate::mock::keys::{ORG_KEY_ID, org_key};
use crate::mock::state::MockState;

/// Seconds between an `id_token`'s `iat` and `exp` (as in Salesforce's).
const LIFETIME_SECONDS: u64 = 120;

/// The `id_token` for an access token just issued; `None` only if the user
/// or the signing key is missing (neither happens).
pub(crate) fn id_token(
    state: &MockState,
    what: &Issue<'_>,
    access_token: &str,
    identity_url: &str,
    now_ms: u64,
) -> Option<String> {
    let user = &state.user_by_id(what.user_id)?.user;
    let iat = now_ms / 1000;
    let mut claims = Map::new();
    let mut claim = |name: &str, value: Value| {
        claims.insert(name.to_string(), value);
    };
    claim("at_hash", at_hash(access_token).into());
    claim("sub", identity_url.into());
    claim("aud", what.app.client_id.as_str().into());
    claim("iss", what.base_url.into());
    claim("exp", (iat + LIFETIME_SECONDS).into());
    claim("iat", iat.into());
    if let Some(nonce) = what.nonce {
        claim("nonce", nonce.into());
    }
    let name = format!("{} {}", user.first_name, user.last_name);
    claim("name", name.trim().into());
    claim("preferred_username", user.username.as_str().into());
    claim("given_name", user.first_name.as_str().into());
    claim("family_name", user.last_name.as_str().into());
    claim("email", user.email.as_str().into());
    claim("email_verified", true.into());
    sign(&Value::Object(claims))
}

/// The `at_hash` claim: base64url of the left half of the token's SHA-256.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2])
}

/// A compact JWS: header `{"alg":"RS256","typ":"JWT","kid":"236"}`.
fn sign(claims: &Value) -> Option<String> {
    let key = org_key()?;
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": ORG_KEY_ID });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.sign(input.as_bytes())?;
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

#[cfg(test)]
mod tests {
    use super::at_hash;

    #[test]
    fn at_hash_is_the_left_half() {
        // 16 bytes → 22 base64url characters.
        let hash = at_hash("00Dak0000000001!AQtoken");
        assert_eq!(hash.len(), 22);
        assert!(!hash.contains('='));
    }
}

#[cfg(test)]
mod http_tests;
