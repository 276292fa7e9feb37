//! The listener, the accept loop and the router. One HTTP/1.1 server plays
//! both the login host and the instance.

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::config::MockConfig;
use super::oauth::{authorize, pkce, routes, token};
use super::request::{MockRequest, ReadError};
use super::response::{self, MockResponse, TEXT};
use super::rest;
use super::soap;
use super::state::MockState;

/// Where and how the mock listens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MockOptions {
    /// Loopback by default.
    pub host: IpAddr,
    /// `0` picks any free port.
    pub port: u16,
    /// Makes every code and token reproducible.
    pub seed: Option<u64>,
}

impl Default for MockOptions {
    fn default() -> Self {
        MockOptions {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: None,
        }
    }
}

/// A running mock org. Dropping it stops it too; `shutdown` also waits.
pub struct MockServer {
    state: Arc<MockState>,
    address: SocketAddr,
    stop: watch::Sender<bool>,
    accept_loop: tokio::task::JoinHandle<()>,
}

impl MockServer {
    /// Binds, spawns the accept loop on the current tokio runtime, returns at once.
    ///
    /// # Errors
    ///
    /// When the address cannot be bound.
    pub async fn start(config: MockConfig, options: MockOptions) -> std::io::Result<MockServer> {
        let listener = TcpListener::bind((options.host, options.port)).await?;
        let address = listener.local_addr()?;
        let state = Arc::new(MockState::new(config, options.seed));
        let (stop, stopped) = watch::channel(false);
        let accept_loop = tokio::spawn(accept(listener, Arc::clone(&state), address, stopped));
        Ok(MockServer {
            state,
            address,
            stop,
            accept_loop,
        })
    }

    /// `http://<ip>:<port>`, e.g. `http://127.0.0.1:40123`.
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    #[must_use]
    pub fn config(&self) -> &MockConfig {
        &self.state.config
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

    /// Stops accepting and ends open connections.
    pub async fn shutdown(self) {
        // The loop may have ended already; nothing to report then.
        let _ = self.stop.send(true);
        let _ = self.accept_loop.await;
    }
}

async fn accept(
    listener: TcpListener,
    state: Arc<MockState>,
    address: SocketAddr,
    mut stopped: watch::Receiver<bool>,
) {
    let fallback_host: Arc<str> = Arc::from(address.to_string());
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            // A send or a dropped sender both mean stop.
            _ = stopped.changed() => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = Arc::clone(&state);
                let host = Arc::clone(&fallback_host);
                connections.spawn(serve(stream, state, host));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.shutdown().await;
}

async fn serve(stream: tokio::net::TcpStream, state: Arc<MockState>, host: Arc<str>) {
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        let host = Arc::clone(&host);
        async move { Ok::<_, Infallible>(handle(request, &state, &host).await) }
    });
    // A client that hangs up mid-request is not the mock's problem.
    let _ = http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn handle(request: hyper::Request<Incoming>, state: &MockState, host: &str) -> MockResponse {
    match MockRequest::read(request, host).await {
        Ok(request) => route(state, &request),
        Err(ReadError::TooLarge) => response::body(
            StatusCode::PAYLOAD_TOO_LARGE,
            TEXT,
            "request body too large".into(),
        ),
        Err(ReadError::Unreadable) => response::body(
            StatusCode::BAD_REQUEST,
            TEXT,
            "unreadable request body".into(),
        ),
    }
}

/// Paths to handlers. A new endpoint group is a new file and one line here.
fn route(state: &MockState, request: &MockRequest) -> MockResponse {
    if let Some(answer) = routes::route(state, request) {
        return answer;
    }
    let path = request.path.as_str();
    match path {
        "/services/oauth2/authorize" => authorize::handle(state, request),
        "/services/oauth2/token" => only(request, &Method::POST, || token::handle(state, request)),
        "/services/oauth2/pkce/generator" => only(request, &Method::GET, || pkce::generator(state)),
        _ if path == "/services/data" || path.starts_with("/services/data/") => {
            rest::handle(state, request)
        }
        _ if path.starts_with("/services/Soap/") => soap::handle(state, request),
        _ => response::not_found(),
    }
}

fn only(
    request: &MockRequest,
    method: &Method,
    handler: impl FnOnce() -> MockResponse,
) -> MockResponse {
    if request.method == *method {
        handler()
    } else {
        let message = format!(
            "HTTP Method '{}' not allowed. Allowed are {method}",
            request.method
        );
        response::rest_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            &message,
        )
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::Value;

    use super::{MockOptions, MockServer};
    use crate::mock::config::MockConfig;
    use crate::mock::oauth::pkce::s256;
    use crate::mock::testing::Harness;

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
