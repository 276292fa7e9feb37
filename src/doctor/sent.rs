//! What a step sent, as the doctor reads it from the step log: the request
//! the failing answer was to, and the authorization request of an earlier
//! `authorize` step.

use serde_json::Value;

use crate::kind::Kind;
use crate::log::{Body, Party, StepLog};

/// One request: its URL, its parameters (query, then form body), its
/// headers and a text body.
#[derive(Debug, Clone, Default)]
pub struct Sent {
    pub url: String,
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub text: Option<String>,
}

impl Sent {
    /// The last request a step sent to the org (not to its own listener).
    #[must_use]
    pub fn of(step: &StepLog) -> Option<Sent> {
        let exchange = step
            .exchanges
            .iter()
            .rev()
            .find(|e| e.to != Party::Callback && e.from != Party::Callback)?;
        let req = &exchange.request;
        let mut sent = Sent {
            url: req.url.clone(),
            params: query(&req.url),
            headers: req.headers.clone(),
            text: None,
        };
        match &req.body {
            Some(Body::Form(fields)) => sent.params.extend(fields.iter().cloned()),
            Some(Body::Text(text)) => sent.text = Some(text.clone()),
            Some(Body::Json(_)) | None => {}
        }
        Some(sent)
    }

    /// The authorization request of an `authorize` step: the URL it built.
    #[must_use]
    pub fn authorization(step: &StepLog) -> Option<Sent> {
        if step.kind != Kind::Authorize {
            return None;
        }
        let url = step.result.get("url").and_then(Value::as_str)?;
        Some(Sent {
            url: url.to_owned(),
            params: query(url),
            ..Sent::default()
        })
    }

    /// The first value of a parameter.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A header's value, by name in any case.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The client id of a Basic `Authorization` header.
    #[must_use]
    pub fn basic_client(&self) -> Option<(String, String)> {
        use base64::Engine as _;
        let basic = self.header("authorization")?.strip_prefix("Basic ")?;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        Some((id.to_owned(), secret.to_owned()))
    }

    /// The bearer token of the `Authorization` header.
    #[must_use]
    pub fn bearer(&self) -> Option<&str> {
        self.header("authorization")?
            .strip_prefix("Bearer ")
            .map(str::trim)
    }
}

/// A URL's query parameters, decoded.
#[must_use]
pub fn query(url: &str) -> Vec<(String, String)> {
    url::Url::parse(url)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// The last `authorize` step before this one, with its request.
#[must_use]
pub fn last_authorization(earlier: &[StepLog]) -> Option<(&StepLog, Sent)> {
    earlier
        .iter()
        .rev()
        .find_map(|s| Sent::authorization(s).map(|sent| (s, sent)))
}
