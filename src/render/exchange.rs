//! Small helpers shared by the renderers: status lines, URL pieces, bodies as
//! JSON and compact value text.

use serde_json::{Map, Value};

use crate::log::{Body, Exchange};

/// `200 OK`, `302 Found`; just the number for codes without a known phrase.
pub(super) fn status_line(status: u16) -> String {
    match reason(status) {
        Some(phrase) => format!("{status} {phrase}"),
        None => status.to_string(),
    }
}

fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

/// The path of a URL, without scheme, host, query or fragment.
pub(super) fn path_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    let path = after_scheme.find('/').map_or("/", |i| &after_scheme[i..]);
    let end = path.find(['?', '#']).unwrap_or(path.len());
    &path[..end]
}

/// The path with its query and fragment (what a callback listener receives).
pub(super) fn path_and_query(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(url, |i| &url[i + 3..]);
    after_scheme.find('/').map_or("/", |i| &after_scheme[i..])
}

/// The URL without its query or fragment.
pub(super) fn without_query(url: &str) -> &str {
    let end = url.find(['?', '#']).unwrap_or(url.len());
    &url[..end]
}

/// The query parameters of a URL as a JSON object, in order.
pub(super) fn query_object(url: &str) -> Option<Value> {
    let start = url.find('?')?;
    let query = &url[start + 1..];
    let query = &query[..query.find('#').unwrap_or(query.len())];
    let pairs =
        form_urlencoded::parse(query.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned()));
    Some(pairs_object(pairs))
}

/// `METHOD /path → status` (or `→ error`) for summaries.
pub(super) fn exchange_brief(ex: &Exchange) -> String {
    let outcome = match (&ex.response, &ex.error) {
        (Some(resp), _) => resp.status.to_string(),
        (None, Some(_)) => "error".to_owned(),
        (None, None) => "no response".to_owned(),
    };
    format!(
        "{} {} → {outcome}",
        ex.request.method,
        path_of(&ex.request.url)
    )
}

/// Name/value pairs as a JSON object in order; a repeated name collects its
/// values in an array.
pub(super) fn pairs_object(pairs: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut map = Map::new();
    for (name, value) in pairs {
        match map.get_mut(&name) {
            Some(Value::Array(items)) => items.push(Value::String(value)),
            Some(first) => {
                let old = first.take();
                *first = Value::Array(vec![old, Value::String(value)]);
            }
            None => {
                map.insert(name, Value::String(value));
            }
        }
    }
    Value::Object(map)
}

/// A body as JSON: forms become objects, text becomes a string.
pub(super) fn body_json(body: &Body) -> Value {
    match body {
        Body::Form(fields) => pairs_object(fields.iter().cloned()),
        Body::Json(value) => value.clone(),
        Body::Text(text) => Value::String(text.clone()),
    }
}

/// The value of the first header called `name` (case-insensitive).
pub(super) fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A value on one line: strings as they are, everything else as compact JSON.
pub(super) fn value_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Pretty-printed JSON (two-space indent, keys in their order).
pub(super) fn pretty_json(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Text cut to its first `max` lines (never inside a line, so a secret is
/// never cut in two before the redactor sees it).
pub(super) fn first_lines(text: &str, max: usize) -> String {
    let total = text.lines().count();
    let mut lines: Vec<String> = text.lines().take(max).map(str::to_owned).collect();
    if total > max {
        lines.push(format!("… ({} more lines)", total - max));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{path_and_query, path_of, query_object, status_line, without_query};

    #[test]
    fn url_pieces() {
        let url = "https://x.my.salesforce.com/services/oauth2/token?a=1#f";
        assert_eq!(path_of(url), "/services/oauth2/token");
        assert_eq!(path_and_query(url), "/services/oauth2/token?a=1#f");
        assert_eq!(
            without_query(url),
            "https://x.my.salesforce.com/services/oauth2/token"
        );
        assert_eq!(path_of("http://localhost:8000"), "/");
    }

    #[test]
    fn query_keeps_order_and_repeats() {
        let q = query_object("http://h/p?b=2&a=%20x&b=3").unwrap();
        assert_eq!(q, json!({"b": ["2", "3"], "a": " x"}));
        assert!(query_object("http://h/p").is_none());
    }

    #[test]
    fn status_lines() {
        assert_eq!(status_line(200), "200 OK");
        assert_eq!(status_line(599), "599");
    }
}
