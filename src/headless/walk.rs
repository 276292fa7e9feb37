//! The walk through the login host's pages in a headless Chromium: from the
//! authorize URL (or the device flow's verification URL) to the redirect
//! URI, answering each page as the user would — the login form, the
//! "Verify Your Identity" page with a one-time code, the consent page — and
//! recognising each page only by the selectors.
//!
//! Every wait is bounded by the walk's deadline. When a page does not match
//! what the walk expects (a refused password or code, a page it does not
//! know, a deadline passed), the walk fails with what the page said, and a
//! screenshot and the page's HTML, with every secret taken off the page
//! first, go to the caller.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::{Client, Locator};
use serde::Deserialize;
use serde_json::{Value, json};

use super::chromium::{Chromium, Tools};
use super::selectors::Selectors;
use crate::clock::Clock;
use crate::totp::Totp;

mod actions;
mod capture;
mod page;

use capture::{capture, webdriver_error};
use page::{Page, Probe};

/// Who logs in and what they answer.
pub struct Login {
    pub username: String,
    pub password: String,
    /// The user's authenticator key, for the verification page.
    pub totp: Option<Totp>,
    pub allow: bool,
}

/// One walk.
pub struct Walk<'a> {
    pub start: &'a str,
    /// Where the walk ends: the redirect URI (its query and fragment
    /// ignored). `None`: the device flow, which ends on a page after the
    /// decision.
    pub redirect_uri: Option<&'a str>,
    /// A callback listener serves the redirect URI: the walk waits for its
    /// page (which relays a URL fragment) before the browser closes.
    pub listener: bool,
    pub login: &'a Login,
    pub selectors: &'a Selectors,
    /// One-time codes are computed on this clock (the mock's, with `--seed`).
    pub clock: &'a Clock,
    pub timeout: Duration,
    /// Values to take off a page before it is saved (every secret known).
    pub secrets: Vec<String>,
}

/// How the walk ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reached {
    /// The browser arrived at the redirect URI (this URL).
    Redirect(String),
    /// After the decision, a page that asks nothing more (the device flow).
    Finished,
}

/// A page as it was when the walk failed.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    pub url: String,
    pub title: String,
    /// The page's visible text, secrets taken off (empty when they could
    /// not be).
    pub text: String,
    /// PNG.
    pub screenshot: Option<Vec<u8>>,
    pub html: Option<String>,
}

impl Captured {
    /// Where the page is: its URL without query, and its title.
    fn place(&self) -> String {
        let title = quote(&self.title);
        if title.is_empty() {
            strip_query(&self.url).to_owned()
        } else {
            format!("{} (\"{title}\")", strip_query(&self.url))
        }
    }
}

/// Why the walk failed, and the page it failed on.
#[derive(Debug)]
pub struct WalkError {
    pub why: String,
    pub page: Option<Captured>,
    /// The pages the walk answered before, in order (`login → verification`).
    pub pages: Vec<&'static str>,
}

/// How often a page is looked at while the walk waits.
const POLL: Duration = Duration::from_millis(100);
/// A page that matches nothing is taken as unexpected once it has been
/// loaded this long (redirects through intermediate pages settle sooner).
const SETTLE: Duration = Duration::from_secs(3);
/// The longest time spent saving a failed page.
const CAPTURE: Duration = Duration::from_secs(10);
/// The longest page text quoted in a message.
const QUOTE: usize = 300;

