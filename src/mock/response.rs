//! Building responses with the content types and error shapes Salesforce uses.

use std::fmt::Write as _;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::{Method, Response, StatusCode};
use serde_json::{Value, json};

pub(crate) type MockResponse = Response<Full<Bytes>>;

pub(crate) const JSON: &str = "application/json;charset=UTF-8";
pub(crate) const HTML: &str = "text/html;charset=UTF-8";
pub(crate) const TEXT: &str = "text/plain;charset=UTF-8";

/// A response with a body and its content type.
pub(crate) fn body(status: StatusCode, content_type: &'static str, body: String) -> MockResponse {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    response
}

pub(crate) fn json(status: StatusCode, value: &Value) -> MockResponse {
    body(
        status,
        JSON,
        serde_json::to_string(value).unwrap_or_default(),
    )
}

pub(crate) fn html(status: StatusCode, page: String) -> MockResponse {
    body(status, HTML, page)
}

/// An OAuth token-endpoint error: HTTP 400 `{"error", "error_description"}`.
pub(crate) fn oauth_error(error: &str, description: &str) -> MockResponse {
    json(
        StatusCode::BAD_REQUEST,
        &json!({ "error": error, "error_description": description }),
    )
}

/// A REST error: a JSON array of `{message, errorCode}`.
pub(crate) fn rest_error(status: StatusCode, error_code: &str, message: &str) -> MockResponse {
    json(
        status,
        &json!([{ "errorCode": error_code, "message": message }]),
    )
}

pub(crate) fn not_found() -> MockResponse {
    rest_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

/// The mock's one answer to a method a path does not take: Salesforce's
/// REST shape, `405 [{"errorCode":"METHOD_NOT_ALLOWED","message":"HTTP
/// Method 'PUT' not allowed. Allowed are HEAD,GET,POST"}]`, and an `Allow`
/// header. HEAD is named when GET is allowed (it goes with GET).
pub(crate) fn method_not_allowed(method: &Method, allowed: &[Method]) -> MockResponse {
    let mut names: Vec<&str> = Vec::with_capacity(allowed.len() + 1);
    if allowed.contains(&Method::GET) {
        names.push("HEAD");
    }
    names.extend(allowed.iter().map(Method::as_str));
    let names = names.join(",");
    let message = format!("HTTP Method '{method}' not allowed. Allowed are {names}");
    let mut response = rest_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &message,
    );
    if let Ok(value) = HeaderValue::from_str(&names) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// 302 to `location`; an unusable location becomes a 400 instead of a panic.
pub(crate) fn redirect(location: &str) -> MockResponse {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = body(StatusCode::FOUND, TEXT, String::new());
            response.headers_mut().insert(LOCATION, value);
            response
        }
        Err(_) => body(
            StatusCode::BAD_REQUEST,
            TEXT,
            "invalid redirect location".into(),
        ),
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters (spaces
/// become `%20`, as in Salesforce's own error strings).
pub(crate) fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `key=value&…`, percent-encoded.
pub(crate) fn encode_pairs<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                percent_encode(key.as_ref()),
                percent_encode(value.as_ref())
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::{encode_pairs, percent_encode};

    #[test]
    fn encodes_like_salesforce() {
        assert_eq!(
            percent_encode("client identifier invalid"),
            "client%20identifier%20invalid"
        );
        assert_eq!(percent_encode("00D!a.b_c-d~="), "00D%21a.b_c-d~%3D");
        assert_eq!(encode_pairs(&[("a b", "é")]), "a%20b=%C3%A9");
    }
}
