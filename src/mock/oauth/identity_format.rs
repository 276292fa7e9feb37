//! The identity URL's answer in the format the client asks for: `format=`
//! `json`, `xml` or `urlencoded`, else the first of the `Accept` header's
//! types the service knows (`*/*` and anything unknown: JSON).

use std::fmt::Write as _;

use hyper::StatusCode;
use hyper::header::ACCEPT;
use quick_xml::escape::escape;
use serde_json::Value;

use crate::mock::request::MockRequest;
use crate::mock::response::{self, MockResponse};

const XML: &str = "application/xml;charset=UTF-8";
const URLENCODED: &str = "application/x-www-form-urlencoded;charset=UTF-8";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Xml,
    UrlEncoded,
}

/// `body` as the request asks for it.
pub(crate) fn answer(request: &MockRequest, body: &Value) -> MockResponse {
    match format(request) {
        Format::Json => response::json(StatusCode::OK, body),
        Format::Xml => response::body(StatusCode::OK, XML, xml(body)),
        Format::UrlEncoded => response::body(StatusCode::OK, URLENCODED, urlencoded(body)),
    }
}

fn format(request: &MockRequest) -> Format {
    match request.param("format") {
        Some("xml") => return Format::Xml,
        Some("urlencoded") => return Format::UrlEncoded,
        Some(_) => return Format::Json,
        None => {}
    }
    let accept = request.header(ACCEPT).unwrap_or_default();
    for kind in accept.split(',') {
        let kind = kind.split(';').next().unwrap_or_default().trim();
        match kind.to_ascii_lowercase().as_str() {
            "application/json" | "*/*" => return Format::Json,
            "application/xml" | "text/xml" => return Format::Xml,
            "application/x-www-form-urlencoded" => return Format::UrlEncoded,
            _ => {}
        }
    }
    Format::Json
}

/// `<user xmlns="http://www.w3.org/2005/Atom">`, one element per field,
/// nested for nested objects, `xsi:nil="true"` for nulls.
fn xml(body: &Value) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><user xmlns="http://www.w3.org/2005/Atom" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
    );
    if let Value::Object(map) = body {
        for (key, value) in map {
            element(&mut out, key, value);
        }
    }
    out.push_str("</user>");
    out
}

fn element(out: &mut String, name: &str, value: &Value) {
    match value {
        Value::Null => {
            let _ = write!(out, r#"<{name} xsi:nil="true"/>"#);
        }
        Value::Object(map) => {
            let _ = write!(out, "<{name}>");
            for (key, value) in map {
                element(out, key, value);
            }
            let _ = write!(out, "</{name}>");
        }
        Value::Array(items) => {
            for item in items {
                element(out, name, item);
            }
        }
        Value::String(text) => {
            let _ = write!(out, "<{name}>{}</{name}>", escape(text.as_str()));
        }
        other => {
            let _ = write!(out, "<{name}>{other}</{name}>");
        }
    }
}

/// `key=value&…`, nested objects' fields as `urls.rest=…`, nulls empty.
fn urlencoded(body: &Value) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    let mut pairs = Vec::new();
    flatten("", body, &mut pairs);
    for (key, value) in &pairs {
        form.append_pair(key, value);
    }
    form.finish()
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, value, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(text) => out.push((prefix.to_string(), text.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{urlencoded, xml};

    #[test]
    fn xml_and_urlencoded_shapes() {
        let body = json!({
            "id": "https://x/id/00D/005",
            "active": true,
            "addr_city": null,
            "urls": { "rest": "https://x/services/data/v{version}/" },
            "display_name": "A & B",
        });
        assert_eq!(
            xml(&body),
            r#"<?xml version="1.0" encoding="UTF-8"?><user xmlns="http://www.w3.org/2005/Atom" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><id>https://x/id/00D/005</id><active>true</active><addr_city xsi:nil="true"/><urls><rest>https://x/services/data/v{version}/</rest></urls><display_name>A &amp; B</display_name></user>"#
        );
        assert_eq!(
            urlencoded(&body),
            "id=https%3A%2F%2Fx%2Fid%2F00D%2F005&active=true&addr_city=&urls.rest=https%3A%2F%2Fx%2Fservices%2Fdata%2Fv%7Bversion%7D%2F&display_name=A+%26+B"
        );
    }
}
