//! The callback listener: a small HTTP server on the redirect URI's loopback
//! port. It is bound before the browser is sent to the authorize URL, answers
//! the browser with a short page, relays the URL fragment of the user-agent
//! flow (the page's script posts it back), ignores stray requests such as
//! `/favicon.ico`, and hands the first genuine redirect it gets to the
//! `callback` step.
//!
//! Genuine: when the authorize step sent a `state`, a redirect must carry
//! it (Salesforce always echoes it). Any local process, or any web page in
//! the user's browser, can send a request to a loopback port; one that
//! comes without the state, or with another, is answered 400, counted, and
//! never delivered, and the step keeps waiting for the real redirect. A
//! POST is taken only as the relay page's own request: form-encoded, to the
//! redirect path without a query, from the listener's own origin when the
//! browser names one.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue, ORIGIN};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::log::{Body, Exchange, HttpRequest, HttpResponse, Party, Role};
use crate::net::{self, ServerLimits, ServerStream};

/// The largest relayed fragment (a token response is a few kilobytes).
const MAX_BODY: usize = 64 * 1024;
/// Requests kept for the step log besides the delivery itself (relay page
/// loads, refused deliveries); more are counted, not kept.
const MAX_LOGGED: usize = 16;
/// The relay page's encoding.
const FORM: &str = "application/x-www-form-urlencoded";

/// What the browser delivered.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Query or fragment parameters, in order.
    pub params: Vec<(String, String)>,
    /// The requests the listener answered for this delivery.
    pub exchanges: Vec<Exchange>,
}

/// What a listener takes, and its limits.
#[derive(Debug, Clone, Default)]
pub struct ListenerOptions {
    /// The `state` the authorize step sent: a delivery without it, or with
    /// another, is refused. `None` (or empty): any delivery is taken.
    pub state: Option<String>,
    pub limits: ServerLimits,
}

impl ListenerOptions {
    /// Taking only deliveries that carry `state` (when there is one).
    #[must_use]
    pub fn expecting(state: Option<String>) -> Self {
        ListenerOptions {
            state,
            ..ListenerOptions::default()
        }
    }
}

/// A bound listener.
pub struct Listener {
    pub uri: String,
    pub port: u16,
    rx: mpsc::Receiver<Delivery>,
    stop: watch::Sender<bool>,
    shared: Arc<Shared>,
}

struct Shared {
    path: String,
    uri: String,
    port: u16,
    state: Option<String>,
    tx: mpsc::Sender<Delivery>,
    delivered: Mutex<bool>,
    /// Deliveries refused for a missing or different state.
    rejected: AtomicUsize,
    relay_log: Mutex<Vec<Exchange>>,
}

/// Why the listener could not listen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListenError {
    #[error("{0}")]
    Uri(String),
    #[error("cannot listen on {uri}: port {port} is already in use by another program")]
    InUse { uri: String, port: u16 },
    #[error("cannot listen on {uri}: {why}")]
    Bind { uri: String, why: String },
}

