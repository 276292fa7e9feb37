//! `token`: a POST to the token endpoint. With `poll`, the device flow: the
//! step polls while the server answers `authorization_pending` or
//! `slow_down`, and a user agent answers the verification page meanwhile.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::duration::{Duration as Span, human};
use crate::keys::{KeySpec, Ty, key};
use crate::log::{Body, Party, Role};
use crate::net::client::{Reply, Request};
use crate::net::user_agent::{self, Login, WalkEnd};
use crate::org::Org;

use super::ctx::BrowserMode;
use super::fields::{Fields, Text};
use super::{Ctx, StepError, open_browser};

pub const TITLE: &str = "Token Response Received";

const POLL: &[KeySpec] = &[
    key(
        "interval",
        Ty::Duration,
        "time between polls (default: the server's interval)",
    ),
    key("timeout", Ty::Duration, "give up after (default 5m)"),
];

pub const KEYS: &[KeySpec] = &[
    key(
        "url",
        Ty::Str,
        "token endpoint (default {{ org.login_url }}/services/oauth2/token)",
    ),
    key("form", Ty::AnyMap, "form fields"),
    key("headers", Ty::AnyMap, "extra request headers"),
    key(
        "poll",
        Ty::Map(POLL),
        "device flow: poll while authorization_pending / slow_down",
    ),
    key("timeout", Ty::Duration, "timeout of the exchange"),
];

/// Added to the interval on `slow_down` (RFC 8628).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The shortest pause between polls.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    url: Option<Text>,
    form: Option<Fields>,
    headers: Option<Fields>,
    poll: Option<Poll>,
    timeout: Option<Span>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Poll {
    interval: Option<Span>,
    timeout: Option<Span>,
}

/// Every field of the token response at top level (as none when the server
/// did not send it), then the HTTP response. Open: any other field the
/// server sends is kept too.
#[derive(Debug, Default, Serialize)]
pub struct Output {
    access_token: Option<Value>,
    refresh_token: Option<Value>,
    signature: Option<Value>,
    scope: Option<Value>,
    id_token: Option<Value>,
    instance_url: Option<Value>,
    id: Option<Value>,
    token_type: Option<Value>,
    issued_at: Option<Value>,
    api_instance_url: Option<Value>,
    error: Option<Value>,
    error_description: Option<Value>,
    #[serde(flatten)]
    other: Map<String, Value>,
    status: Option<Value>,
    headers: Option<Value>,
    json: Option<Value>,
    body: Option<Value>,
}

/// The token response fields every result has.
pub const FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "signature",
    "scope",
    "id_token",
    "instance_url",
    "id",
    "token_type",
    "issued_at",
    "api_instance_url",
    "error",
    "error_description",
];

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let url = p.url.map_or_else(
        || format!("{}/services/oauth2/token", ctx.login_url()),
        |t| t.0,
    );
    let form = p.form.unwrap_or_default().0;
    ctx.learn_form(&form);
    let mut headers = vec![
        (
            "content-type".to_owned(),
            "application/x-www-form-urlencoded".to_owned(),
        ),
        ("accept".to_owned(), "application/json".to_owned()),
    ];
    headers.extend(p.headers.unwrap_or_default().0);
    ctx.learn_auth_headers(&headers);
    let req = Request {
        method: "POST".into(),
        url,
        headers,
        body: Some(Body::Form(form)),
        timeout: p.timeout.map_or(ctx.settings.step_timeout(), |d| d.0),
        from: Party::Runner,
        role: Role::Protocol,
    };
    if let Some(poll) = p.poll {
        return self::poll(ctx, req, &poll).await;
    }
    let reply = ctx.send(req).await?;
    let result = output(ctx, &reply);
    note_device_code(ctx, &result);
    Ok(result)
}

