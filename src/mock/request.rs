//! A request as the handlers see it: read whole, its form parsed once
//! (URL-encoded or multipart), so that every handler is a plain function.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HOST};
use hyper::{HeaderMap, Method};

/// Largest request body the mock reads.
const BODY_LIMIT: usize = 1 << 20;

/// Why a request could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    TooLarge,
    Unreadable,
}

pub(crate) struct MockRequest {
    pub(crate) method: Method,
    /// The path, normalized (see [`normalize_path`]).
    pub(crate) path: String,
    pub(crate) headers: HeaderMap,
    /// Query parameters, in order.
    pub(crate) query: Vec<(String, String)>,
    /// Form fields of a URL-encoded or multipart body, in order.
    pub(crate) form: Vec<(String, String)>,
    /// The raw body (JSON and SOAP endpoints read it).
    pub(crate) body: Bytes,
    /// `http://<Host>` (`https` on a TLS port): the mock is whatever host the
    /// client called it by.
    pub(crate) base_url: String,
}

impl MockRequest {
    pub(crate) async fn read(
        request: hyper::Request<Incoming>,
        fallback_host: &str,
        scheme: &str,
    ) -> Result<MockRequest, ReadError> {
        let (parts, body) = request.into_parts();
        let body = Limited::new(body, BODY_LIMIT)
            .collect()
            .await
            .map_err(|error| {
                if error.is::<http_body_util::LengthLimitError>() {
                    ReadError::TooLarge
                } else {
                    ReadError::Unreadable
                }
            })?;
        let body = body.to_bytes();
        let form = parse_form(&parts.headers, &body).await;
        let query = parts.uri.query().map(parse_urlencoded).unwrap_or_default();
        let host = host_header(&parts.headers).unwrap_or(fallback_host);
        Ok(MockRequest {
            method: parts.method,
            path: normalize_path(parts.uri.path()),
            query,
            form,
            base_url: format!("{scheme}://{host}"),
            headers: parts.headers,
            body,
        })
    }

    /// A parameter from the body, else from the query string.
    pub(crate) fn param(&self, name: &str) -> Option<&str> {
        find(&self.form, name).or_else(|| find(&self.query, name))
    }

    /// A request header as text.
    pub(crate) fn header(&self, name: hyper::header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The value of cookie `name`.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// `(client_id, client_secret)` from an `Authorization: Basic` header.
    pub(crate) fn basic_auth(&self) -> Option<(String, String)> {
        let value = self.header(AUTHORIZATION)?;
        let (scheme, encoded) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        Some((id.to_string(), secret.to_string()))
    }

    /// The token of an `Authorization: Bearer …` (or `OAuth …`) header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.header(AUTHORIZATION)?;
        let (scheme, token) = value.trim().split_once(' ')?;
        let known = scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth");
        known
            .then(|| token.trim())
            .filter(|token| !token.is_empty())
    }
}

/// The path as routes see it: runs of `/` are one, and a trailing `/` is
/// dropped (Salesforce serves `//services/data/`, which jsforce asks for
/// when an instance URL ends in `/`).
pub(crate) fn normalize_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for segment in path.split('/').filter(|segment| !segment.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// A `Host` header that is safe to put into URLs and pages.
fn host_header(headers: &HeaderMap) -> Option<&str> {
    let host = headers.get(HOST)?.to_str().ok()?;
    let safe = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c));
    safe.then_some(host)
}

pub(crate) fn parse_urlencoded(text: &str) -> Vec<(String, String)> {
    parse_urlencoded_bytes(text.as_bytes())
}

/// Names and values are decoded, invalid UTF-8 replaced, one by one.
fn parse_urlencoded_bytes(bytes: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(bytes).into_owned().collect()
}

async fn parse_form(headers: &HeaderMap, body: &Bytes) -> Vec<(String, String)> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let content_type = content_type.unwrap_or_default();
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case("multipart/form-data") {
        parse_multipart(content_type, body.clone())
            .await
            .unwrap_or_default()
    } else if essence.is_empty()
        || essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    {
        parse_urlencoded_bytes(body)
    } else {
        Vec::new()
    }
}

async fn parse_multipart(content_type: &str, body: Bytes) -> Option<Vec<(String, String)>> {
    let boundary = multer::parse_boundary(content_type).ok()?;
    let stream = Full::new(body).into_data_stream();
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let Some(name) = field.name().map(str::to_string) else {
            continue;
        };
        let Ok(text) = field.text().await else {
            return None;
        };
        fields.push((name, text));
    }
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::normalize_path;

    #[test]
    fn paths_lose_repeated_and_trailing_slashes() {
        for (raw, path) in [
            ("/", "/"),
            ("", "/"),
            ("//", "/"),
            ("//services/data", "/services/data"),
            ("/services/data/", "/services/data"),
            ("/services/data/v62.0//query/", "/services/data/v62.0/query"),
            ("/id/00D/005", "/id/00D/005"),
        ] {
            assert_eq!(normalize_path(raw), path, "{raw}");
        }
    }
}
