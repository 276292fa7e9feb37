//! What a step may use while it runs: the HTTP client, the org's values, the
//! redactor that learns every secret the moment it is made or seen, the
//! state that outlives one step (the callback listener, the last token), and
//! the terminal.

use std::time::Duration;

use rand_chacha::ChaCha20Rng;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::log::{Exchange, ScenarioLog, StepLog};
use crate::net::client::{Http, Reply, Request};
use crate::net::listener::Listener;
use crate::org::Org;
use crate::ports::Reservation;
use crate::secret::{Class, Redactor};

use super::StepError;
use super::fields::scalar_text;

/// Live notifications while a scenario runs.
pub trait Events: Send + Sync {
    /// The scenario passed its checks and its first step is about to run;
    /// `redactor` knows the values made so far (vars, `org`).
    fn started(&self, _log: &ScenarioLog, _redactor: &Redactor) {}
    /// A step finished.
    fn step(&self, _step: &StepLog, _redactor: &Redactor) {}
    /// Something the person at the terminal should see now (URLs, waiting).
    fn notice(&self, _message: &str, _redactor: &Redactor) {}
    /// A status line that replaces the previous one (countdowns); empty clears it.
    fn progress(&self, _message: &str) {}
}

/// No live output.
pub struct Quiet;
impl Events for Quiet {}

/// How an `authorize` step reaches a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserMode {
    /// sfscenario is the browser: it logs in and approves over real HTTP.
    Auto,
    /// Open the system browser.
    System,
    /// Only print the URL.
    Print,
    /// A headless Chromium logs in, answers the MFA page and the consent
    /// page (for CI against a real org).
    Headless,
}

impl std::str::FromStr for BrowserMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(BrowserMode::Auto),
            "system" => Ok(BrowserMode::System),
            "print" => Ok(BrowserMode::Print),
            "headless" => Ok(BrowserMode::Headless),
            _ => Err(format!(
                "unknown browser mode `{s}` (auto, system, print, headless)"
            )),
        }
    }
}

/// What the command line settles for every step.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub browser: BrowserMode,
    /// `--timeout`: every exchange's timeout, and the callback's.
    pub timeout: Option<Duration>,
}

impl Settings {
    #[must_use]
    pub fn step_timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration::from_secs(30))
    }

    #[must_use]
    pub fn callback_timeout(&self) -> Duration {
        self.timeout.unwrap_or(Duration::from_secs(120))
    }
}

/// What one step leaves for the next ones.
#[derive(Default)]
pub struct Session {
    /// The listener an `authorize` step bound for the `callback` after it.
    pub listener: Option<Listener>,
    /// The `state` the last `authorize` step sent.
    pub last_state: Option<String>,
    /// The device flow's verification URL, until a user agent has opened it.
    pub device_verification: Option<String>,
    /// `instance_url` and `access_token` of the last token response that had them.
    pub last_token: Option<(String, String)>,
}

/// A running step's view of the run.
pub struct Ctx<'a> {
    pub http: &'a Http,
    pub settings: Settings,
    pub events: &'a dyn Events,
    pub redactor: &'a mut Redactor,
    pub rng: &'a mut ChaCha20Rng,
    /// Clock values (`exp` of a JWT). Timeouts use the wall clock.
    pub clock: &'a Clock,
    pub org: &'a Org,
    pub session: &'a mut Session,
    /// The port `free_port()` reserved.
    pub ports: &'a Reservation,
    /// Names declared in `secrets:`.
    pub secret_names: &'a [String],
    /// The scenario file's folder: paths in parameters are relative to it.
    pub base_dir: &'a std::path::Path,
    /// For an `authorize` step: the `listen` URI of the `callback` step that
    /// follows it, rendered, so its listener is bound before the browser goes.
    pub next_listen: Option<String>,
    /// Every exchange the step made or received, in order.
    pub exchanges: Vec<Exchange>,
    /// Variables the step defines (`set`).
    pub vars: Vec<(String, Value)>,
    /// The running step's 1-based index.
    pub step_index: usize,
    /// `--browser headless`: the browser's programs and where a page it
    /// fails on is saved.
    pub headless: Option<&'a crate::headless::Setup>,
}

/// Form fields whose values are secret, and their class.
pub const SECRET_FIELDS: &[(&str, Class)] = &[
    ("client_secret", Class::Credential),
    ("password", Class::Credential),
    // Salesforce's login form calls the password `pw`.
    ("pw", Class::Credential),
    ("security_token", Class::Credential),
    ("code", Class::Token),
    ("code_verifier", Class::Token),
    ("refresh_token", Class::Token),
    ("access_token", Class::Token),
    ("id_token", Class::Token),
    ("assertion", Class::Token),
    ("client_assertion", Class::Token),
    ("device_code", Class::Token),
    ("token", Class::Token),
];

/// Fields of JSON replies that hold clock values: snapshots show `[timestamp]`.
const CLOCK_FIELDS: &[&str] = &[
    "exp",
    "iat",
    "nbf",
    "auth_time",
    "issued_at",
    "updated_at",
    "created_date",
    "last_modified_date",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
];

