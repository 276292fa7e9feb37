//! What the listener answers a browser: short pages saying the flow goes on
//! in the terminal, the relay page of the user-agent flow, refusals.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Response, StatusCode};

pub(super) fn not_allowed() -> Response<Full<Bytes>> {
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

pub(super) fn answer(params: &[(String, String)]) -> (StatusCode, Response<Full<Bytes>>) {
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

pub(super) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

pub(super) fn page(status: StatusCode, title: &str, text: &str) -> Response<Full<Bytes>> {
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
pub(super) fn relay_page() -> Response<Full<Bytes>> {
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
