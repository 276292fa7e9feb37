//! `authorize`: builds the authorize URL and hands it to a user agent. The
//! listener of the `callback` step that follows is bound first, so no
//! redirect is ever lost.

use rand::Rng as _;
use serde::{Deserialize, Serialize};

use crate::headless::{self, Reached};
use crate::keys::{KeySpec, Ty, key};
use crate::net::listener::{Listener, ListenerOptions};
use crate::net::user_agent::{self, Login, WalkEnd};
use crate::org::Org;
use crate::secret::Class;

use super::ctx::BrowserMode;
use super::fields::{Fields, Text};
use super::{Ctx, StepError, open_browser};

pub const TITLE: &str = "Authorization URL Built";

const AS: &[KeySpec] = &[
    key(
        "username",
        Ty::Str,
        "user the built-in user agent logs in as",
    ),
    key("password", Ty::Str, "password it types"),
    key(
        "consent",
        Ty::Enum(&["allow", "deny"]),
        "button it presses on the consent page",
    ),
    key(
        "totp_secret",
        Ty::Str,
        "authenticator key (base32) for the MFA verification page (default {{ org.totp_secret }})",
    ),
    key(
        "selectors",
        Ty::Map(headless::SELECTOR_KEYS),
        "--browser headless: CSS selectors for a custom login page",
    ),
];

pub const KEYS: &[KeySpec] = &[
    key(
        "url",
        Ty::Str,
        "authorize endpoint (default {{ org.login_url }}/services/oauth2/authorize)",
    ),
    key(
        "params",
        Ty::AnyMap,
        "query parameters; a random state is added unless given",
    ),
    key(
        "as",
        Ty::Map(AS),
        "how the built-in user agent logs in and answers the consent page",
    ),
];

const STATE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    url: Option<Text>,
    params: Option<Fields>,
    #[serde(rename = "as")]
    user: Option<As>,
}

/// Who the built-in user agent or the headless browser is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct As {
    username: Option<Text>,
    password: Option<Text>,
    consent: Option<Text>,
    totp_secret: Option<Text>,
    selectors: Option<headless::Overrides>,
}

/// The URL the user agent was sent to, its `state`, and the login host's
/// error when it refused the request instead of redirecting.
#[derive(Debug, Default, Serialize)]
pub struct Output {
    url: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

pub async fn run(ctx: &mut Ctx<'_>, p: Params) -> Result<Output, StepError> {
    let base = p.url.map_or_else(
        || format!("{}/services/oauth2/authorize", ctx.login_url()),
        |t| t.0,
    );
    let mut query = p.params.unwrap_or_default().0;
    let state = match query.iter().find(|(k, _)| k == "state") {
        Some((_, s)) => s.clone(),
        None => {
            let s: String = (0..16)
                .map(|_| char::from(STATE_ALPHABET[ctx.rng.random_range(0..STATE_ALPHABET.len())]))
                .collect();
            query.push(("state".into(), s.clone()));
            s
        }
    };
    ctx.redactor.volatile("state", &state);
    if let Some((_, nonce)) = query.iter().find(|(k, _)| k == "nonce") {
        ctx.redactor.volatile("nonce", nonce);
    }
    let mut url = reqwest::Url::parse(&base)
        .map_err(|e| StepError::failed(format!("invalid authorize URL `{base}`: {e}")))?;
    url.query_pairs_mut().extend_pairs(&query);
    let url = url.to_string();
    ctx.session.last_state = Some(state.clone());
    bind_next_listener(ctx).await?;
    let redirect_uri = query
        .iter()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.clone());
    let mut out = Output {
        url: Some(url.clone()),
        state: Some(state),
        ..Output::default()
    };
    match ctx.settings.browser {
        BrowserMode::Auto => {
            let user = p.user.unwrap_or_default();
            if let Err(e) = walk(ctx, &user, &url, redirect_uri.as_deref(), &mut out).await {
                let kept = serde_json::to_value(&out).unwrap_or_default();
                return Err(StepError {
                    result: Some(e.result.unwrap_or(kept)),
                    ..e
                });
            }
        }
        BrowserMode::System => {
            ctx.notice(&format!("Opening the browser at {url}"));
            if let Err(e) = open_browser(&url) {
                ctx.notice(&format!(
                    "Could not open a browser ({e}); open this URL yourself:\n  {url}"
                ));
            }
        }
        BrowserMode::Print => ctx.notice(&format!("Open this URL in a browser:\n  {url}")),
        BrowserMode::Headless => {
            let user = p.user.unwrap_or_default();
            if let Err(e) = in_headless(ctx, &user, &url, redirect_uri.as_deref()).await {
                let kept = serde_json::to_value(&out).unwrap_or_default();
                return Err(e.with_result(kept));
            }
        }
    }
    Ok(out)
}

/// `--browser headless`: Chromium walks the login host's pages to the
/// redirect URI, which reaches the callback listener itself.
async fn in_headless(
    ctx: &mut Ctx<'_>,
    user: &As,
    url: &str,
    redirect_uri: Option<&str>,
) -> Result<(), StepError> {
    let login = headless_login(ctx, user)?;
    let selectors = headless::Selectors::with(&user.selectors.clone().unwrap_or_default());
    let listener = ctx.session.listener.is_some();
    match super::browse(ctx, url, redirect_uri, listener, &login, &selectors).await? {
        Reached::Redirect(target) => {
            ctx.learn_redirect(&target);
            Ok(())
        }
        Reached::Finished => Err(StepError::failed(
            "the login host ended the flow without redirecting to the redirect URI",
        )),
    }
}

