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

/// What the probe script sees of the page.
#[derive(Debug, Default, Deserialize)]
struct Probe {
    url: String,
    title: String,
    ready: String,
    /// The mark this walk left on the document, if it is still the same one.
    mark: Option<u64>,
    /// Selector keys with a visible match.
    found: Vec<String>,
    /// Selector keys that are not valid CSS.
    invalid: Vec<String>,
    /// The visible text of the `error` selector's element.
    error: String,
    heading: String,
    text: String,
}

impl Probe {
    fn has(&self, key: &str) -> bool {
        self.found.iter().any(|k| k == key)
    }

    /// Where the page is: its URL without query, and its title.
    fn place(&self) -> String {
        let title = quote(&self.title);
        if title.is_empty() {
            strip_query(&self.url).to_owned()
        } else {
            format!("{} (\"{title}\")", strip_query(&self.url))
        }
    }

    /// What the page says: its error message, else its heading and text.
    fn said(&self) -> String {
        let text = if self.error.trim().is_empty() {
            format!("{} {}", self.heading.trim(), self.text.trim())
        } else {
            self.error.trim().to_owned()
        };
        quote(&text)
    }
}

/// The probe: one round trip reads the page, and marks the document so that
/// a new one is told from it.
const PROBE: &str = r"
const [sel, mark] = arguments;
if (mark !== null) { window.__sfscenarioMark = mark; }
const visible = (e) => e.type !== 'hidden' && !!(e.offsetWidth || e.offsetHeight || e.getClientRects().length);
const found = [], invalid = [];
for (const [key, css] of Object.entries(sel)) {
  try { if (Array.from(document.querySelectorAll(css)).some(visible)) { found.push(key); } }
  catch (e) { invalid.push(key); }
}
let error = '';
try { const e = Array.from(document.querySelectorAll(sel.error)).find(visible); if (e) { error = e.innerText; } } catch (e) {}
const h = document.querySelector('h1, h2');
return { url: location.href, title: document.title, ready: document.readyState,
  mark: (typeof window.__sfscenarioMark === 'number') ? window.__sfscenarioMark : null,
  found, invalid, error, heading: h ? h.innerText : '',
  text: document.body ? document.body.innerText.slice(0, 2000) : '' };
";

/// Takes every secret off the page before it is saved: inputs holding one
/// are emptied, text and attributes holding one show `********`. Values
/// shorter than 8 characters only where they stand whole (as the redactor).
const MASK: &str = r"
const secrets = arguments[0].filter((s) => s.length > 0);
const hides = (v) => secrets.some((s) => s.length >= 8 ? v.includes(s) : v.trim() === s);
const masked = (v) => { let t = v; for (const s of secrets) { t = s.length >= 8 ? t.split(s).join('********') : (t.trim() === s ? '********' : t); } return t; };
for (const e of document.querySelectorAll('input, textarea')) { if (e.value && hides(e.value)) { e.value = ''; } }
const root = document.body || document.documentElement;
if (root) {
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) { if (hides(n.nodeValue)) { n.nodeValue = masked(n.nodeValue); } }
  for (const e of document.querySelectorAll('*')) {
    for (const a of Array.from(e.attributes)) { if (hides(a.value)) { e.setAttribute(a.name, masked(a.value)); } }
  }
}
if (hides(document.title)) { document.title = masked(document.title); }
return true;
";

/// The page kinds the walk answers, by the selectors they match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Page {
    Verification,
    Login,
    Consent,
    UserCode,
    Other,
}

impl Page {
    fn of(probe: &Probe) -> Page {
        if probe.has("totp") {
            Page::Verification
        } else if probe.has("password") {
            Page::Login
        } else if probe.has("allow") || probe.has("deny") {
            Page::Consent
        } else if probe.has("user_code") {
            Page::UserCode
        } else {
            Page::Other
        }
    }

