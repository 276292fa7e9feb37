//! PKCE's rules, in one place for the runner's `pkce` step and the mock org:
//! which verifiers and challenges are well formed, and the S256 challenge.
//!
//! Salesforce is stricter than RFC 7636 on the alphabet (a verifier with `~`
//! is refused with `invalid code verifier`) and looser on the length (the
//! Salesforce CLI's verifiers, base64url of 128 random bytes, are 171
//! characters long, and Salesforce takes them).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// Characters of a verifier Salesforce accepts: RFC 7636's unreserved
/// characters without `~`.
pub const VERIFIER_ALPHABET: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._";

/// Lengths a verifier (or a plain challenge) may have at Salesforce: RFC
/// 7636's 43 up to the 171 characters of the Salesforce CLI's verifiers.
pub const ACCEPTED_LENGTH: std::ops::RangeInclusive<usize> = 43..=171;

/// The shortest verifier the `pkce` step generates (RFC 7636).
pub const GENERATED_MIN: i64 = 43;
/// The longest verifier the `pkce` step generates (RFC 7636).
pub const GENERATED_MAX: i64 = 128;

/// The length the `pkce` step generates by default.
pub const DEFAULT_LENGTH: u64 = 64;

/// The S256 challenge: base64url (no padding) of the verifier's SHA-256.
#[must_use]
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// The challenge of `verifier` under `method` (`S256`, else plain).
#[must_use]
pub fn challenge(verifier: &str, method: &str) -> String {
    if method == "plain" {
        verifier.to_owned()
    } else {
        s256(verifier)
    }
}

/// A verifier Salesforce accepts: [`ACCEPTED_LENGTH`] characters of
/// [`VERIFIER_ALPHABET`].
#[must_use]
pub fn is_valid_verifier(verifier: &str) -> bool {
    ACCEPTED_LENGTH.contains(&verifier.len())
        && verifier.bytes().all(|b| VERIFIER_ALPHABET.contains(&b))
}

/// A challenge the authorize endpoint takes: [`ACCEPTED_LENGTH`] characters
/// of RFC 7636's unreserved set (an S256 challenge is base64url, 43 long).
#[must_use]
pub fn is_valid_challenge(challenge: &str) -> bool {
    ACCEPTED_LENGTH.contains(&challenge.len())
        && challenge
            .bytes()
            .all(|b| VERIFIER_ALPHABET.contains(&b) || b == b'~')
}

/// Whether `verifier` is well formed and matches `challenge` under `method`.
#[must_use]
pub fn verifies(verifier: &str, challenge: &str, method: &str) -> bool {
    is_valid_verifier(verifier) && self::challenge(verifier, method) == challenge
}

#[cfg(test)]
mod tests {
    use super::{challenge, is_valid_challenge, is_valid_verifier, s256, verifies};

    #[test]
    fn s256_is_base64url_of_sha256() {
        let verifier = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
        // `openssl dgst -sha256 -binary | basenc --base64url`, padding dropped.
        let expected = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";
        assert_eq!(s256(verifier), expected);
        assert_eq!(challenge(verifier, "S256"), expected);
        assert_eq!(challenge(verifier, "plain"), verifier);
        assert!(verifies(verifier, expected, "S256"));
        assert!(verifies(verifier, verifier, "plain"));
        assert!(!verifies(verifier, verifier, "S256"));
    }

    #[test]
    fn salesforce_refuses_tilde_and_takes_171_characters() {
        let ok = "a".repeat(43);
        assert!(is_valid_verifier(&ok));
        assert!(!is_valid_verifier(&"a".repeat(42)));
        assert!(is_valid_verifier(&"a".repeat(171)));
        assert!(!is_valid_verifier(&"a".repeat(172)));
        let tilde = format!("{ok}~");
        assert!(!is_valid_verifier(&tilde));
        assert!(!verifies(&tilde, &tilde, "plain"));
        assert!(is_valid_challenge(&tilde));
        assert!(!is_valid_challenge("short"));
    }
}
