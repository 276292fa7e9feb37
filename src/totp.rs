//! Time-based one-time passwords (RFC 6238), as authenticator apps make them
//! and as Salesforce's "Verify Your Identity" page asks for them: HMAC-SHA-1
//! over 30-second steps of Unix time, six digits, from a base32 secret.
//!
//! The runner computes codes to answer the login host's verification page;
//! the mock checks them, accepting one step of clock skew either way. Both
//! read the time from [`crate::clock::Clock`], so with `--seed` a code is
//! computed on the mock's logical clock.

use hmac::{Hmac, Mac as _};
use sha1::Sha1;

/// Seconds per step (RFC 6238's default, and every authenticator app's).
pub const STEP_SECS: u64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;

/// A TOTP key, decoded from its base32 text.
#[derive(Clone)]
pub struct Totp {
    key: Vec<u8>,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Totp(********)")
    }
}

/// Why a secret is not a TOTP key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the TOTP secret is empty")]
    Empty,
    /// The position, never the character: the secret must not leak.
    #[error("the TOTP secret is not base32 (A-Z and 2-7): an unexpected character at position {0}")]
    NotBase32(usize),
}

impl Totp {
    /// A key from the base32 text an authenticator app is given (RFC 4648;
    /// case, spaces, dashes and `=` padding ignored).
    ///
    /// # Errors
    ///
    /// When the text is empty or not base32.
    pub fn from_base32(secret: &str) -> Result<Totp, TotpError> {
        let key = base32(secret)?;
        if key.is_empty() {
            return Err(TotpError::Empty);
        }
        Ok(Totp { key })
    }

    /// A key from raw bytes (the RFC's test vectors).
    #[must_use]
    pub fn from_bytes(key: &[u8]) -> Totp {
        Totp { key: key.to_vec() }
    }

    /// The six-digit code at `unix_secs`.
    #[must_use]
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.code(unix_secs / STEP_SECS, DIGITS)
    }

    /// Whether `code` is the code of the step of `unix_secs`, or of the step
    /// before or after it (one step of clock skew, as servers allow).
    #[must_use]
    pub fn verify(&self, code: &str, unix_secs: u64) -> bool {
        let code = code.trim();
        let step = unix_secs / STEP_SECS;
        let mut ok = false;
        // Every candidate is compared, so that the time taken does not say which matched.
        for candidate in [step.saturating_sub(1), step, step.saturating_add(1)] {
            ok |= constant_time_eq(self.code(candidate, DIGITS).as_bytes(), code.as_bytes());
        }
        ok
    }

    /// A name for the key that does not reveal it (a SHA-256 prefix), to
    /// keep track of which codes were used.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        use sha2::Digest as _;
        let hash = sha2::Sha256::digest(&self.key);
        hash[..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// HOTP (RFC 4226) of counter `step`, `digits` long.
    fn code(&self, step: u64, digits: u32) -> String {
        let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(&self.key) else {
            // HMAC takes keys of any length; this cannot happen.
            return String::new();
        };
        mac.update(&step.to_be_bytes());
        let hash = mac.finalize().into_bytes();
        let offset = usize::from(hash[hash.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            hash[offset] & 0x7f,
            hash[offset + 1],
            hash[offset + 2],
            hash[offset + 3],
        ]);
        let code = binary % 10u32.pow(digits);
        format!("{code:0width$}", width = digits as usize)
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// RFC 4648 base32, without padding; separators people type are skipped.
fn base32(text: &str) -> Result<Vec<u8>, TotpError> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let mut buffer: u64 = 0;
    let mut bits = 0u32;
    for (i, c) in text.chars().enumerate() {
        let value = match c.to_ascii_uppercase() {
            c @ 'A'..='Z' => u64::from(c as u8 - b'A'),
            c @ '2'..='7' => u64::from(c as u8 - b'2') + 26,
            ' ' | '-' | '=' | '\t' | '\n' | '\r' => continue,
            _ => return Err(TotpError::NotBase32(i + 1)),
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{Totp, TotpError, base32};

    /// RFC 6238 appendix B, SHA-1 column: the key is the ASCII
    /// "12345678901234567890"; the RFC's codes have eight digits.
    #[test]
    fn rfc_6238_test_vectors() {
        let totp = Totp::from_bytes(b"12345678901234567890");
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.code(time / 30, 8), code, "T = {time}");
            assert_eq!(totp.code_at(time), code[2..], "T = {time}, six digits");
        }
    }

    /// RFC 4226 appendix D: HOTP values for counters 0 to 9.
    #[test]
    fn rfc_4226_test_vectors() {
        let hotp = Totp::from_bytes(b"12345678901234567890");
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(hotp.code(counter as u64, 6), *code, "counter {counter}");
        }
    }

    #[test]
    fn base32_as_rfc_4648_and_as_people_type_it() {
        // RFC 4648 section 10.
        assert_eq!(base32("MZXW6YTBOI======").as_deref(), Ok(&b"foobar"[..]));
        assert_eq!(base32("mz xw-6").as_deref(), Ok(&b"foo"[..]));
        // "12345678901234567890" in base32, as an authenticator app shows it.
        let totp = Totp::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").expect("base32");
        assert_eq!(totp.code_at(59), "287082");
        assert_eq!(Totp::from_base32("  ").err(), Some(TotpError::Empty));
        let err = Totp::from_base32("ABC1DEF").expect_err("1 is not base32");
        assert_eq!(err, TotpError::NotBase32(4));
        assert!(!err.to_string().contains('1'), "{err}");
    }

    #[test]
    fn one_step_of_skew_either_way_and_no_more() {
        let totp = Totp::from_base32("JBSWY3DPEHPK3PXP").expect("base32");
        let now = 1_767_225_600; // 2026-01-01T00:00:00Z, a step boundary
        let code = totp.code_at(now);
        assert!(totp.verify(&code, now));
        assert!(totp.verify(&code, now + 59), "the next step");
        assert!(totp.verify(&code, now - 1), "the step before");
        assert!(!totp.verify(&code, now + 60), "two steps later");
        assert!(!totp.verify(&code, now - 31), "two steps earlier");
        assert!(!totp.verify("", now));
        assert!(!totp.verify(&code[..5], now));
        assert!(!format!("{totp:?}").contains("JBSW"));
    }
}