impl Ctx<'_> {
    /// The login host of the org.
    #[must_use]
    pub fn login_url(&self) -> &str {
        &self.org.login_url
    }

    /// Tells the person at the terminal something now, secrets redacted.
    pub fn notice(&self, message: &str) {
        self.events.notice(message, self.redactor);
    }

    /// Sends a request, logs the exchange, learns the reply's secrets, and
    /// turns transport errors into step errors.
    pub async fn send(&mut self, req: Request) -> Result<Reply, StepError> {
        let oauth = req.url.contains("/services/oauth2/");
        let (exchange, reply) = self.http.send(req).await;
        self.exchanges.push(exchange);
        if let Ok(reply) = &reply {
            self.learn_reply(reply, oauth);
            if let Some(json) = &reply.json {
                self.learn_timestamps(json);
            }
        }
        Ok(reply?)
    }

    /// Secret form fields of a request.
    pub fn learn_form(&mut self, form: &[(String, String)]) {
        for (k, v) in form {
            if let Some((_, class)) = SECRET_FIELDS.iter().find(|(n, _)| n == k) {
                self.redactor.secret(k, v, *class);
            }
        }
    }

    /// The secret and volatile values of a token response (or of a redirect's
    /// parameters).
    pub fn learn_token_values(&mut self, fields: &Map<String, Value>) {
        for (name, class) in SECRET_FIELDS {
            if let Some(v) = fields.get(*name).and_then(Value::as_str) {
                self.redactor.secret(name, v, *class);
            }
        }
        if let Some(v) = fields.get("signature").and_then(Value::as_str) {
            self.redactor.clock("signature", v);
            // It signs the identity URL, whose host is the mock's port.
            self.redactor.readable(v, "[signature]");
        }
        if let Some(v) = fields.get("issued_at").and_then(scalar_text) {
            self.redactor.clock("timestamp", &v);
        }
        if let Some(v) = fields.get("user_code").and_then(Value::as_str) {
            self.redactor.volatile("user_code", v);
        }
    }

    /// Tokens in any reply are secrets from the moment they arrive, whichever
    /// step asked: token fields of JSON (an OAuth endpoint called with
    /// `request`), a SOAP `sessionId` (partner `login`), session cookies.
    fn learn_reply(&mut self, reply: &Reply, oauth: bool) {
        const ALWAYS: &[&str] = &["access_token", "refresh_token", "id_token"];
        const OAUTH: &[&str] = &["code", "device_code"];
        if let Some(Value::Object(json)) = &reply.json {
            for (k, v) in json {
                let secret = ALWAYS.contains(&k.as_str()) || (oauth && OAUTH.contains(&k.as_str()));
                if let (true, Some(v)) = (secret, v.as_str())
                    && v.chars().count() >= 8
                {
                    self.redactor.secret(k, v, Class::Token);
                }
            }
        }
        if reply.text.contains("sessionId>") {
            for id in super::soap::element_texts(&reply.text, "sessionId") {
                if id.len() >= 8 {
                    self.redactor.secret("session_id", &id, Class::Token);
                }
            }
        }
        self.learn_cookies(&reply.headers);
    }

    /// Session cookies a server sets are secrets.
    pub fn learn_cookies(&mut self, headers: &[(String, String)]) {
        for (k, v) in headers {
            if k.eq_ignore_ascii_case("set-cookie")
                && let Some((_, value)) = v.split(';').next().and_then(|c| c.split_once('='))
            {
                self.redactor
                    .secret("session_id", value.trim(), Class::Token);
            }
        }
    }

    /// Session cookies set in the step's exchanges so far (the user agent's
    /// pages).
    pub fn learn_exchange_cookies(&mut self) {
        let headers: Vec<(String, String)> = self
            .exchanges
            .iter()
            .filter_map(|e| e.response.as_ref())
            .flat_map(|r| r.headers.iter().cloned())
            .collect();
        self.learn_cookies(&headers);
    }

    /// Codes and tokens in a redirect URL are secrets from the moment they are seen.
    pub fn learn_redirect(&mut self, target: &str) {
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

    /// Clock values in a response are volatile: snapshots show `[timestamp]`.
    fn learn_timestamps(&mut self, json: &Value) {
        match json {
            Value::Object(map) => {
                for (k, v) in map {
                    if CLOCK_FIELDS.contains(&k.as_str()) {
                        if let Some(t) = scalar_text(v) {
                            self.redactor.clock("timestamp", &t);
                        }
                    } else {
                        self.learn_timestamps(v);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| self.learn_timestamps(v)),
            _ => {}
        }
    }

    /// Secrets inside Authorization headers (Basic credentials, Bearer tokens).
    pub fn learn_auth_headers(&mut self, headers: &[(String, String)]) {
        use base64::Engine as _;
        for (k, v) in headers {
            if !k.eq_ignore_ascii_case("authorization") {
                continue;
            }
            if let Some(token) = v.strip_prefix("Bearer ") {
                self.redactor
                    .secret("access_token", token.trim(), Class::Token);
            } else if let Some(basic) = v.strip_prefix("Basic ") {
                self.redactor
                    .secret("basic_credentials", basic.trim(), Class::Credential);
                if let Some(secret) = base64::engine::general_purpose::STANDARD
                    .decode(basic.trim())
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.split_once(':').map(|(_, p)| p.to_owned()))
                {
                    self.redactor
                        .secret("client_secret", &secret, Class::Credential);
                }
            }
        }
    }
}
