//! One accepted connection: plain HTTP, or TLS first when the mock serves
//! HTTPS; each request answered by the router and, for the standalone
//! `sfscenario mock`, logged to stderr as `METHOD PATH STATUS DURATIONms`
//! (the path only: never a query string, header or body, where secrets are).

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use hyper::StatusCode;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::timeout;
use tokio_rustls::TlsAcceptor;

use crate::net::{self, ServerLimits, ServerStream};

use super::request::{MockRequest, ReadError};
use super::response::{self, MockResponse, TEXT};
use super::routes::route_request;
use super::state::MockState;

/// The first byte of every TLS connection (a handshake record).
const TLS_HANDSHAKE: u8 = 0x16;

/// What every connection of one server shares.
pub(crate) struct Site {
    pub(crate) state: Arc<MockState>,
    /// `ip:port`, for requests without a usable `Host` header.
    pub(crate) fallback_host: String,
    /// `http` or `https`: the scheme of the URLs the mock hands out.
    pub(crate) scheme: &'static str,
    pub(crate) tls: Option<TlsAcceptor>,
    pub(crate) log_requests: bool,
    /// Print the lines a request noted (a deployed app's credentials) on stdout.
    pub(crate) announce_apps: bool,
    pub(crate) limits: ServerLimits,
}

pub(crate) async fn serve(stream: ServerStream, site: Arc<Site>) {
    let Some(acceptor) = site.tls.clone() else {
        return serve_http(stream, site, false).await;
    };
    // The TLS handshake is part of sending a request's head: it gets the
    // header timeout. Plain HTTP sent to the TLS port gets a readable
    // answer, not a reset.
    let handshake_timeout = site.limits.header_timeout;
    let mut first = [0u8; 1];
    match timeout(handshake_timeout, stream.peek(&mut first)).await {
        Ok(Ok(1)) if first[0] == TLS_HANDSHAKE => {}
        Ok(Ok(1)) => return serve_http(stream, site, true).await,
        // Closed, failed or silent: nothing to answer.
        _ => return,
    }
    match timeout(handshake_timeout, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => serve_http(tls, site, false).await,
        Ok(Err(error)) => site.note(&format!("TLS handshake failed: {error}")),
        Err(_) => site.note("TLS handshake timed out"),
    }
}

/// Serves HTTP/1.1 on `stream`; `wrong_scheme`: plain HTTP on the TLS port.
async fn serve_http<S>(stream: S, site: Arc<Site>, wrong_scheme: bool)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limits = site.limits;
    let service = service_fn(move |request| {
        let site = Arc::clone(&site);
        async move { Ok::<_, Infallible>(site.answer(request, wrong_scheme).await) }
    });
    // A client that hangs up mid-request, or is too slow to send its
    // request's head, is not the mock's problem.
    let _ = net::http1_builder(&limits)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

impl Site {
    async fn answer(&self, request: hyper::Request<Incoming>, wrong_scheme: bool) -> MockResponse {
        let started = Instant::now();
        // The logical clock of a seeded mock: one millisecond per request.
        self.state.clock.tick();
        let method = request.method().clone();
        let path = request.uri().path().to_string();
        let response = if wrong_scheme {
            let message = "This is the mock org's HTTPS port: use https:// URLs.\n";
            response::body(StatusCode::BAD_REQUEST, TEXT, message.into())
        } else {
            self.handle(request).await
        };
        let notes = self.state.take_notes();
        if self.log_requests {
            let millis = started.elapsed().as_millis();
            let status = response.status().as_u16();
            eprintln!("{method} {path} {status} {millis}ms");
        }
        if self.announce_apps && !notes.is_empty() {
            // Credentials go where the banner's are, never to the request
            // log; a closed stdout loses them without stopping the mock.
            let mut out = std::io::stdout().lock();
            for note in notes {
                let _ = writeln!(out, "{note}");
            }
        }
        response
    }

    async fn handle(&self, request: hyper::Request<Incoming>) -> MockResponse {
        match MockRequest::read(request, &self.fallback_host, self.scheme).await {
            Ok(request) => route_request(&self.state, &request),
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

    /// A connection-level event, logged beside the requests.
    fn note(&self, message: &str) {
        if self.log_requests {
            eprintln!("{message}");
        }
    }
}
