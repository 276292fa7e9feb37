//! Every random value the mock makes, from one seedable generator, in the
//! shapes Salesforce's own values have; and the deterministic 18-character ids.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Characters of codes and tokens (Salesforce's opaque values use these).
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.";
/// base64url characters, for PKCE verifiers.
const URL_SAFE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The mock's one random generator.
pub(crate) struct Randomness(ChaCha20Rng);

impl Randomness {
    /// Seeded: the same seed gives the same values in the same order.
    pub(crate) fn new(seed: Option<u64>) -> Self {
        Randomness(match seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_os_rng(),
        })
    }

    /// `len` characters drawn uniformly from `alphabet` (at most 256 long):
    /// random bytes, each kept only below the largest multiple of the
    /// alphabet's length, so that none is likelier than another.
    fn string(&mut self, alphabet: &[u8], len: usize) -> String {
        let n = alphabet.len();
        let limit = 256 - 256 % n;
        let mut out = String::with_capacity(len);
        let mut bytes = [0u8; 64];
        while out.len() < len {
            self.0.fill_bytes(&mut bytes);
            for &b in bytes.iter().filter(|&&b| usize::from(b) < limit) {
                if out.len() == len {
                    break;
                }
                out.push(char::from(alphabet[usize::from(b) % n]));
            }
        }
        out
    }

    /// `aPrx…=`, like a real authorization code.
    pub(crate) fn authorization_code(&mut self) -> String {
        format!("aPrx{}=", self.string(TOKEN_CHARS, 80))
    }

    /// `<15-char org id>!<opaque>`: never shaped like a JWT.
    pub(crate) fn access_token(&mut self, org_id15: &str) -> String {
        format!("{org_id15}!AQ{}", self.string(TOKEN_CHARS, 94))
    }

    /// `5Aep…`, like a real refresh token.
    pub(crate) fn refresh_token(&mut self) -> String {
        format!("5Aep{}", self.string(TOKEN_CHARS, 83))
    }

    /// The login session cookie's value.
    pub(crate) fn session_id(&mut self) -> String {
        self.string(ALPHANUMERIC, 40)
    }

    /// A frontdoor URL's one-time code.
    pub(crate) fn frontdoor_code(&mut self) -> String {
        self.string(ALPHANUMERIC, 48)
    }

    /// The device flow's opaque device code.
    pub(crate) fn device_code(&mut self) -> String {
        self.string(ALPHANUMERIC, 64)
    }

    /// The device flow's user code: 8 characters, easy to read and type.
    pub(crate) fn user_code(&mut self) -> String {
        self.string(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 8)
    }

    /// A 128-character PKCE code verifier.
    pub(crate) fn code_verifier(&mut self) -> String {
        self.string(URL_SAFE_CHARS, 128)
    }
}

/// An 18-character Salesforce id: key prefix, instance `ak`, a 10-digit
/// sequence number, and the real case-checksum suffix (`00Dak0000000001EAA`).
pub(crate) fn salesforce_id(key_prefix: &str, sequence: u64) -> String {
    let id15 = format!("{key_prefix}ak{sequence:010}");
    let suffix: String = id15
        .as_bytes()
        .chunks(5)
        .map(|chunk| {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, byte)| byte.is_ascii_uppercase())
                .fold(0usize, |bits, (index, _)| bits | (1 << index));
            char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits % 32])
        })
        .collect();
    format!("{id15}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::{Randomness, salesforce_id};

    #[test]
    fn ids_have_the_salesforce_shape() {
        assert_eq!(salesforce_id("00D", 1), "00Dak0000000001EAA");
        assert_eq!(salesforce_id("005", 2), "005ak0000000002AAA");
        assert_eq!(salesforce_id("00Q", 1), "00Qak0000000001EAA");
    }

    #[test]
    fn same_seed_same_values() {
        let (mut a, mut b) = (Randomness::new(Some(7)), Randomness::new(Some(7)));
        assert_eq!(a.authorization_code(), b.authorization_code());
        assert_eq!(
            a.access_token("00Dak0000000001"),
            b.access_token("00Dak0000000001")
        );
        let code = a.authorization_code();
        assert!(code.starts_with("aPrx") && code.ends_with('=') && code.len() == 85);
        assert_eq!(a.refresh_token().len(), 87);
    }
}
