//! The listener and the accept loop. One HTTP/1.1 server plays both the
//! login host and the instance; `routes.rs` routes its requests.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::clock::Clock;
use crate::net::{self, ServerLimits};

use super::config::MockConfig;
use super::connection::{self, Site};
use super::oauth::issue::{Issue, issue};
use super::state::MockState;
use super::tls::MockTls;

/// Where and how the mock listens.
#[derive(Debug, Clone)]
pub struct MockOptions {
    /// Loopback by default.
    pub host: IpAddr,
    /// `0` picks any free port.
    pub port: u16,
    /// Makes every code and token reproducible.
    pub seed: Option<u64>,
    /// Serve HTTPS with a CA and certificate generated at start-up.
    pub tls: bool,
    /// Log each request to stderr: `METHOD PATH STATUS DURATIONms`.
    pub log_requests: bool,
    /// Print on stdout, as the banner does, the credentials of each app a
    /// deploy adds or changes.
    pub announce_apps: bool,
    /// Header timeout and connection cap.
    pub limits: ServerLimits,
    /// The most entries each of the mock's maps of codes, access tokens,
    /// refresh tokens, login sessions and device codes holds; at the cap the
    /// oldest is forgotten first.
    pub max_tokens: usize,
    /// The clock of every `issued_at`, lifetime and expiry. `None`: the
    /// logical clock (from 2026-01-01T00:00:00Z, one millisecond per
    /// request) with `seed`, the system clock without.
    pub clock: Option<Clock>,
}

impl MockOptions {
    /// A long-lived mock holds at most this many tokens of each kind.
    pub const DEFAULT_MAX_TOKENS: usize = 100_000;
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: None,
            tls: false,
            log_requests: false,
            announce_apps: false,
            limits: ServerLimits::default(),
            max_tokens: Self::DEFAULT_MAX_TOKENS,
            clock: None,
        }
    }
}

/// A running mock org. Dropping it stops it too; `shutdown` also waits.
pub struct MockServer {
    state: Arc<MockState>,
    address: SocketAddr,
    /// With `tls`: the CA certificate (PEM) that clients must trust.
    ca_pem: Option<String>,
    stop: watch::Sender<bool>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Binds, spawns the accept loop on the current tokio runtime, returns at once.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound, or (with `tls`) the certificates
    /// cannot be made.
    pub async fn start(config: MockConfig, options: MockOptions) -> std::io::Result<MockServer> {
        let tls = match options.tls {
            true => Some(MockTls::generate().map_err(std::io::Error::other)?),
            false => None,
        };
        let listener = TcpListener::bind((options.host, options.port)).await?;
        let address = listener.local_addr()?;
        let clock = match (&options.clock, options.seed) {
            (Some(clock), _) => clock.clone(),
            (None, Some(_)) => Clock::seeded(),
            (None, None) => Clock::system(),
        };
        let state = Arc::new(MockState::new(
            config,
            options.seed,
            clock,
            options.max_tokens,
        ));
        let (stop, stopped) = watch::channel(false);
        let ca_pem = tls.as_ref().map(|tls| tls.ca_pem.clone());
        let site = Arc::new(Site {
            state: Arc::clone(&state),
            fallback_host: address.to_string(),
            scheme: if tls.is_some() { "https" } else { "http" },
            tls: tls.map(|tls| tls.acceptor),
            log_requests: options.log_requests,
            announce_apps: options.announce_apps,
            limits: options.limits,
        });
        let accept_loop = tokio::spawn(net::accept_loop(
            listener,
            options.limits,
            stopped,
            move |stream, _| connection::serve(stream, Arc::clone(&site)),
        ));
        Ok(MockServer {
            state,
            address,
            ca_pem,
            stop,
            accept_loop,
        })
    }

    /// `http://<ip>:<port>` (`https` with TLS), e.g. `http://127.0.0.1:40123`.
    #[must_use]
    pub fn base_url(&self) -> String {
        let scheme = if self.ca_pem.is_some() {
            "https"
        } else {
            "http"
        };
        format!("{scheme}://{}", self.address)
    }

    /// The address the server listens on.
    #[must_use]
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// With TLS: the PEM of the CA that signed the server's certificate.
    #[must_use]
    pub fn ca_certificate_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The configuration the mock started with.
    #[must_use]
    pub fn config(&self) -> &MockConfig {
        &self.state.config
    }

    /// The configuration with the org's switches as they are now (a
    /// deploy of `OauthOidc` settings turns them).
    #[must_use]
    pub fn config_now(&self) -> MockConfig {
        let mut config = self.state.config.clone();
        config.org_settings = self.state.org_settings();
        config
    }

    /// The apps the mock serves now, the Salesforce CLI's left out.
    #[must_use]
    pub fn apps(&self) -> Vec<super::config::ConnectedApp> {
        self.state
            .apps()
            .iter()
            .filter(|app| app.client_id != "PlatformCLI")
            .map(|app| (**app).clone())
            .collect()
    }