/// Who the headless browser logs in as: `as` first, then `org.*`.
fn headless_login(ctx: &mut Ctx<'_>, user: &As) -> Result<headless::Login, StepError> {
    let pick = |given: Option<&Text>, default: &str| {
        given.map_or_else(|| default.to_owned(), |t| t.0.clone())
    };
    let secret = pick(
        user.totp_secret.as_ref(),
        Org::text(ctx.org.totp_secret.as_ref()),
    );
    let login = headless::Login {
        username: pick(
            user.username.as_ref(),
            ctx.org.username.as_deref().unwrap_or(""),
        ),
        password: pick(user.password.as_ref(), Org::text(ctx.org.password.as_ref())),
        totp: super::totp_key(ctx, &secret, "`as.totp_secret`")?,
        allow: pick(user.consent.as_ref(), "allow") != "deny",
    };
    ctx.redactor
        .secret("password", &login.password, Class::Credential);
    Ok(login)
}

/// `--browser auto`: sfscenario is the browser, through the login host's pages.
async fn walk(
    ctx: &mut Ctx<'_>,
    user: &As,
    url: &str,
    redirect_uri: Option<&str>,
    out: &mut Output,
) -> Result<(), StepError> {
    let pick = |given: Option<&Text>, default: &str| {
        given.map_or_else(|| default.to_owned(), |t| t.0.clone())
    };
    let secret = pick(
        user.totp_secret.as_ref(),
        Org::text(ctx.org.totp_secret.as_ref()),
    );
    let totp = super::totp_key(ctx, &secret, "`as.totp_secret`")?;
    let login = Login {
        username: pick(
            user.username.as_ref(),
            ctx.org.username.as_deref().unwrap_or(""),
        ),
        password: pick(user.password.as_ref(), Org::text(ctx.org.password.as_ref())),
        totp: totp.map(|key| (key, ctx.clock.clone())),
        allow: pick(user.consent.as_ref(), "allow") != "deny",
    };
    ctx.redactor
        .secret("password", &login.password, Class::Credential);
    let timeout = ctx.settings.step_timeout();
    let started = ctx.clock.now_secs();
    let walked = user_agent::walk(
        ctx.http,
        url,
        redirect_uri,
        &login,
        timeout,
        &mut ctx.exchanges,
    )
    .await;
    ctx.learn_exchange_cookies();
    if let Some((key, _)) = &login.totp {
        super::learn_codes(ctx, key, started);
    }
    ended(ctx, walked?, timeout, out).await
}

/// What the walk's end means for the step: a redirect delivered to the
/// listener, or the login host's refusal, read into the step's result.
async fn ended(
    ctx: &mut Ctx<'_>,
    end: WalkEnd,
    timeout: std::time::Duration,
    out: &mut Output,
) -> Result<(), StepError> {
    match end {
        WalkEnd::Redirected(target) => {
            ctx.learn_redirect(&target);
            if ctx.session.listener.is_some() {
                user_agent::deliver(ctx.http, &target, timeout)
                    .await
                    .map_err(|e| {
                        StepError::failed(format!(
                            "could not deliver the redirect to the callback listener: {e}"
                        ))
                    })?;
            }
            Ok(())
        }
        WalkEnd::Finished => Err(StepError::failed(
            "the login host ended the flow without redirecting to the redirect URI",
        )),
        WalkEnd::ErrorPage(page) => {
            let page = url::Url::parse(&page).map_err(|e| StepError::failed(e.to_string()))?;
            let get = |k: &str| {
                page.query_pairs()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.into_owned())
            };
            out.error = get("error");
            out.error_description = get("error_description");
            ctx.session.listener = None;
            let what = match (&out.error, &out.error_description) {
                (Some(e), Some(d)) => format!("{e} ({d})"),
                (Some(e), None) => e.clone(),
                _ => "no error named".into(),
            };
            Err(StepError::refused(format!(
                "the login host ended on its error page, never redirecting to the redirect URI: {what}"
            )))
        }
        WalkEnd::Refused { status, body } => {
            let fields: Vec<(String, String)> = form_urlencoded::parse(body.trim().as_bytes())
                .into_owned()
                .collect();
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            out.error = get("error");
            out.error_description = get("error_description");
            ctx.session.listener = None;
            let what = out.error.as_ref().map_or_else(
                || format!("HTTP {status}"),
                |e| format!("{e} (HTTP {status})"),
            );
            Err(StepError::refused(format!(
                "the login host refused the authorization request: {what}"
            )))
        }
    }
}

/// Binds the listener of the `callback` step that follows, if any.
async fn bind_next_listener(ctx: &mut Ctx<'_>) -> Result<(), StepError> {
    ctx.session.listener = None;
    let Some(uri) = ctx.next_listen.clone() else {
        return Ok(());
    };
    ctx.session.listener = Some(bind(ctx, &uri).await?);
    Ok(())
}

/// A listener on `uri` that takes only the state the last `authorize` sent.
pub(super) async fn bind(ctx: &Ctx<'_>, uri: &str) -> Result<Listener, StepError> {
    let reserved = url::Url::parse(uri)
        .ok()
        .and_then(|u| u.port())
        .and_then(|port| ctx.ports.take(port));
    let expecting = ListenerOptions::expecting(ctx.session.last_state.clone());
    Ok(Listener::bind(uri, reserved, expecting).await?)
}