    fn name(self) -> &'static str {
        match self {
            Page::Verification => "verification",
            Page::Login => "login",
            Page::Consent => "consent",
            Page::UserCode => "device code",
            Page::Other => "other",
        }
    }
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

    /// Marks the document about to be acted on, so that the next one is
    /// told from it.
    async fn mark_page(&mut self) -> Result<(), String> {
        self.mark += 1;
        self.probe(Some(self.mark)).await.map(drop)
    }

    /// Waits until the document marked last has been replaced.
    async fn wait_for_next_page(&self) -> Result<(), String> {
        loop {
            let probe = self.probe(None).await?;
            if probe.mark != Some(self.mark) {
                return Ok(());
            }
            self.pause(&probe).await?;
        }
    }

    async fn probe(&self, mark: Option<u64>) -> Result<Probe, String> {
        let selectors: serde_json::Map<String, Value> = self
            .walk
            .selectors
            .named()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned())))
            .collect();
        let value = self
            .within(
                "reading the page",
                self.client
                    .execute(PROBE, vec![Value::Object(selectors), json!(mark)]),
            )
            .await?;
        serde_json::from_value(value).map_err(|e| format!("unreadable page probe: {e}"))
    }

    /// Sleeps a little, or fails when the deadline has passed.
    async fn pause(&self, probe: &Probe) -> Result<(), String> {
        if Instant::now() + POLL > self.deadline {
            return Err(format!(
                "timed out after {} at {}",
                crate::duration::human(self.walk.timeout),
                probe.place()
            ));
        }
        tokio::time::sleep(POLL).await;
        Ok(())
    }

    /// The first visible element `css` matches.
    async fn visible(&self, css: &str, what: &str) -> Result<Element, String> {
        let all = self
            .within(what, self.client.find_all(Locator::Css(css)))
            .await?;
        for element in all {
            if element.is_displayed().await.unwrap_or(false) {
                return Ok(element);
            }
        }
        Err(format!("{what} (`{css}`) is not on the page"))
    }

    async fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let element = self.visible(css, "an input").await?;
        // A field the page fills in and locks (a remembered username) is left.
        if element.prop("readOnly").await.ok().flatten().as_deref() == Some("true") {
            return Ok(());
        }
        let _ = self.within("typing", element.clear()).await;
        self.within("typing", element.send_keys(text)).await
    }

    /// Presses the button `css` matches, or Enter in the `field` when the
    /// page has no such button.
    async fn submit(&self, css: &str, field: &str) -> Result<(), String> {
        if !css.is_empty()
            && let Ok(button) = self.visible(css, "the submit button").await
        {
            return self.within("pressing the button", button.click()).await;
        }
        let element = self.visible(field, "an input").await?;
        self.within("pressing Enter", element.send_keys("\u{e007}"))
            .await
    }

    /// Runs one WebDriver command within what is left of the deadline.
    async fn within<T>(
        &self,
        what: &str,
        command: impl Future<Output = Result<T, CmdError>>,
    ) -> Result<T, String> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, command).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) if !(e.is_timeout() || e.is_script_timeout()) => {
                Err(format!("{what}: {}", webdriver_error(&e)))
            }
            // The browser's own page-load or script timeout (set to the
            // deadline), or the deadline itself.
            Ok(Err(_)) | Err(_) => {
                self.timed_out.store(true, Ordering::Relaxed);
                Err(format!(
                    "timed out after {} while {what}",
                    crate::duration::human(self.walk.timeout)
                ))
            }
        }
    }

    fn invalid_selectors(&self, keys: &[String]) -> String {
        let named = self.walk.selectors.named();
        let list: Vec<String> = keys
            .iter()
            .map(|k| {
                let css = named.iter().find(|(n, _)| n == k).map_or("", |(_, v)| *v);
                format!("`authorize.as.selectors.{k}` (`{css}`)")
            })
            .collect();
        format!("not a valid CSS selector: {}", list.join(", "))
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

/// A WebDriver error in one line.
fn webdriver_error(e: &CmdError) -> String {
    match e {
        CmdError::Standard(w) => w.message.lines().next().unwrap_or_default().to_owned(),
        other => other.to_string(),
    }
}

/// The failed page, masked, then photographed and saved as HTML; each part
/// that cannot be had in time is left out.
async fn capture(client: &Client, secrets: &[String]) -> Captured {
    let secrets: Vec<Value> = secrets.iter().map(|s| json!(s)).collect();
    let masked = matches!(
        tokio::time::timeout(CAPTURE, client.execute(MASK, vec![Value::Array(secrets)])).await,
        Ok(Ok(_))
    );
    let url = match tokio::time::timeout(CAPTURE, client.current_url()).await {
        Ok(Ok(u)) => u.to_string(),
        _ => String::new(),
    };
    let title = match tokio::time::timeout(CAPTURE, client.title()).await {
        Ok(Ok(t)) => t,
        _ => String::new(),
    };
    // Without the mask, nothing of the page is kept: it may show a secret.
    if !masked {
        return Captured {
            url,
            title,
            ..Captured::default()
        };
    }
    let text = match tokio::time::timeout(CAPTURE, client.execute(TEXT, Vec::new())).await {
        Ok(Ok(Value::String(text))) => text,
        _ => String::new(),
    };
    let screenshot = match tokio::time::timeout(CAPTURE, client.screenshot()).await {
        Ok(Ok(png)) => Some(png),
        _ => None,
    };
    let html = match tokio::time::timeout(CAPTURE, client.source()).await {
        Ok(Ok(html)) => Some(html),
        _ => None,
    };
    Captured {
        url,
        title,
        text,
        screenshot,
        html,
    }
}

/// The page's visible text (read after [`MASK`]).
const TEXT: &str = "return document.body ? document.body.innerText.slice(0, 2000) : '';";

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
mod tests {
    use super::{Page, Probe, quote, same_resource};

    fn probe(found: &[&str]) -> Probe {
        Probe {
            found: found.iter().map(|s| (*s).to_owned()).collect(),
            ..Probe::default()
        }
    }

    #[test]
    fn pages_are_told_by_what_they_show() {
        assert_eq!(
            Page::of(&probe(&["username", "password", "login"])),
            Page::Login
        );
        assert_eq!(Page::of(&probe(&["password"])), Page::Login);
        assert_eq!(Page::of(&probe(&["totp", "verify"])), Page::Verification);
        assert_eq!(Page::of(&probe(&["allow", "deny"])), Page::Consent);
        assert_eq!(Page::of(&probe(&["user_code"])), Page::UserCode);
        assert_eq!(Page::of(&probe(&["error"])), Page::Other);
    }

    #[test]
    fn the_redirect_uri_is_matched_without_query_or_fragment() {
        let r = "http://localhost:8000/callback";
        assert!(same_resource("http://localhost:8000/callback?code=x", r));
        assert!(same_resource(
            "http://localhost:8000/callback#access_token=x",
            r
        ));
        assert!(!same_resource("http://localhost:8001/callback", r));
        assert!(!same_resource("http://localhost:8000/callback/x", r));
    }

    #[test]
    fn page_text_is_quoted_on_one_line_and_cut() {
        assert_eq!(quote("  a\n b\t c "), "a b c");
        let long = "x".repeat(400);
        assert_eq!(quote(&long).chars().count(), 301);
        let p = Probe {
            error: " Please check your username and password. ".into(),
            heading: "Log In".into(),
            ..Probe::default()
        };
        assert_eq!(p.said(), "Please check your username and password.");
    }
}