/// Walks from `walk.start` in a new headless Chromium.
///
/// # Errors
///
/// What went wrong, with the page it went wrong on when there was one.
pub async fn walk(tools: &Tools, walk: &Walk<'_>) -> Result<Reached, WalkError> {
    let deadline = Instant::now() + walk.timeout;
    let chromium = Chromium::launch(tools, walk.timeout)
        .await
        .map_err(|e| WalkError {
            why: e.to_string(),
            page: None,
            pages: Vec::new(),
        })?;
    // The browser's own waits end at the deadline too, so that a page still
    // loading then is stopped and can be captured at once.
    let left = deadline.saturating_duration_since(Instant::now());
    let timeouts = TimeoutConfiguration::new(Some(left), Some(left), Some(Duration::ZERO));
    let _ = tokio::time::timeout(left, chromium.client().update_timeouts(timeouts)).await;
    let mut walker = Walker {
        client: chromium.client(),
        walk,
        deadline,
        pages: Vec::new(),
        mark: 0,
        typed: Vec::new(),
        timed_out: AtomicBool::new(false),
    };
    let result = match walker.run().await {
        Ok(reached) => Ok(reached),
        Err(mut why) => {
            let mut secrets = walk.secrets.clone();
            secrets.extend(walker.typed);
            let page = capture(chromium.client(), &secrets).await;
            // A command that ran out of time could not read the page: what
            // the page shows is taken from the capture.
            if walker.timed_out.load(Ordering::Relaxed) && !page.url.is_empty() {
                why.push_str(&format!(" at {}", page.place()));
                if !page.text.trim().is_empty() {
                    why.push_str(&format!(": {}", quote(&page.text)));
                }
            }
            Err(WalkError {
                why,
                page: Some(page),
                pages: walker.pages,
            })
        }
    };
    chromium.close().await;
    result
}

struct Walker<'a> {
    client: &'a Client,
    walk: &'a Walk<'a>,
    deadline: Instant,
    /// The pages answered so far.
    pages: Vec<&'static str>,
    /// The mark left on the document last acted on.
    mark: u64,
    /// One-time codes typed, kept off a saved page.
    typed: Vec<String>,
    /// A WebDriver command ran out of time.
    timed_out: AtomicBool,
}

