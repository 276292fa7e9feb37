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
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue, ORIGIN};
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

fn not_allowed() -> Response<Full<Bytes>> {
    let mut response = page(
        StatusCode::METHOD_NOT_ALLOWED,
        "Not allowed",
        "The redirect comes with GET; only the relay page posts here.",
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    response
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

fn answer(params: &[(String, String)]) -> (StatusCode, Response<Full<Bytes>>) {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    match get("error") {
        Some(error) => {
            let detail = format!("{error}: {}", get("error_description").unwrap_or(""));
            (
                StatusCode::OK,
                page(StatusCode::OK, "Authorization failed", &detail),
            )
        }
        None => (
            StatusCode::OK,
            page(
                StatusCode::OK,
                "Authorization received",
                "You can close this tab: the flow goes on in the terminal.",
            ),
        ),
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

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>sfscenario: {t}</title>\
<style>body{{font-family:system-ui,sans-serif;margin:4rem auto;max-width:36rem;color:#181818}}\
h1{{font-size:1.4rem}}</style></head><body><h1>{t}</h1><p>{x}</p></body></html>",
        t = html_escape(title),
        x = html_escape(text)
    );
    let mut r = Response::new(Full::new(Bytes::from(html)));
    *r.status_mut() = status;
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

/// The page for a redirect without a query: its script sends the fragment back.
fn relay_page() -> Response<Full<Bytes>> {
    let html = "<!doctype html><html><head><meta charset=\"utf-8\"><title>sfscenario</title></head>\
<body><p id=\"m\">Passing the authorization result to sfscenario…</p><script>\
var f=location.hash.slice(1);\
fetch(location.pathname,{method:'POST',headers:{'content-type':'application/x-www-form-urlencoded'},body:f})\
.then(function(r){return r.text()}).then(function(t){document.open();document.write(t);document.close();history.replaceState(null,'',location.pathname)})\
.catch(function(){document.getElementById('m').textContent='Could not reach sfscenario.'});\
</script></body></html>";
    let mut r = Response::new(Full::new(Bytes::from(html)));
    r.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use reqwest::StatusCode;

    use super::{Listener, ListenerOptions};

    const STATE: &str = "s3nt-state";

    async fn listener(state: Option<&str>) -> (Listener, String) {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        let port = socket.local_addr().expect("an address").port();
        let uri = format!("http://127.0.0.1:{port}/callback");
        let options = ListenerOptions::expecting(state.map(str::to_owned));
        let listener = Listener::bind(&uri, Some(socket), options)
            .await
            .expect("the listener binds");
        (listener, uri)
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("a client")
    }

    /// Nothing was delivered: every request above was answered, and a
    /// delivery is handed over before its answer.
    async fn nothing_delivered(listener: &mut Listener) {
        assert!(listener.wait(Duration::ZERO).await.is_none());
    }

    #[tokio::test]
    async fn a_redirect_without_the_sent_state_is_refused_and_the_real_one_still_passes() {
        let (mut listener, uri) = listener(Some(STATE)).await;
        let http = client();
        for forged in [
            "?code=forged-code",
            "?code=forged-code&state=other",
            "?code=forged-code&state=",
            "?code=forged-code&state=s3nt-state-and-more",
            "?error=access_denied",
        ] {
            let page = http.get(format!("{uri}{forged}")).send().await.unwrap();
            assert_eq!(page.status(), StatusCode::BAD_REQUEST, "{forged}");
            assert!(page.text().await.unwrap().contains("State mismatch"));
        }
        nothing_delivered(&mut listener).await;
        assert_eq!(listener.rejected(), 5);
        let genuine = format!("{uri}?code=genuine-code&state={STATE}");
        let page = http.get(genuine).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let delivery = listener.wait(Duration::from_secs(30)).await.unwrap();
        let code = delivery.params.iter().find(|(k, _)| k == "code");
        assert_eq!(code.map(|(_, v)| v.as_str()), Some("genuine-code"));
        // The refused requests are in the step log, answered 400.
        let statuses: Vec<u16> = delivery
            .exchanges
            .iter()
            .filter_map(|e| e.response.as_ref().map(|r| r.status))
            .collect();
        assert_eq!(statuses, [400, 400, 400, 400, 400, 200]);
    }

    #[tokio::test]
    async fn without_a_sent_state_the_first_redirect_is_taken() {
        let (mut listener, uri) = listener(None).await;
        let page = client()
            .get(format!("{uri}?code=abc"))
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(listener.wait(Duration::from_secs(30)).await.is_some());
        assert_eq!(listener.rejected(), 0);
    }

    #[tokio::test]
    async fn only_the_relay_pages_form_post_is_taken() {
        let (mut listener, uri) = listener(Some(STATE)).await;
        let http = client();
        let fragment = format!("access_token=tok3n-value&state={STATE}");
        let boundary = "multipart/form-data; boundary=x";
        let multipart = format!(
            "--x\r\nContent-Disposition: form-data; name=\"state\"\r\n\r\n{STATE}\r\n--x--\r\n"
        );
        let refused = [
            (
                "text/plain",
                fragment.clone(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (
                "text/plain;charset=UTF-8",
                fragment.clone(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            (boundary, multipart, StatusCode::UNSUPPORTED_MEDIA_TYPE),
            (
                "application/json",
                format!("{{\"state\":\"{STATE}\"}}"),
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            ("", fragment.clone(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ];
        for (content_type, body, status) in refused {
            let mut post = http.post(&uri).body(body);
            if !content_type.is_empty() {
                post = post.header("content-type", content_type);
            }
            let answer = post.send().await.unwrap();
            assert_eq!(answer.status(), status, "{content_type}");
        }
        let form = "application/x-www-form-urlencoded";
        // Another path, a query on the relay's path, another site's page.
        let base = uri.trim_end_matches("/callback");
        let elsewhere = [
            (format!("{base}/other"), None, StatusCode::NOT_FOUND),
            (format!("{uri}?x=1"), None, StatusCode::METHOD_NOT_ALLOWED),
            (
                uri.clone(),
                Some("https://evil.example"),
                StatusCode::FORBIDDEN,
            ),
            (
                uri.clone(),
                Some("http://127.0.0.1:1"),
                StatusCode::FORBIDDEN,
            ),
            (uri.clone(), Some("null"), StatusCode::FORBIDDEN),
        ];
        for (url, origin, status) in elsewhere {
            let mut post = http
                .post(&url)
                .header("content-type", form)
                .body(fragment.clone());
            if let Some(origin) = origin {
                post = post.header("origin", origin);
            }
            assert_eq!(
                post.send().await.unwrap().status(),
                status,
                "{url} {origin:?}"
            );
        }
        let put = http
            .put(&uri)
            .header("content-type", form)
            .body(fragment.clone());
        let answer = put.send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(answer.headers()["allow"], "GET, POST");
        nothing_delivered(&mut listener).await;
        assert_eq!(listener.rejected(), 0, "refused before the state is read");
        // The relay page's own request, as its script sends it.
        let origin = uri.trim_end_matches("/callback").to_owned();
        let relay = http
            .post(&uri)
            .header("content-type", form)
            .header("origin", origin)
            .body(fragment);
        assert_eq!(relay.send().await.unwrap().status(), StatusCode::OK);
        let delivery = listener.wait(Duration::from_secs(30)).await.unwrap();
        assert!(
            delivery
                .params
                .iter()
                .any(|(k, v)| k == "access_token" && v == "tok3n-value")
        );
    }
}