    /// The org's 18-character id.
    #[must_use]
    pub fn org_id(&self) -> String {
        self.state.org_id.clone()
    }

    /// The 18-character id of a configured user.
    #[must_use]
    pub fn user_id(&self, username: &str) -> Option<String> {
        self.state
            .user_by_name(username)
            .map(|user| user.id.clone())
    }

    /// The mock's state, for tests that need what no endpoint hands out.
    #[cfg(test)]
    pub(crate) fn state(&self) -> &MockState {
        &self.state
    }

    /// A session for a user, issued on the runner's side without a request:
    /// an access token of the Salesforce CLI's app with the `api` and `web`
    /// scopes, as `sf org login` would leave (`org.access_token` on the mock).
    #[must_use]
    pub fn mint_session(&self, username: &str) -> Option<String> {
        let user = self.state.user_by_name(username)?;
        let app = self
            .state
            .app("PlatformCLI")
            .or_else(|| self.state.app(&self.state.config.connected_app.client_id))?;
        let scopes = ["api".to_owned(), "web".to_owned()];
        let base = self.base_url();
        let what = Issue::new(&app, &user.id, &scopes, &base);
        Some(issue(&self.state, &what).access_token)
    }

    /// The mock's clock (the one its `issued_at` values come from).
    #[must_use]
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Stops accepting and ends open connections.
    pub async fn shutdown(self) {
        // The loop may have ended already; nothing to report then.
        let _ = self.stop.send(true);
        let _ = self.accept_loop.await;
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::{MockOptions, MockServer};
    use crate::mock::config::MockConfig;
    use crate::mock::testing::Harness;
    use crate::pkce::s256;

    #[tokio::test]
    async fn pkce_generator() {
        let mock = Harness::start().await;
        let url = format!("{}/services/oauth2/pkce/generator", mock.base);
        let body: Value = mock
            .client
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let verifier = body["code_verifier"].as_str().unwrap();
        assert_eq!(verifier.len(), 128);
        assert_eq!(body["code_challenge"], s256(verifier));
    }

    #[tokio::test]
    async fn identity_and_accessors() {
        let server = MockServer::start(MockConfig::default(), MockOptions::default())
            .await
            .unwrap();
        assert!(server.base_url().starts_with("http://127.0.0.1:"));
        assert_eq!(server.org_id(), "00Dak0000000001EAA");
        assert_eq!(
            server.user_id("MOCK.USER@example.com").as_deref(),
            Some("005ak0000000001AAA")
        );
        assert_eq!(server.user_id("nobody"), None);
        assert_eq!(server.config().users.len(), 1);
        let session = server.mint_session("mock.user@example.com").unwrap();
        assert!(session.starts_with("00Dak0000000001!"), "{session}");
        assert_eq!(server.mint_session("nobody"), None);
        let client = reqwest::Client::new();
        let url = format!("{}/services/data/v62.0/sobjects", server.base_url());
        let response = client.get(url).bearer_auth(&session).send().await.unwrap();
        assert_eq!(response.status(), reqwest::StatusCode::OK);
        server.shutdown().await;
    }

    #[tokio::test]
    async fn shutdown_stops_accepting() {
        let mock = Harness::start().await;
        let url = format!("{}/services/data", mock.base);
        assert_eq!(
            mock.client.get(&url).send().await.unwrap().status(),
            StatusCode::OK
        );
        mock.server.shutdown().await;
        let fresh = reqwest::Client::new();
        assert!(fresh.get(&url).send().await.is_err());
    }

    #[tokio::test]
    async fn urls_follow_the_host_header() {
        let mock = Harness::start().await;
        let url = format!("{}/services/oauth2/token", mock.base);
        let response = mock
            .client
            .post(&url)
            .header("host", "mock.test:8443")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let (_, body) = mock.exchange(&mock.code().await).await;
        assert_eq!(body["instance_url"], mock.base);
    }

    #[tokio::test]
    async fn garbage_is_refused_without_panicking() {
        let mock = Harness::start().await;
        let token = format!("{}/services/oauth2/token", mock.base);
        let odd = [
            ("multipart/form-data; boundary=x", "--x\r\nbroken"),
            ("multipart/form-data", "no boundary"),
            ("application/x-www-form-urlencoded", "%%%&&=&grant_type=%FF"),
            ("application/json", "{}"),
        ];
        for (content_type, body) in odd {
            let response = mock
                .client
                .post(&token)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{content_type}");
        }
        let authorize = format!(
            "{}/services/oauth2/authorize?client_id=%FF&redirect_uri=",
            mock.base
        );
        assert_eq!(
            mock.client.get(&authorize).send().await.unwrap().status(),
            StatusCode::BAD_REQUEST
        );
        let big = "a".repeat(2 << 20);
        let response = mock.client.post(&token).body(big).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let response = mock.client.get(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }
}