impl Walker<'_> {
    async fn run(&mut self) -> Result<Reached, String> {
        let start = self.walk.start;
        self.within("loading the first page", self.client.goto(start))
            .await?;
        let mut unmatched_since: Option<Instant> = None;
        loop {
            let probe = self.probe(None).await?;
            if !probe.invalid.is_empty() {
                return Err(self.invalid_selectors(&probe.invalid));
            }
            if let Some(reached) = self.at_redirect(&probe).await? {
                return Ok(reached);
            }
            let page = Page::of(&probe);
            if probe.ready != "complete" || page == Page::Other {
                if page == Page::Other
                    && probe.ready == "complete"
                    && self.walk.redirect_uri.is_none()
                    && self.pages.contains(&"consent")
                {
                    return Ok(Reached::Finished);
                }
                let since = *unmatched_since.get_or_insert_with(Instant::now);
                if probe.ready == "complete" && since.elapsed() >= SETTLE {
                    return Err(format!(
                        "unexpected page at {}: {}",
                        probe.place(),
                        probe.said()
                    ));
                }
                self.pause(&probe).await?;
                continue;
            }
            unmatched_since = None;
            self.answer(page, &probe).await?;
            self.pages.push(page.name());
            self.wait_for_next_page().await?;
        }
    }

    /// Answers one page.
    async fn answer(&mut self, page: Page, probe: &Probe) -> Result<(), String> {
        let seen_before = self.pages.contains(&page.name());
        let login = self.walk.login;
        match page {
            Page::Login if seen_before => Err(format!(
                "login as {} failed: {}",
                login.username,
                probe.said()
            )),
            Page::Verification if seen_before => Err(format!(
                "the verification code was refused: {}",
                probe.said()
            )),
            _ if seen_before => Err(format!(
                "the {} page came back: {}",
                page.name(),
                probe.said()
            )),
            Page::Login => {
                self.mark_page().await?;
                let s = self.walk.selectors;
                if probe.has("username") {
                    self.type_into(&s.username, &login.username).await?;
                }
                self.type_into(&s.password, &login.password).await?;
                self.submit(&s.login, &s.password).await
            }
            Page::Verification => {
                let Some(totp) = &login.totp else {
                    return Err(format!(
                        "the login host asks for a verification code (\"{}\"): set SF_TOTP_SECRET, \
                         or `authorize.as.totp_secret`, to the user's authenticator key",
                        quote(&probe.title)
                    ));
                };
                self.mark_page().await?;
                let code = self.fresh_code(totp).await?;
                self.typed.push(code.clone());
                let s = self.walk.selectors;
                self.type_into(&s.totp, &code).await?;
                self.submit(&s.verify, &s.totp).await
            }
            Page::Consent => {
                self.mark_page().await?;
                let s = self.walk.selectors;
                let button = if login.allow { &s.allow } else { &s.deny };
                let element = self.visible(button, "the consent page's button").await?;
                self.within("pressing the consent button", element.click())
                    .await
            }
            Page::UserCode => {
                let code = url::Url::parse(self.walk.start)
                    .ok()
                    .and_then(|u| {
                        u.query_pairs()
                            .find(|(k, _)| k == "user_code")
                            .map(|(_, v)| v.into_owned())
                    })
                    .ok_or("the verification page asks for the user code, which its URL lacks")?;
                self.mark_page().await?;
                let s = self.walk.selectors;
                self.type_into(&s.user_code, &code).await?;
                self.submit("", &s.user_code).await
            }
            Page::Other => Ok(()),
        }
    }

    /// The code of the current 30-second step — unless this process typed it
    /// already (a login moments before): a server must not accept a code
    /// twice (RFC 6238, section 5.2), so the walk waits for the next one.
    /// Only on the wall clock: a logical clock does not move by waiting.
    async fn fresh_code(&self, totp: &Totp) -> Result<String, String> {
        let clock = self.walk.clock;
        loop {
            let now = clock.now_secs();
            if !clock.is_system() || used_codes::first_use(totp, now) {
                return Ok(totp.code_at(now));
            }
            let step_ms = crate::totp::STEP_SECS * 1000;
            let wait = Duration::from_millis(step_ms - clock.now_ms() % step_ms + 50);
            if Instant::now() + wait > self.deadline {
                return Err(format!(
                    "this run typed the current one-time code already, and the next one comes \
                     after the step's timeout ({}): give the step more time (--timeout)",
                    crate::duration::human(self.walk.timeout)
                ));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// At the redirect URI: done, once the listener's page has relayed what
    /// the URL carries.
    async fn at_redirect(&self, probe: &Probe) -> Result<Option<Reached>, String> {
        let Some(redirect) = self.walk.redirect_uri else {
            return Ok(None);
        };
        if !same_resource(&probe.url, redirect) {
            return Ok(None);
        }
        let arrived = probe.url.clone();
        if self.walk.listener {
            // The listener's answer page has a heading; its relay page (the
            // user-agent flow's fragment) writes one once the relay is done.
            let mut probe = self.probe(None).await?;
            while probe.heading.trim().is_empty() {
                self.pause(&probe).await?;
                probe = self.probe(None).await?;
            }
        }
        Ok(Some(Reached::Redirect(arrived)))
    }
}

/// The 30-second steps whose code this process has typed, per key: the
/// process's logins share them, whichever scenario they belong to.
mod used_codes {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};

    use crate::totp::{STEP_SECS, Totp};

    static USED: OnceLock<Mutex<HashMap<String, u64>>> = OnceLock::new();

    /// Records the step of `unix_secs` for `totp`; false when it was
    /// recorded before.
    pub(super) fn first_use(totp: &Totp, unix_secs: u64) -> bool {
        let step = unix_secs / STEP_SECS;
        let Ok(mut used) = USED.get_or_init(Mutex::default).lock() else {
            return true;
        };
        let key = totp.fingerprint();
        if used.get(&key) == Some(&step) {
            return false;
        }
        used.insert(key, step);
        true
    }
}

/// Whether two URLs name the same resource (scheme, host, port and path).
fn same_resource(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
                && a.path() == b.path()
        }
        _ => false,
    }
}

fn strip_query(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}

/// Page text for a message: one line, at most [`QUOTE`] characters.
fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > QUOTE {
        let cut: String = one_line.chars().take(QUOTE).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests;