impl Listener {
    /// Binds the redirect URI's port on loopback.
    /// `reserved` is a socket already bound to the port (from `free_port()`).
    pub async fn bind(
        uri: &str,
        reserved: Option<std::net::TcpListener>,
        options: ListenerOptions,
    ) -> Result<Listener, ListenError> {
        let url = crate::loopback::check_listen(uri).map_err(ListenError::Uri)?;
        let port = url.port_or_known_default().unwrap_or(80);
        let mut listeners = Vec::new();
        let v4: SocketAddr = ([127, 0, 0, 1], port).into();
        let bound = match reserved {
            Some(std) => std
                .set_nonblocking(true)
                .and_then(|()| TcpListener::from_std(std)),
            None => TcpListener::bind(v4).await,
        };
        match bound {
            Ok(l) => listeners.push(l),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                return Err(ListenError::InUse {
                    uri: uri.to_owned(),
                    port,
                });
            }
            Err(e) => {
                return Err(ListenError::Bind {
                    uri: uri.to_owned(),
                    why: e.to_string(),
                });
            }
        }
        // `localhost` may resolve to ::1 in a browser; serve it too when possible.
        if url.host_str() != Some("127.0.0.1")
            && let Ok(l) =
                TcpListener::bind(SocketAddr::from(([0u16, 0, 0, 0, 0, 0, 0, 1], port))).await
        {
            listeners.push(l);
        }
        let (tx, rx) = mpsc::channel(1);
        let (stop, stop_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            path: url.path().to_owned(),
            uri: uri.to_owned(),
            port,
            state: options.state.filter(|state| !state.is_empty()),
            tx,
            delivered: Mutex::new(false),
            rejected: AtomicUsize::new(0),
            relay_log: Mutex::new(Vec::new()),
        });
        for l in listeners {
            let shared = Arc::clone(&shared);
            let limits = options.limits;
            tokio::spawn(net::accept_loop(
                l,
                limits,
                stop_rx.clone(),
                move |stream, peer| serve(stream, peer, Arc::clone(&shared), limits),
            ));
        }
        Ok(Listener {
            uri: uri.to_owned(),
            port,
            rx,
            stop,
            shared,
        })
    }

    /// Waits for the redirect.
    pub async fn wait(&mut self, timeout: std::time::Duration) -> Option<Delivery> {
        tokio::time::timeout(timeout, self.rx.recv())
            .await
            .ok()
            .flatten()
    }

    /// How many deliveries were refused for a missing or different `state`.
    #[must_use]
    pub fn rejected(&self) -> usize {
        self.shared.rejected.load(Ordering::Relaxed)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn serve(stream: ServerStream, peer: SocketAddr, shared: Arc<Shared>, limits: ServerLimits) {
    if !peer.ip().to_canonical().is_loopback() {
        return; // never answer other machines
    }
    let service = service_fn(move |req| handle(Arc::clone(&shared), req));
    // A client that hangs up, or is too slow to send its request's head,
    // only loses its own connection.
    let _ = net::http1_builder(&limits)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let mut url = format!("{}{}", origin(&shared.uri), path);
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    let headers = interesting_headers(req.headers());
    if path != shared.path {
        return Ok(page(
            StatusCode::NOT_FOUND,
            "Not found",
            "This address is not the redirect URI.",
        ));
    }
    let (params, body) = match method {
        Method::GET if query.is_empty() => {
            let request = HttpRequest {
                method: method.to_string(),
                url,
                headers,
                body: None,
            };
            shared.keep(exchange(request, StatusCode::OK));
            return Ok(relay_page());
        }
        Method::GET => (parse(&query), None),
        Method::POST => match relay_post(&shared, req, &query).await {
            Ok(body) => (parse(&body), Some(body)),
            Err(refusal) => return Ok(refusal),
        },
        _ => return Ok(not_allowed()),
    };
    let request = HttpRequest {
        method: method.to_string(),
        url,
        headers,
        body: body
            .filter(|b| !b.is_empty())
            .map(|b| Body::Form(parse(&b))),
    };
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    if let Some(expected) = &shared.state
        && get("state") != Some(expected.as_str())
    {
        shared.rejected.fetch_add(1, Ordering::Relaxed);
        shared.keep(exchange(request, StatusCode::BAD_REQUEST));
        return Ok(page(
            StatusCode::BAD_REQUEST,
            "State mismatch",
            "This redirect does not carry the state that sfscenario sent: it was refused, \
             and sfscenario keeps waiting for the real one.",
        ));
    }
    let (status, response) = answer(&params);
    let first = shared
        .delivered
        .lock()
        .map(|mut d| !std::mem::replace(&mut *d, true))
        .unwrap_or(false);
    if !first {
        return Ok(page(
            StatusCode::OK,
            "Already received",
            "This flow already got its redirect; you can close this tab.",
        ));
    }
    let mut exchanges = shared
        .relay_log
        .lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default();
    exchanges.push(exchange(request, status));
    let _ = shared.tx.send(Delivery { params, exchanges }).await;
    Ok(response)
}

impl Shared {
    /// Keeps a request that was not the delivery for the step log, up to
    /// [`MAX_LOGGED`] of them.
    fn keep(&self, exchange: Exchange) {
        if let Ok(mut log) = self.relay_log.lock()
            && log.len() < MAX_LOGGED
        {
            log.push(exchange);
        }
    }

    /// An `Origin` the relay page may have: this listener's, on loopback.
    fn own_origin(&self, origin: &str) -> bool {
        let Ok(url) = url::Url::parse(origin) else {
            return false;
        };
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        url.scheme() == "http" && loopback && url.port_or_known_default() == Some(self.port)
    }
}

/// The body of the relay page's POST, or the answer refusing another POST.
async fn relay_post(
    shared: &Shared,
    req: Request<Incoming>,
    query: &str,
) -> Result<String, Response<Full<Bytes>>> {
    if !query.is_empty() {
        return Err(not_allowed());
    }
    let form = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case(FORM));
    if !form {
        return Err(page(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Not accepted",
            "Only the relay page's form-encoded request is taken here.",
        ));
    }
    let origin = req.headers().get(ORIGIN).map(HeaderValue::as_bytes);
    if let Some(origin) = origin
        && !std::str::from_utf8(origin).is_ok_and(|o| shared.own_origin(o))
    {
        return Err(page(
            StatusCode::FORBIDDEN,
            "Not accepted",
            "This request comes from another site.",
        ));
    }
    match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(b) => Ok(String::from_utf8_lossy(&b.to_bytes()).into_owned()),
        Err(_) => Err(page(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Not accepted",
            "The request body is too large.",
        )),
    }
}

/// The log entry of one request the listener answered with `status`.
fn exchange(request: HttpRequest, status: StatusCode) -> Exchange {
    // The redirect carries the protocol's answer; the relay page's post is
    // this listener's own business.
    let role = match request.method.as_str() {
        "GET" => Role::Protocol,
        _ => Role::Interaction,
    };
    Exchange {
        from: Party::Browser,
        to: Party::Callback,
        role,
        request,
        response: Some(HttpResponse {
            status: status.as_u16(),
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: None,
        }),
        error: None,
    }
}

fn origin(uri: &str) -> String {
    url::Url::parse(uri)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

fn parse(s: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(s.as_bytes()).into_owned().collect()
}

fn interesting_headers(h: &hyper::HeaderMap) -> Vec<(String, String)> {
    ["host", "content-type", "referer"]
        .iter()
        .filter_map(|k| {
            h.get(*k).map(|v| {
                (
                    (*k).to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
        })
        .collect()
}

mod pages;

use pages::{answer, not_allowed, page, relay_page};

#[cfg(test)]
mod tests;
