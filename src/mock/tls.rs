//! `sfscenario mock --tls`: a CA and a `localhost` leaf generated at start-up
//! (ECDSA P-256 with ring, the provider reqwest's rustls already uses, so the
//! crate has one TLS stack), and the rustls server configuration around them.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The names the leaf certificate is valid for.
pub const LEAF_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// A freshly generated CA, and an acceptor presenting a leaf it signed.
#[derive(Clone)]
pub struct MockTls {
    /// The CA certificate, PEM: what clients must trust.
    pub ca_pem: String,
    pub(crate) acceptor: TlsAcceptor,
}

impl std::fmt::Debug for MockTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockTls").finish_non_exhaustive()
    }
}

impl MockTls {
    /// A new CA and leaf. Their private keys stay in memory only.
    ///
    /// # Errors
    ///
    /// When key generation, signing or the rustls configuration fails.
    pub fn generate() -> Result<MockTls, String> {
        let fail = |what: &str, error: &dyn std::fmt::Display| format!("{what}: {error}");
        let ca_key = KeyPair::generate().map_err(|e| fail("CA key", &e))?;
        let mut ca_params = CertificateParams::default();
        ca_params.distinguished_name = rcgen::DistinguishedName::new();
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "sfscenario mock org CA");
        ca_params
            .distinguished_name
            .push(DnType::OrganizationName, "sfscenario");
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_cert = ca_params
            .self_signed(&ca_key)
            .map_err(|e| fail("CA certificate", &e))?;
        let issuer = Issuer::new(ca_params, ca_key);

        let names: Vec<String> = LEAF_NAMES.iter().map(|n| (*n).to_string()).collect();
        let mut leaf_params = CertificateParams::new(names).map_err(|e| fail("leaf names", &e))?;
        leaf_params.distinguished_name = rcgen::DistinguishedName::new();
        leaf_params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf_params.use_authority_key_identifier_extension = true;
        let leaf_key = KeyPair::generate().map_err(|e| fail("leaf key", &e))?;
        let leaf_cert = leaf_params
            .signed_by(&leaf_key, &issuer)
            .map_err(|e| fail("leaf certificate", &e))?;

        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
        let chain = vec![leaf_cert.der().clone(), ca_cert.der().clone()];
        let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(|e| fail("TLS versions", &e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| fail("TLS certificate", &e))?;
        // The server speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(MockTls {
            ca_pem: ca_cert.pem(),
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::MockTls;

    #[test]
    fn generates_a_ca_in_pem() {
        let tls = MockTls::generate().unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(reqwest::Certificate::from_pem(tls.ca_pem.as_bytes()).is_ok());
        let other = MockTls::generate().unwrap();
        assert_ne!(tls.ca_pem, other.ca_pem, "a new CA at every start");
    }
}

#[cfg(test)]
mod http_tests;
