//! `sfscenario mock --tls`: a CA and a `localhost` leaf generated at start-up
//! (ECDSA P-256 with ring, the provider reqwest's rustls already uses, so the
//! crate has one TLS stack), and the rustls server configuration around them.

use std::path::{Path, PathBuf};
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

/// The CA certificate written for clients; a directory made for it is removed at exit.
pub struct CaFile {
    /// Absolute.
    pub path: PathBuf,
    made_dir: Option<PathBuf>,
}

impl CaFile {
    /// Writes `ca.pem` into `dir`, or into a new directory under the temp dir.
    ///
    /// # Errors
    ///
    /// A message naming the path that could not be made or written.
    pub fn write(pem: &str, dir: Option<&Path>) -> Result<CaFile, String> {
        let (dir, made_dir) = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                let dir =
                    std::path::absolute(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
                (dir, None)
            }
            None => {
                let dir = fresh_temp_dir()?;
                (dir.clone(), Some(dir))
            }
        };
        let path = dir.join("ca.pem");
        std::fs::write(&path, pem).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(CaFile { path, made_dir })
    }

    /// Removes the file and directory when they were made for it.
    pub fn remove(self) {
        // Best effort: the certificate is useless once the server is gone.
        if let Some(dir) = self.made_dir {
            let _ = std::fs::remove_file(&self.path);
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// A directory of our own under the temp dir (never one that exists).
fn fresh_temp_dir() -> Result<PathBuf, String> {
    let base = std::path::absolute(std::env::temp_dir()).map_err(|e| e.to_string())?;
    let pid = std::process::id();
    for attempt in 0..100u32 {
        let dir = base.join(format!("sfscenario-mock-{pid}-{attempt}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(format!("{}: {e}", dir.display())),
        }
    }
    Err(format!("no free directory name in {}", base.display()))
}

#[cfg(test)]
mod tests {
    use super::{CaFile, MockTls};

    #[test]
    fn generates_a_ca_in_pem() {
        let tls = MockTls::generate().unwrap();
        assert!(tls.ca_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(reqwest::Certificate::from_pem(tls.ca_pem.as_bytes()).is_ok());
        let other = MockTls::generate().unwrap();
        assert_ne!(tls.ca_pem, other.ca_pem, "a new CA at every start");
    }

    #[test]
    fn the_ca_file_is_written_and_a_made_directory_removed() {
        let file = CaFile::write("PEM", None).unwrap();
        assert!(file.path.is_absolute());
        assert_eq!(std::fs::read_to_string(&file.path).unwrap(), "PEM");
        let dir = file.made_dir.clone().unwrap();
        file.remove();
        assert!(!dir.exists());
        let kept = tempfile::tempdir().unwrap();
        let file = CaFile::write("PEM", Some(&kept.path().join("sub"))).unwrap();
        let path = file.path.clone();
        file.remove();
        assert!(path.exists(), "a --tls-dir is the user's: kept");
    }
}

#[cfg(test)]
mod http_tests;
