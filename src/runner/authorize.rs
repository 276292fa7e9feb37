//! `authorize` and `callback`: the browser half of the flows. The listener of
//! the `callback` step that follows an `authorize` step is bound before the
//! URL is handed to a user agent, so no redirect is ever lost.

use rand::Rng as _;
use serde_json::{Map, Value};

use crate::runner::browser::{self, Login, Outcome};
use crate::runner::callback::{Listener, ListenerOptions};
use crate::runner::config::BrowserMode;
use crate::runner::run::{Run, StepError};
use crate::runner::steps::{duration, get_str, pairs, text};
use crate::scenario::model::{Kind, Step};
use crate::secret::Class;

const STATE_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

impl Run<'_> {
    pub(crate) async fn authorize(
        &mut self,
        step: &Step,
        params: &Value,
    ) -> Result<Value, StepError> {
        let base = get_str(params, "url").map_or_else(
            || format!("{}/services/oauth2/authorize", self.login_url()),
            str::to_owned,
        );
        let mut query = pairs(params, "params")?;
        let state = match query.iter().find(|(k, _)| k == "state") {
            Some((_, s)) => s.clone(),
            None => {
                let s: String = (0..16)
                    .map(|_| {
                        char::from(STATE_ALPHABET[self.rng.random_range(0..STATE_ALPHABET.len())])
                    })
                    .collect();
                query.push(("state".into(), s.clone()));
                s
            }
        };
        self.redactor.volatile("state", &state);
        if let Some((_, nonce)) = query.iter().find(|(k, _)| k == "nonce") {
            self.redactor.volatile("nonce", &nonce.clone());
        }
        let mut url = reqwest::Url::parse(&base)
            .map_err(|e| StepError::failed(format!("invalid authorize URL `{base}`: {e}")))?;
        url.query_pairs_mut().extend_pairs(&query);
        let url = url.to_string();
        self.last_state = Some(state.clone());
        self.bind_next_listener(step).await?;
        let redirect_uri = query
            .iter()
            .find(|(k, _)| k == "redirect_uri")
            .map(|(_, v)| v.clone());
        let mut result = Map::new();
        result.insert("url".into(), url.clone().into());
        result.insert("state".into(), state.into());
        result.insert("error".into(), Value::Null);
        result.insert("error_description".into(), Value::Null);
        match self.cfg.browser_mode() {
            BrowserMode::Auto => {
                if let Err(mut e) = self
                    .user_agent(params, &url, redirect_uri.as_deref(), &mut result)
                    .await
                {
                    e.result
                        .get_or_insert_with(|| Value::Object(result.clone()));
                    return Err(e);
                }
            }
            BrowserMode::System => {
                self.notice(&format!("Opening the browser at {url}"));
                if let Err(e) = open_browser(&url) {
                    self.notice(&format!(
                        "Could not open a browser ({e}); open this URL yourself:\n  {url}"
                    ));
                }
            }
            BrowserMode::Print => self.notice(&format!("Open this URL in a browser:\n  {url}")),
        }
        Ok(result.into())
    }

    async fn user_agent(
        &mut self,
        params: &Value,
        url: &str,
        redirect_uri: Option<&str>,
        result: &mut Map<String, Value>,
    ) -> Result<(), StepError> {
        let who = params.get("as");
        let pick = |k: &str, default: &str| {
            who.and_then(|w| w.get(k))
                .and_then(text)
                .unwrap_or_else(|| default.to_owned())
        };
        let login = Login {
            username: pick("username", &self.org_str("username")),
            password: pick("password", &self.org_str("password")),
            allow: pick("consent", "allow") != "deny",
        };
        self.redactor
            .secret("password", &login.password, Class::Credential);
        let timeout = self.cfg.step_timeout();
        let outcome = browser::walk(
            self.http,
            url,
            redirect_uri,
            &login,
            timeout,
            &mut self.exchanges,
        )
        .await;
        self.learn_exchange_cookies();
        match outcome.map_err(StepError::failed)? {
            Outcome::Redirected(target) => {
                self.learn_redirect(&target);
                if self.listener.is_some() {
                    browser::deliver(self.http, &target, timeout)
                        .await
                        .map_err(|e| {
                            StepError::failed(format!(
                                "could not deliver the redirect to the callback listener: {e}"
                            ))
                        })?;
                }
                Ok(())
            }
            Outcome::Finished => Err(StepError::failed(
                "the login host ended the flow without redirecting to the redirect URI",
            )),
            Outcome::ErrorPage(page) => {
                let url = url::Url::parse(&page).map_err(|e| StepError::failed(e.to_string()))?;
                let get = |k: &str| {
                    url.query_pairs()
                        .find(|(n, _)| n == k)
                        .map(|(_, v)| v.into_owned())
                };
                let error = get("error");
                let description = get("error_description");
                result.insert("error".into(), error.clone().into());
                result.insert("error_description".into(), description.clone().into());
                self.listener = None;
                let what = match (error, description) {
                    (Some(e), Some(d)) => format!("{e} ({d})"),
                    (Some(e), None) => e,
                    _ => "no error named".into(),
                };
                Err(StepError::soft(format!(
                    "the login host ended on its error page, never redirecting to the redirect URI: {what}"
                )))
            }
            Outcome::Refused { status, body } => {
                let fields: Vec<(String, String)> = form_urlencoded::parse(body.trim().as_bytes())
                    .into_owned()
                    .collect();
                let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                let error = get("error");
                result.insert("error".into(), error.clone().into());
                result.insert("error_description".into(), get("error_description").into());
                self.listener = None;
                let what = error.map_or_else(
                    || format!("HTTP {status}"),
                    |e| format!("{e} (HTTP {status})"),
                );
                Err(StepError::soft(format!(
                    "the login host refused the authorization request: {what}"
                )))
            }
        }
    }

    /// Binds the listener of the `callback` step that follows, if any.
    async fn bind_next_listener(&mut self, step: &Step) -> Result<(), StepError> {
        self.listener = None;
        let Some(next) = self
            .scenario
            .steps
            .iter()
            .skip(step.index)
            .find(|s| s.kind == Kind::Callback)
        else {
            return Ok(());
        };
        let Ok(params) = self.render_params(next) else {
            return Ok(()); // the callback step reports its own template error
        };
        let Some(uri) = get_str(&params, "listen") else {
            return Ok(());
        };
        let expecting = ListenerOptions::expecting(self.last_state.clone());
        let listener = Listener::bind(uri, self.reserved_for(uri), expecting)
            .await
            .map_err(StepError::failed)?;
        self.listener = Some(listener);
        Ok(())
    }

    pub(crate) async fn callback(&mut self, params: &Value) -> Result<Value, StepError> {
        let uri = get_str(params, "listen")
            .ok_or_else(|| StepError::input("`listen` must be a string"))?;
        let mut listener = match self.listener.take() {
            Some(l) if l.uri == uri => l,
            _ => {
                let expecting = ListenerOptions::expecting(self.last_state.clone());
                Listener::bind(uri, self.reserved_for(uri), expecting)
                    .await
                    .map_err(StepError::failed)?
            }
        };
        let timeout = match duration(params, "timeout")? {
            Some(t) if self.cfg.timeout.is_none() => t,
            _ => self.cfg.callback_timeout(),
        };
        if self.cfg.browser_mode() != BrowserMode::Auto {
            self.notice(&format!(
                "Waiting for the redirect to {uri} (timeout {})…",
                crate::runner::http::human(timeout)
            ));
        }
        let waited = if self.cfg.browser_mode() == BrowserMode::Auto {
            // The built-in user agent has delivered its redirect already:
            // when that was refused, no other will come.
            let patience = match listener.rejected() {
                0 => timeout,
                _ => std::time::Duration::ZERO,
            };
            listener.wait(patience).await
        } else {
            self.wait_with_countdown(&mut listener, uri, timeout).await
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
                crate::runner::http::human(timeout)
            )));
        };
        self.exchanges.extend(delivery.exchanges);
        let get = |k: &str| {
            delivery
                .params
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        };
        let mut all = Map::new();
        for (k, v) in &delivery.params {
            all.insert(k.clone(), v.clone().into());
        }
        self.learn_token_values(&all);
        let mut result = Map::new();
        for k in ["code", "state", "error", "error_description"] {
            result.insert(k.into(), get(k).into());
        }
        result.insert("params".into(), all.into());
        // The listener delivers only a redirect with the state that was sent.
        Ok(result.into())
    }

    /// The socket `free_port()` reserved, when `uri` uses that port.
    fn reserved_for(&self, uri: &str) -> Option<std::net::TcpListener> {
        let port = url::Url::parse(uri).ok()?.port()?;
        self.templates.take_reserved(port)
    }

    /// Waits for the browser, showing the time left once a second.
    async fn wait_with_countdown(
        &self,
        listener: &mut Listener,
        uri: &str,
        timeout: std::time::Duration,
    ) -> Option<crate::runner::callback::Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        let result = loop {
            tokio::select! {
                d = listener.wait(deadline.saturating_duration_since(tokio::time::Instant::now())) => break d,
                _ = tick.tick() => {
                    let left = deadline.saturating_duration_since(tokio::time::Instant::now()).as_secs();
                    self.events.progress(&format!("Waiting for the redirect to {uri}… {left}s left"));
                }
            }
        };
        self.events.progress("");
        result
    }

    /// Codes and tokens in a redirect URL are secrets from the moment they are seen.
    fn learn_redirect(&mut self, target: &str) {
        let Ok(url) = url::Url::parse(target) else {
            return;
        };
        let mut fields = Map::new();
        for (k, v) in url.query_pairs() {
            fields.insert(k.into_owned(), v.into_owned().into());
        }
        if let Some(fragment) = url.fragment() {
            for (k, v) in form_urlencoded::parse(fragment.as_bytes()) {
                fields.insert(k.into_owned(), v.into_owned().into());
            }
        }
        self.learn_token_values(&fields);
    }

    /// Session cookies set in the step's exchanges so far (the user agent's
    /// pages) are secrets.
    pub(crate) fn learn_exchange_cookies(&mut self) {
        let headers: Vec<(String, String)> = self
            .exchanges
            .iter()
            .filter_map(|e| e.response.as_ref())
            .flat_map(|r| r.headers.iter().cloned())
            .collect();
        self.learn_cookies(&headers);
    }

    /// Session cookies a server sets are secrets.
    pub(crate) fn learn_cookies(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((_, value)) = v.split(';').next().and_then(|c| c.split_once('='))
            {
                self.redactor
                    .secret("session_id", value.trim(), Class::Token);
            }
        }
    }
}

/// Opens the system browser (`$BROWSER` first).
pub fn open_browser(url: &str) -> Result<(), String> {
    let candidates: Vec<String> = match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => vec![b],
        _ if cfg!(target_os = "macos") => vec!["open".into()],
        _ if cfg!(windows) => vec!["explorer".into()],
        _ => vec!["xdg-open".into()],
    };
    for c in candidates {
        let mut parts = c.split_whitespace();
        let Some(program) = parts.next() else {
            continue;
        };
        let spawned = std::process::Command::new(program)
            .args(parts)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if spawned.is_ok() {
            return Ok(());
        }
    }
    Err("no browser could be started".into())
}