/// The token response's fields at top level, plus status, headers, json, body.
fn output(ctx: &mut Ctx<'_>, reply: &Reply) -> Output {
    let mut fields = match &reply.json {
        Some(Value::Object(json)) => json.clone(),
        _ => Map::new(),
    };
    ctx.learn_token_values(&fields);
    if let (Some(Value::String(url)), Some(Value::String(token))) =
        (fields.get("instance_url"), fields.get("access_token"))
    {
        ctx.session.last_token = Some((url.clone(), token.clone()));
    }
    let mut take = |k: &str| fields.remove(k);
    let mut out = Output {
        access_token: take("access_token"),
        refresh_token: take("refresh_token"),
        signature: take("signature"),
        scope: take("scope"),
        id_token: take("id_token"),
        instance_url: take("instance_url"),
        id: take("id"),
        token_type: take("token_type"),
        issued_at: take("issued_at"),
        api_instance_url: take("api_instance_url"),
        error: take("error"),
        error_description: take("error_description"),
        ..Output::default()
    };
    let http = reply.result();
    // The HTTP response's own fields come last, whatever the body holds.
    for k in ["status", "headers", "json", "body"] {
        fields.remove(k);
    }
    out.other = fields;
    out.status = http.get("status").cloned();
    out.headers = http.get("headers").cloned();
    out.json = http.get("json").cloned();
    out.body = http.get("body").cloned();
    out
}

/// A token response with a `user_code` starts the user's half of the device flow.
fn note_device_code(ctx: &mut Ctx<'_>, result: &Output) {
    let (Some(code), Some(uri)) = (
        result.other.get("user_code").and_then(Value::as_str),
        result.other.get("verification_uri").and_then(Value::as_str),
    ) else {
        return;
    };
    let Ok(mut url) = url::Url::parse(uri) else {
        return;
    };
    url.query_pairs_mut().append_pair("user_code", code);
    let url = url.to_string();
    match ctx.settings.browser {
        BrowserMode::Auto => {}
        BrowserMode::System => {
            ctx.notice(&format!(
                "Enter the code {code} at {uri} (opening the browser)"
            ));
            if open_browser(&url).is_err() {
                ctx.notice(&format!("Could not open a browser; open {url}"));
            }
        }
        BrowserMode::Print => ctx.notice(&format!("Enter the code {code} at {uri}\n  {url}")),
    }
    ctx.session.device_verification = Some(url);
}

/// Polls the token endpoint until the user has answered.
async fn poll(ctx: &mut Ctx<'_>, req: Request, poll: &Poll) -> Result<Output, StepError> {
    let mut interval = poll.interval.map_or(Duration::from_secs(5), |d| d.0);
    let limit = poll.timeout.map_or(Duration::from_secs(300), |d| d.0);
    let started = Instant::now();
    loop {
        let reply = ctx.send(req.clone()).await?;
        let error = reply
            .json
            .as_ref()
            .and_then(|j| j.get("error"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let waiting =
            reply.status == 400 && matches!(error.as_str(), "authorization_pending" | "slow_down");
        if !waiting {
            return Ok(output(ctx, &reply));
        }
        if error == "slow_down" {
            interval += SLOW_DOWN;
        }
        if error == "authorization_pending" && ctx.settings.browser == BrowserMode::Auto {
            approve_device(ctx).await?;
        }
        if started.elapsed() + interval > limit {
            return Err(StepError::failed(format!(
                "the device was not authorized within {}",
                human(limit)
            )));
        }
        // Never a busy loop, even when the server asks for no interval.
        tokio::time::sleep(interval.max(MIN_INTERVAL)).await;
    }
}

/// `--browser auto`: log in on the verification page and press Allow.
async fn approve_device(ctx: &mut Ctx<'_>) -> Result<(), StepError> {
    let Some(url) = ctx.session.device_verification.take() else {
        return Ok(());
    };
    let login = Login {
        username: ctx.org.username.clone().unwrap_or_default(),
        password: Org::text(ctx.org.password.as_ref()).to_owned(),
        allow: true,
    };
    let timeout = ctx.settings.step_timeout();
    let walked = user_agent::walk(ctx.http, &url, None, &login, timeout, &mut ctx.exchanges).await;
    ctx.learn_exchange_cookies();
    match walked? {
        WalkEnd::Finished | WalkEnd::Redirected(_) => Ok(()),
        WalkEnd::Refused { status, .. } => Err(StepError::failed(format!(
            "the verification page answered HTTP {status}"
        ))),
        WalkEnd::ErrorPage(page) => Err(StepError::failed(format!(
            "the verification ended on the login host's error page {}",
            user_agent::strip_query(&page)
        ))),
    }
}
