//! REST replies: JSON bodies (pretty with `X-PrettyPrint`, as Salesforce
//! does), `204 No Content`, and errors as `[{"message","errorCode"[,"fields"]}]`.

use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use serde_json::{Map, Value};

use crate::mock::request::MockRequest;
use crate::mock::response::{self, JSON, MockResponse};

pub(crate) type Reply = Result<MockResponse, RestError>;

/// One REST error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RestError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) fields: Option<Vec<String>>,
}

impl RestError {
    pub(crate) fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        RestError {
            status,
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// HTTP 400.
    pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> Self {
        RestError::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// HTTP 404 `NOT_FOUND`.
    pub(crate) fn not_found() -> Self {
        RestError::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    /// Names the fields at fault (`"fields": [...]`).
    pub(crate) fn with_fields(mut self, fields: Vec<String>) -> Self {
        self.fields = Some(fields);
        self
    }

    pub(crate) fn into_response(self, request: &MockRequest) -> MockResponse {
        let mut entry = Map::new();
        entry.insert("message".into(), Value::from(self.message));
        entry.insert("errorCode".into(), Value::from(self.code));
        if let Some(fields) = self.fields {
            entry.insert("fields".into(), Value::from(fields));
        }
        json(
            request,
            self.status,
            &Value::Array(vec![Value::Object(entry)]),
        )
    }
}

/// A JSON body; pretty-printed when the request has `X-PrettyPrint`.
pub(crate) fn json(request: &MockRequest, status: StatusCode, value: &Value) -> MockResponse {
    let pretty = request
        .headers
        .contains_key(HeaderName::from_static("x-prettyprint"));
    let text = if pretty {
        serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
    } else {
        value.to_string()
    };
    response::body(status, JSON, text)
}

/// `204 No Content`, with no body and no content type.
pub(crate) fn no_content() -> MockResponse {
    let mut reply = response::body(StatusCode::NO_CONTENT, JSON, String::new());
    reply.headers_mut().remove(CONTENT_TYPE);
    reply
}

/// 401 `INVALID_SESSION_ID`, with `WWW-Authenticate: Token`.
pub(crate) fn invalid_session() -> MockResponse {
    unauthorized("Session expired or invalid")
}

/// 401 `INVALID_SESSION_ID` for a live token without the `api` (or `full`)
/// scope. jsforce does not try to refresh on this message.
pub(crate) fn not_for_rest() -> MockResponse {
    unauthorized("This session is not valid for use with the REST API")
}

fn unauthorized(message: &str) -> MockResponse {
    let mut reply = response::rest_error(StatusCode::UNAUTHORIZED, "INVALID_SESSION_ID", message);
    reply
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Token"));
    reply
}
