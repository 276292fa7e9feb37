//! The callback listener: a small HTTP server on the redirect URI's loopback
//! port. It is bound before the browser is sent to the authorize URL, answers
//! the browser with a short page, relays the URL fragment of the user-agent
//! flow (the page's script posts it back), ignores stray requests such as
//! `/favicon.ico`, and hands the first redirect it gets to the `callback` step.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};

use crate::log::{Body, Exchange, HttpRequest, HttpResponse, Party};
use crate::net::ServerStream;

/// What the browser delivered.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// Query or fragment parameters, in order.
    pub params: Vec<(String, String)>,
    /// The requests the listener answered for this delivery.
    pub exchanges: Vec<Exchange>,
}

/// A bound listener.
pub struct Listener {
    pub uri: String,
    pub port: u16,
    rx: mpsc::Receiver<Delivery>,
    stop: watch::Sender<bool>,
}

struct Shared {
    path: String,
    uri: String,
    tx: mpsc::Sender<Delivery>,
    delivered: Mutex<bool>,
    relay_log: Mutex<Vec<Exchange>>,
}

impl Listener {
    /// Binds the redirect URI's port on loopback.
    /// `reserved` is a socket already bound to the port (from `free_port()`).
    pub async fn bind(
        uri: &str,
        reserved: Option<std::net::TcpListener>,
    ) -> Result<Listener, String> {
        let url = crate::scenario::load::check_listen(uri)?;
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
                return Err(format!(
                    "cannot listen on {uri}: port {port} is already in use by another program"
                ));
            }
            Err(e) => return Err(format!("cannot listen on {uri}: {e}")),
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
            tx,
            delivered: Mutex::new(false),
            relay_log: Mutex::new(Vec::new()),
        });
        for l in listeners {
            tokio::spawn(accept_loop(l, Arc::clone(&shared), stop_rx.clone()));
        }
        Ok(Listener {
            uri: uri.to_owned(),
            port,
            rx,
            stop,
        })
    }

    /// Waits for the redirect.
    pub async fn wait(&mut self, timeout: std::time::Duration) -> Option<Delivery> {
        tokio::time::timeout(timeout, self.rx.recv())
            .await
            .ok()
            .flatten()
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

async fn accept_loop(listener: TcpListener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => return,
        };
        let Ok((stream, peer)) = accepted else {
            continue;
        };
        if !peer.ip().is_loopback() {
            continue; // never answer other machines
        }
        let shared = Arc::clone(&shared);
        let stream = ServerStream::new(stream, stop.clone());
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&shared), req));
            // One buffer per response, as the mock org writes them (see
            // `mock::connection`).
            let conn = http1::Builder::new()
                .writev(false)
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                _ = stop.changed() => {}
            }
        });
    }
}

async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().as_str().to_owned();
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
    let body = match Limited::new(req.into_body(), 64 * 1024).collect().await {
        Ok(b) => String::from_utf8_lossy(&b.to_bytes()).into_owned(),
        Err(_) => String::new(),
    };
    let request = HttpRequest {
        method: method.clone(),
        url,
        headers,
        body: (!body.is_empty()).then(|| Body::Form(parse(&body))),
    };
    let (params, relay) = match method.as_str() {
        "GET" if !query.is_empty() => (parse(&query), false),
        "GET" => (Vec::new(), true),
        "POST" => (parse(&body), false),
        _ => {
            return Ok(page(
                StatusCode::METHOD_NOT_ALLOWED,
                "Not allowed",
                "Use GET.",
            ));
        }
    };
    let (status, response) = if relay {
        (StatusCode::OK, relay_page())
    } else {
        answer(&params)
    };
    let exchange = Exchange {
        from: Party::Browser,
        to: Party::Callback,
        request,
        response: Some(HttpResponse {
            status: status.as_u16(),
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: None,
        }),
        error: None,
    };
    if relay {
        if let Ok(mut log) = shared.relay_log.lock() {
            log.push(exchange);
        }
        return Ok(response);
    }
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
    exchanges.push(exchange);
    let _ = shared.tx.send(Delivery { params, exchanges }).await;
    Ok(response)
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
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
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
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}
