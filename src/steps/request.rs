//! `request`: any HTTP request (REST, a token endpoint, SOAP by hand).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::duration::Duration as Span;
use crate::keys::{HTTP_METHODS, KeySpec, Ty, key, required};
use crate::log::{Body, Party, Role};
use crate::net::client::{Reply, Request};
use crate::secret::Class;

use super::fields::{Fields, Text};
use super::{Ctx, StepError};

pub const TITLE: &str = "API Request";

pub const KEYS: &[KeySpec] = &[
    key(
        "method",
        Ty::Enum(HTTP_METHODS),
        "HTTP method (default GET)",
    ),
    required("url", Ty::Str, "absolute URL"),
    key("query", Ty::AnyMap, "query parameters"),
    key("headers", Ty::AnyMap, "request headers"),
    key(
        "bearer",
        Ty::Str,
        "access token sent as Authorization: Bearer",
    ),
    key("json", Ty::Any, "JSON body"),
    key("form", Ty::AnyMap, "form body"),
    key("body", Ty::Str, "raw body"),
    key("timeout", Ty::Duration, "timeout of the exchange"),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    method: Option<Text>,
    url: Text,
    query: Option<Fields>,
    headers: Option<Fields>,
    bearer: Option<Text>,
    json: Option<Value>,
    form: Option<Fields>,
    body: Option<Text>,
    timeout: Option<Span>,
}

/// The HTTP response; `json` when the body is JSON.
#[derive(Debug, Default, Serialize)]
pub struct Output {
    pub status: Option<Value>,
    pub headers: Option<Value>,
    pub json: Option<Value>,
    pub body: Option<Value>,
}

impl Output {
    /// A reply as a result.
    #[must_use]
    pub fn of(reply: &Reply) -> Output {
        let mut http = reply.result();
        Output {
            status: http.remove("status"),
            headers: http.remove("headers"),
            json: http.remove("json"),
            body: http.remove("body"),
        }
    }
}

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let method = p
        .method
        .map_or_else(|| "GET".to_owned(), |m| m.0.to_ascii_uppercase());
    if !HTTP_METHODS.contains(&method.as_str()) {
        return Err(StepError::input(format!(
            "`method` {method} is not a standard HTTP method"
        )));
    }
    let mut url = reqwest::Url::parse(p.url.as_str())
        .map_err(|e| StepError::failed(format!("invalid URL `{}`: {e}", p.url.as_str())))?;
    let query = p.query.unwrap_or_default().0;
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    if let Some(token) = p.bearer {
        ctx.redactor.secret("access_token", &token.0, Class::Token);
        headers.push(("authorization".into(), format!("Bearer {}", token.0)));
    }
    let body = if let Some(json) = p.json {
        headers.push(("content-type".into(), "application/json".into()));
        Some(Body::Json(json))
    } else if let Some(form) = p.form {
        headers.push((
            "content-type".into(),
            "application/x-www-form-urlencoded".into(),
        ));
        Some(Body::Form(form.0))
    } else {
        p.body.map(|t| Body::Text(t.0))
    };
    for (k, v) in p.headers.unwrap_or_default().0 {
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(&k));
        headers.push((k, v));
    }
    ctx.learn_auth_headers(&headers);
    let req = Request {
        method,
        url: url.to_string(),
        headers,
        body,
        timeout: p.timeout.map_or(ctx.settings.step_timeout(), |d| d.0),
        from: Party::Runner,
        role: Role::Protocol,
    };
    let reply = ctx.send(req).await?;
    Ok(Output::of(&reply))
}
