//! `callback`: waits for the browser's redirect on a loopback redirect URI
//! and hands over its parameters (query, or the fragment the callback page
//! relays).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::duration::{Duration as Span, human};
use crate::keys::{KeySpec, Ty, key, required};
use crate::net::listener::{Delivery, Listener};

use super::authorize::bind;
use super::ctx::BrowserMode;
use super::fields::Text;
use super::{Ctx, StepError};

pub const TITLE: &str = "Authorization Code Received";

pub const KEYS: &[KeySpec] = &[
    required(
        "listen",
        Ty::Str,
        "the redirect URI to serve (loopback only)",
    ),
    key(
        "timeout",
        Ty::Duration,
        "how long to wait for the redirect (default 120s)",
    ),
];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    listen: Text,
    timeout: Option<Span>,
}

/// The redirect's `code`, `state`, error, and every parameter it carried.
#[derive(Debug, Default, Serialize)]
pub struct Output {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    params: Option<Map<String, Value>>,
}

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let uri = p.listen.0;
    let mut listener = match ctx.session.listener.take() {
        Some(l) if l.uri == uri => l,
        _ => bind(ctx, &uri).await?,
    };
    let timeout = match p.timeout {
        Some(t) if ctx.settings.timeout.is_none() => t.0,
        _ => ctx.settings.callback_timeout(),
    };
    let auto = ctx.settings.browser == BrowserMode::Auto;
    if !auto {
        ctx.notice(&format!(
            "Waiting for the redirect to {uri} (timeout {})…",
            human(timeout)
        ));
    }
    let waited = if auto {
        // The built-in user agent has delivered its redirect already: when
        // that was refused, no other will come.
        let patience = match listener.rejected() {
            0 => timeout,
            _ => Duration::ZERO,
        };
        listener.wait(patience).await
    } else {
        wait_with_countdown(ctx, &mut listener, &uri, timeout).await
    };
    let Some(delivery) = waited else {
        let rejected = listener.rejected();
        if rejected > 0 {
            return Err(StepError::failed(format!(
                "state mismatch: {rejected} deliveries rejected"
            )));
        }
        return Err(StepError::failed(format!(
            "no redirect reached {uri} within {}; was the authorization finished in the browser?",
            human(timeout)
        )));
    };
    ctx.exchanges.extend(delivery.exchanges);
    let get = |k: &str| {
        delivery
            .params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    };
    let all: Map<String, Value> = delivery
        .params
        .iter()
        .map(|(k, v)| (k.clone(), v.clone().into()))
        .collect();
    ctx.learn_token_values(&all);
    // The listener delivers only a redirect with the state that was sent.
    Ok(Output {
        code: get("code"),
        state: get("state"),
        error: get("error"),
        error_description: get("error_description"),
        params: Some(all),
    })
}

/// Waits for the browser, showing the time left once a second.
async fn wait_with_countdown(
    ctx: &Ctx<'_>,
    listener: &mut Listener,
    uri: &str,
    timeout: Duration,
) -> Option<Delivery> {
    let deadline = tokio::time::Instant::now() + timeout;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let left = || deadline.saturating_duration_since(tokio::time::Instant::now());
    let result = loop {
        tokio::select! {
            d = listener.wait(left()) => break d,
            _ = tick.tick() => {
                ctx.events.progress(&format!(
                    "Waiting for the redirect to {uri}… {}s left",
                    left().as_secs()
                ));
            }
        }
    };
    ctx.events.progress("");
    result
}
