//! The mock's fixed key material (see `keys/README.md`): the Connected App's
//! key pair for the JWT bearer flow and the org's `id_token` signing key; and
//! reading an RSA public key out of a PEM certificate, as Salesforce does
//! with the certificate uploaded to a Connected App.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::DecodingKey;
use ring::rsa::PublicKeyComponents;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey as _;
use rsa::pkcs8::DecodePublicKey as _;
use rsa::traits::PublicKeyParts as _;

/// The mock Connected App's private key (PKCS#8 PEM): what a client signs JWT
/// bearer assertions with. A public test fixture, never a real secret.
pub const APP_PRIVATE_KEY_PEM: &str = include_str!("keys/app_key.pem");

/// The mock Connected App's certificate (PEM), the default
/// `connected_app.certificate`: assertions are verified with its public key.
pub const APP_CERTIFICATE_PEM: &str = include_str!("keys/app_cert.pem");

/// The org's `id_token` signing key (PKCS#8 PEM), published at `/id/keys`.
const ORG_SIGNING_KEY_PEM: &str = include_str!("keys/org_signing_key.pem");

/// The `kid` of the org's signing key: a release number, as Salesforce's are.
pub(crate) const ORG_KEY_ID: &str = "236";

/// The org's signing key, ready to sign, and its public half as a JWK.
pub(crate) struct OrgKey {
    /// ring signs an order of magnitude faster than the pure-Rust RSA: an
    /// `id_token` is signed for every token response that grants `openid`.
    signer: RsaKeyPair,
    /// base64url modulus and exponent.
    pub(crate) n: String,
    pub(crate) e: String,
}

impl OrgKey {
    /// An RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature.
    pub(crate) fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0; self.signer.public().modulus_len()];
        let rng = ring::rand::SystemRandom::new();
        self.signer
            .sign(&RSA_PKCS1_SHA256, &rng, message, &mut signature)
            .ok()?;
        Some(signature)
    }
}

/// Parsed once: the key is a constant, so this never depends on a request.
pub(crate) fn org_key() -> Option<&'static OrgKey> {
    static KEY: OnceLock<Option<OrgKey>> = OnceLock::new();
    KEY.get_or_init(|| {
        let (_, der) = pem_block(ORG_SIGNING_KEY_PEM)?;
        let signer = RsaKeyPair::from_pkcs8(&der).ok()?;
        let public: PublicKeyComponents<Vec<u8>> = signer.public().into();
        Some(OrgKey {
            n: URL_SAFE_NO_PAD.encode(public.n),
            e: URL_SAFE_NO_PAD.encode(public.e),
            signer,
        })
    })
    .as_ref()
}

/// The RSA public key in a PEM `CERTIFICATE` (X.509), `PUBLIC KEY` (SPKI) or
/// `RSA PUBLIC KEY` (PKCS#1); `None` for anything else.
pub(crate) fn public_key(pem: &str) -> Option<RsaPublicKey> {
    let (label, der) = pem_block(pem)?;
    match label.as_str() {
        "CERTIFICATE" => RsaPublicKey::from_public_key_der(certificate_spki(&der)?).ok(),
        "PUBLIC KEY" => RsaPublicKey::from_public_key_der(&der).ok(),
        "RSA PUBLIC KEY" => RsaPublicKey::from_pkcs1_der(&der).ok(),
        _ => None,
    }
}

/// A key to verify RS256 signatures with.
pub(crate) fn decoding_key(key: &RsaPublicKey) -> DecodingKey {
    DecodingKey::from_rsa_raw_components(&key.n().to_bytes_be(), &key.e().to_bytes_be())
}

/// The label and DER bytes of the first PEM block.
fn pem_block(pem: &str) -> Option<(String, Vec<u8>)> {
    let start = pem.find("-----BEGIN ")?;
    let rest = &pem[start + "-----BEGIN ".len()..];
    let (label, rest) = rest.split_once("-----")?;
    let end = rest.find(&format!("-----END {label}-----"))?;
    let body: String = rest[..end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    Some((label.to_string(), STANDARD.decode(body).ok()?))
}

/// The `SubjectPublicKeyInfo` (whole TLV) inside an X.509 certificate:
/// `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL,
/// serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, … } … }`.
fn certificate_spki(der: &[u8]) -> Option<&[u8]> {
    let (certificate, _) = tlv(der, 0x30)?;
    let (tbs, _) = tlv(certificate.content, 0x30)?;
    let mut rest = tbs.content;
    if rest.first() == Some(&0xA0) {
        rest = next(rest)?.1;
    }
    // serialNumber, signature, issuer, validity, subject.
    for _ in 0..5 {
        rest = next(rest)?.1;
    }
    let (spki, _) = tlv(rest, 0x30)?;
    Some(spki.whole)
}

/// One DER element: its full bytes and its content.
struct Element<'a> {
    whole: &'a [u8],
    content: &'a [u8],
}

/// The element at the start of `der` if its tag is `tag`, and what follows.
fn tlv(der: &[u8], tag: u8) -> Option<(Element<'_>, &[u8])> {
    let (element, rest) = next(der)?;
    (der.first() == Some(&tag)).then_some((element, rest))
}

/// The element at the start of `der`, whatever its tag, and what follows.
fn next(der: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let first = *der.get(1)?;
    let (length, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let count = usize::from(first & 0x7F);
        if count == 0 || count > 4 {
            return None;
        }
        let bytes = der.get(2..2 + count)?;
        let length = bytes
            .iter()
            .fold(0usize, |length, byte| (length << 8) | usize::from(*byte));
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    let whole = der.get(..end)?;
    let content = der.get(header..end)?;
    Some((Element { whole, content }, der.get(end..)?))
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::traits::PublicKeyParts as _;

    use super::{APP_CERTIFICATE_PEM, APP_PRIVATE_KEY_PEM, org_key, public_key};

    #[test]
    fn the_certificate_holds_the_app_key() {
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(APP_PRIVATE_KEY_PEM).unwrap();
        let public = public_key(APP_CERTIFICATE_PEM).unwrap();
        assert_eq!(public.n(), private.n());
        assert_eq!(public.e(), private.e());
    }

    #[test]
    fn other_pem_shapes() {
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(APP_PRIVATE_KEY_PEM).unwrap();
        let spki = rsa::pkcs8::EncodePublicKey::to_public_key_pem(
            &private.to_public_key(),
            rsa::pkcs8::LineEnding::LF,
        )
        .unwrap();
        assert_eq!(public_key(&spki).unwrap().n(), private.n());
        for bad in [
            "",
            "garbage",
            APP_PRIVATE_KEY_PEM,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
            "-----BEGIN CERTIFICATE-----\nMIIDMzCCAhugAwIB\n-----END CERTIFICATE-----\n",
        ] {
            assert!(public_key(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_org_key_loads() {
        let key = org_key().unwrap();
        assert_eq!(key.e, "AQAB");
        assert_eq!(key.n.len(), 342);
    }
}
