//! The device flow: the verification page goes to a user agent, and the
//! `token` step polls while the server answers `authorization_pending` or
//! `slow_down`.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::runner::browser::{self, Login, Outcome};
use crate::runner::config::BrowserMode;
use crate::runner::http::{Request, human};
use crate::runner::run::{Run, StepError};
use crate::runner::steps::duration;

/// Added to the interval on `slow_down` (RFC 8628).
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// The shortest pause between polls.
const MIN_INTERVAL: Duration = Duration::from_millis(50);

impl Run<'_> {
    /// A token response with a `user_code` starts the user's half of the device flow.
    pub(crate) fn note_device_code(&mut self, result: &Value) {
        let (Some(code), Some(uri)) = (
            result.get("user_code").and_then(Value::as_str),
            result.get("verification_uri").and_then(Value::as_str),
        ) else {
            return;
        };
        let mut url = match url::Url::parse(uri) {
            Ok(u) => u,
            Err(_) => return,
        };
        url.query_pairs_mut().append_pair("user_code", code);
        let url = url.to_string();
        match self.cfg.browser_mode() {
            BrowserMode::Auto => {}
            BrowserMode::System => {
                self.notice(&format!(
                    "Enter the code {code} at {uri} (opening the browser)"
                ));
                if crate::runner::authorize::open_browser(&url).is_err() {
                    self.notice(&format!("Could not open a browser; open {url}"));
                }
            }
            BrowserMode::Print => self.notice(&format!("Enter the code {code} at {uri}\n  {url}")),
        }
        self.device_verification = Some(url);
    }

    /// Polls the token endpoint until the user has answered.
    pub(crate) async fn poll(&mut self, req: Request, poll: &Value) -> Result<Value, StepError> {
        let mut interval = duration(poll, "interval")?.unwrap_or(Duration::from_secs(5));
        let limit = duration(poll, "timeout")?.unwrap_or(Duration::from_secs(300));
        let started = Instant::now();
        loop {
            let reply = self.send(req.clone()).await?;
            let error = reply
                .json
                .as_ref()
                .and_then(|j| j.get("error"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            let waiting = reply.status == 400
                && matches!(error.as_str(), "authorization_pending" | "slow_down");
            if !waiting {
                return Ok(self.token_result(&reply));
            }
            if error == "slow_down" {
                interval += SLOW_DOWN;
            }
            if error == "authorization_pending" && self.cfg.browser_mode() == BrowserMode::Auto {
                self.approve_device().await?;
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
    async fn approve_device(&mut self) -> Result<(), StepError> {
        let Some(url) = self.device_verification.take() else {
            return Ok(());
        };
        let login = Login {
            username: self.org_str("username"),
            password: self.org_str("password"),
            allow: true,
        };
        let timeout = self.cfg.step_timeout();
        let outcome =
            browser::walk(self.http, &url, None, &login, timeout, &mut self.exchanges).await;
        self.learn_exchange_cookies();
        match outcome.map_err(StepError::failed)? {
            Outcome::Finished | Outcome::Redirected(_) => Ok(()),
            Outcome::Refused { status, .. } => Err(StepError::failed(format!(
                "the verification page answered HTTP {status}"
            ))),
            Outcome::ErrorPage(page) => Err(StepError::failed(format!(
                "the verification ended on the login host's error page {}",
                browser::strip_query(&page)
            ))),
        }
    }
}
