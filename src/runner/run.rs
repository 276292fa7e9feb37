//! One scenario's run: variables, the mock org, the steps in order, and the
//! step log.

use std::time::Instant;

use indexmap::IndexMap;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{Map, Value};

use crate::clock::Clock;
use crate::log::{Exchange, ScenarioLog, Status, StepLog};
use crate::mock::{MockConfig, MockOptions, MockServer};
use crate::runner::callback::Listener;
use crate::runner::config::{RunConfig, Target};
use crate::runner::expect;
use crate::runner::http::{Http, Reply, Request};
use crate::scenario::check;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{DefaultTitle as _, Kind, Scenario, Step};
use crate::scenario::node::Node;
use crate::secret::{Class, Redactor};
use crate::template::Templates;

/// Live notifications while a scenario runs.
pub trait Events: Send + Sync {
    /// The scenario passed its checks and its first step is about to run.
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

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Passed,
    Failed,
    /// The input was unusable (exit 2).
    Unusable,
}

/// What a scenario run leaves behind.
pub struct Outcome {
    pub log: ScenarioLog,
    pub redactor: Redactor,
    pub diagnostics: Vec<Diagnostic>,
    pub verdict: Verdict,
}

/// Why a step did not pass.
#[derive(Debug)]
pub struct StepError {
    pub message: String,
    /// Partial result to keep (fields stay available to `expect`).
    pub result: Option<Value>,
    /// A refusal that expectations may still accept (negative tests).
    pub soft: bool,
}

impl StepError {
    pub fn failed(message: impl Into<String>) -> Self {
        StepError {
            message: message.into(),
            result: None,
            soft: false,
        }
    }
    pub fn failed_with(message: impl Into<String>, result: Value) -> Self {
        StepError {
            message: message.into(),
            result: Some(result),
            soft: false,
        }
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::failed(message)
    }
    pub fn soft(message: impl Into<String>) -> Self {
        StepError {
            message: message.into(),
            result: None,
            soft: true,
        }
    }
}

/// The state of one scenario's run.
pub struct Run<'a> {
    pub(crate) scenario: &'a Scenario,
    pub(crate) cfg: &'a RunConfig,
    pub(crate) http: &'a Http,
    pub(crate) events: &'a dyn Events,
    pub(crate) templates: Templates,
    pub(crate) rng: ChaCha20Rng,
    /// Clock values (`exp` of a JWT): the system clock, or with `--seed`
    /// the logical clock shared with the scenario's mock. Timeouts and
    /// durations use the wall clock.
    pub(crate) clock: Clock,
    pub(crate) redactor: Redactor,
    pub(crate) vars: Map<String, Value>,
    pub(crate) results: Map<String, Value>,
    pub(crate) org: Map<String, Value>,
    /// The environment, as templates see it (converted once).
    pub(crate) env: minijinja::Value,
    /// The template context, built on first use after vars, results or
    /// `org` changed (see [`Run::changed`]).
    pub(crate) context: std::sync::OnceLock<minijinja::Value>,
    pub(crate) listener: Option<Listener>,
    pub(crate) last_state: Option<String>,
    pub(crate) exchanges: Vec<Exchange>,
    /// The device flow's verification URL, until a user agent has opened it.
    pub(crate) device_verification: Option<String>,
    /// `instance_url` and `access_token` of the last token response that had them.
    pub(crate) last_token: Option<(String, String)>,
}

/// Runs one scenario to the end.
pub async fn run_scenario(
    scenario: &Scenario,
    cfg: &RunConfig,
    http: &Http,
    events: &dyn Events,
) -> Outcome {
    let started = Instant::now();
    let mut run = Run {
        scenario,
        cfg,
        http,
        events,
        templates: Templates::new(),
        rng: match cfg.seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_os_rng(),
        },
        clock: Clock::system(),
        redactor: Redactor::new(),
        vars: Map::new(),
        results: Map::new(),
        org: Map::new(),
        env: minijinja::Value::from_serialize(&cfg.env),
        context: std::sync::OnceLock::new(),
        listener: None,
        last_state: None,
        exchanges: Vec::new(),
        device_verification: None,
        last_token: None,
    };
    let mut log = ScenarioLog {
        file: scenario.path.clone(),
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        target: match &cfg.target {
            Target::Mock => "mock".into(),
            Target::Org(url) => url.clone(),
        },
        login_url: String::new(),
        vars: IndexMap::new(),
        status: Status::Passed,
        duration_ms: 0,
        steps: Vec::new(),
        error: None,
    };
    let mut diagnostics = check::check(scenario, &run.templates);
    let supplied: Vec<&str> = cfg.vars.iter().map(|(k, _)| k.as_str()).collect();
    diagnostics.extend(check::undeclared_secrets(scenario, &supplied));
    let mut mock = None;
    if diagnostics.is_empty() {
        match run.prepare().await {
            Ok(m) => mock = m,
            Err(d) => diagnostics = d,
        }
    }
    if !diagnostics.is_empty() {
        log.status = Status::Failed;
        log.error = diagnostics.first().map(|d| d.one_line(&scenario.path));
        return Outcome {
            log,
            redactor: run.redactor,
            diagnostics,
            verdict: Verdict::Unusable,
        };
    }
    log.login_url = run.login_url();
    log.vars = run
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    events.started(&log, &run.redactor);
    let mut failed = false;
    for step in &scenario.steps {
        let entry = if failed {
            run.skipped(step)
        } else {
            run.step(step).await
        };
        failed |= entry.status == Status::Failed;
        events.step(&entry, &run.redactor);
        log.steps.push(entry);
    }
    run.listener = None;
    if let Some(m) = mock {
        m.shutdown().await;
    }
    log.status = if failed {
        Status::Failed
    } else {
        Status::Passed
    };
    log.duration_ms = millis(started);
    let verdict = if failed {
        Verdict::Failed
    } else {
        Verdict::Passed
    };
    Outcome {
        log,
        redactor: run.redactor,
        diagnostics,
        verdict,
    }
}

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl Run<'_> {
    /// The template context: vars, earlier results, `env`, `org`.
    pub(crate) fn context(&self) -> minijinja::Value {
        self.context
            .get_or_init(|| {
                let mut map: std::collections::BTreeMap<&str, minijinja::Value> = self
                    .vars
                    .iter()
                    .chain(&self.results)
                    .map(|(k, v)| (k.as_str(), minijinja::Value::from_serialize(v)))
                    .collect();
                map.insert("env", self.env.clone());
                map.insert("org", minijinja::Value::from_serialize(&self.org));
                minijinja::Value::from(map)
            })
            .clone()
    }

    /// Tells the person at the terminal something now, secrets redacted.
    pub(crate) fn notice(&self, message: &str) {
        self.events.notice(message, &self.redactor);
    }

    /// Vars, results or `org` changed: the template context is built again.
    pub(crate) fn changed(&mut self) {
        self.context = std::sync::OnceLock::new();
    }

    /// Sets a var; templates see it from the next render.
    pub(crate) fn set_var(&mut self, name: String, value: Value) {
        self.vars.insert(name, value);
        self.changed();
    }

    pub(crate) fn login_url(&self) -> String {
        self.org_str("login_url")
    }

    pub(crate) fn org_str(&self, key: &str) -> String {
        self.org
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    }

    pub(crate) fn render(&self, node: &Node) -> Result<Value, Diagnostic> {
        let mut d = self.templates.render_node(node, &self.context());
        if let Err(diag) = &mut d
            && let Some(loc) = diag.loc
        {
            diag.loc = Some(crate::scenario::diag::inside_quotes(
                &self.scenario.source,
                loc,
            ));
        }
        d
    }

    pub(crate) fn render_params(&self, step: &Step) -> Result<Value, Diagnostic> {
        self.render(&step.params)
    }

    /// Sends a request, logs the exchange, and turns transport errors into step errors.
    pub(crate) async fn send(&mut self, req: Request) -> Result<Reply, StepError> {
        let oauth = req.url.contains("/services/oauth2/");
        let (exchange, reply) = self.http.send(req).await;
        self.exchanges.push(exchange);
        if let Ok(reply) = &reply {
            self.learn_reply_secrets(reply, oauth);
            if let Some(json) = &reply.json {
                self.learn_timestamps(json);
            }
        }
        reply.map_err(StepError::failed)
    }

    /// Tokens in any reply are secrets from the moment they arrive, whichever
    /// step asked: token fields of JSON (an OAuth endpoint called with
    /// `request`), a SOAP `sessionId` (partner `login`), session cookies.
    fn learn_reply_secrets(&mut self, reply: &Reply, oauth: bool) {
        const ALWAYS: &[&str] = &["access_token", "refresh_token", "id_token"];
        const OAUTH: &[&str] = &["code", "device_code"];
        if let Some(serde_json::Value::Object(json)) = &reply.json {
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
            for id in crate::runner::xml::element_texts(&reply.text, "sessionId") {
                if id.len() >= 8 {
                    self.redactor.secret("session_id", &id, Class::Token);
                }
            }
        }
        self.learn_cookies(&reply.headers);
    }

    /// Clock values in a response are volatile: snapshots show `[timestamp]`.
    fn learn_timestamps(&mut self, json: &Value) {
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
        match json {
            Value::Object(map) => {
                for (k, v) in map {
                    if CLOCK_FIELDS.contains(&k.as_str()) {
                        if let Some(t) = crate::runner::steps::text(v) {
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

    fn skipped(&self, step: &Step) -> StepLog {
        StepLog {
            index: step.index,
            id: step.id.clone(),
            name: self.step_name(step),
            kind: step.kind,
            doc: step.doc.clone(),
            location: step.loc,
            status: Status::Skipped,
            duration_ms: 0,
            inputs: Value::Null,
            exchanges: Vec::new(),
            result: Value::Null,
            checks: Vec::new(),
            error: None,
        }
    }

    fn step_name(&self, step: &Step) -> String {
        step.name
            .as_ref()
            .map(|n| match self.render(n) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => n.as_str().unwrap_or_default().to_owned(),
            })
            .unwrap_or_else(|| step.kind.default_title().to_owned())
    }

    async fn step(&mut self, step: &Step) -> StepLog {
        let started = Instant::now();
        let mut entry = self.skipped(step);
        self.exchanges.clear();
        let outcome = match self.render_params(step) {
            Ok(params) => {
                entry.inputs = params.clone();
                self.execute(step, &params).await
            }
            Err(d) => Err(StepError::failed(format!(
                "{} (line {}, column {})",
                d.message,
                d.loc.map_or(0, |l| l.line),
                d.loc.map_or(0, |l| l.column)
            ))),
        };
        entry.exchanges = std::mem::take(&mut self.exchanges);
        let (mut result, mut error, soft) = match outcome {
            Ok(r) => (r, None, false),
            Err(e) => (e.result.unwrap_or(Value::Null), Some(e.message), e.soft),
        };
        if result.is_null() {
            result = empty_result(step.kind);
        }
        let passed = match &step.expect {
            Some(expect) if error.is_none() || soft => {
                entry.checks = self.check(expect, &result, step.id.as_deref());
                let ok = entry.checks.iter().all(|c| c.passed);
                if ok {
                    error = None;
                } else if error.is_none() {
                    let failed = entry.checks.iter().filter(|c| !c.passed).count();
                    error = Some(match failed {
                        1 => "1 expectation failed".to_owned(),
                        n => format!("{n} of {} expectations failed", entry.checks.len()),
                    });
                }
                ok
            }
            Some(_) | None if error.is_some() => false,
            _ => match default_verdict(&result) {
                Ok(()) => true,
                Err(why) => {
                    error = Some(why);
                    false
                }
            },
        };
        if let Some(id) = &step.id {
            self.results.insert(id.clone(), result.clone());
            self.changed();
        }
        entry.result = result;
        entry.error = error;
        entry.status = if passed {
            Status::Passed
        } else {
            Status::Failed
        };
        entry.duration_ms = millis(started);
        entry
    }

    fn check(
        &self,
        expect: &crate::scenario::model::Expect,
        result: &Value,
        own_id: Option<&str>,
    ) -> Vec<crate::log::Check> {
        let render = |n: &Node| self.render(n).map_err(|d| d.message);
        // Built only for `that` expressions: a large body costs to convert.
        let ctx = std::cell::OnceCell::new();
        let that = |expr: &str| {
            let ctx = ctx.get_or_init(|| {
                let result_value = minijinja::Value::from_serialize(result);
                let mut own = std::collections::BTreeMap::new();
                own.insert("result", result_value.clone());
                if let Some(id) = own_id {
                    own.insert(id, result_value);
                }
                minijinja::value::merge_maps([minijinja::Value::from(own), self.context()])
            });
            self.templates
                .truth(expr, ctx)
                .map_err(|e| crate::template::template_message(&e))
        };
        expect::evaluate(expect, result, &render, &that)
    }

    async fn execute(&mut self, step: &Step, params: &Value) -> Result<Value, StepError> {
        match step.kind {
            Kind::Pkce => self.pkce(params).await,
            Kind::Authorize => self.authorize(step, params).await,
            Kind::Callback => self.callback(params).await,
            Kind::Token => self.token(params).await,
            Kind::Request => self.request(params).await,
            Kind::Set => self.set(params),
            Kind::Jwt => self.jwt(params),
            Kind::Metadata => self.metadata(params).await,
        }
    }
}

/// Without `expect`: 2xx and no `error` field for HTTP steps; no `error` otherwise.
fn default_verdict(result: &Value) -> Result<(), String> {
    if let Some(status) = result.get("status").and_then(Value::as_u64)
        && !(200..300).contains(&status)
    {
        return Err(format!("HTTP {status}{}", error_suffix(result)));
    }
    match result.get("error") {
        Some(Value::Null) | None => Ok(()),
        Some(_) => Err(format!(
            "the server answered with an error{}",
            error_suffix(result)
        )),
    }
}

fn error_suffix(result: &Value) -> String {
    let field = |k: &str| result.get(k).and_then(Value::as_str).map(str::to_owned);
    let from_json = |k: &str| {
        result
            .get("json")
            .and_then(|j| j.get(k).or_else(|| j.get(0).and_then(|e| e.get(k))))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let error = field("error")
        .or_else(|| from_json("error"))
        .or_else(|| from_json("errorCode"));
    let desc = field("error_description")
        .or_else(|| from_json("error_description"))
        .or_else(|| from_json("message"));
    match (error, desc) {
        (Some(e), Some(d)) => format!(": {e}: {d}"),
        (Some(e), None) => format!(": {e}"),
        (None, Some(d)) => format!(": {d}"),
        (None, None) => String::new(),
    }
}

/// Every result field exists, as none, even when the step failed early.
fn empty_result(kind: Kind) -> Value {
    let keys: &[&str] = match kind {
        Kind::Pkce => &["code_verifier", "code_challenge", "code_challenge_method"],
        Kind::Authorize => &["url", "state", "error", "error_description"],
        Kind::Callback => &["code", "state", "params", "error", "error_description"],
        Kind::Token => crate::runner::steps::TOKEN_FIELDS,
        Kind::Request => &["status", "headers", "json", "body"],
        Kind::Metadata => &[
            "status",
            "headers",
            "json",
            "body",
            "result",
            "error",
            "error_description",
        ],
        Kind::Jwt => &["assertion"],
        Kind::Set => &[],
    };
    let mut map: Map<String, Value> = keys
        .iter()
        .map(|k| ((*k).to_owned(), Value::Null))
        .collect();
    if kind == Kind::Token {
        for k in ["status", "headers", "json", "body"] {
            map.insert(k.into(), Value::Null);
        }
    }
    map.into()
}

impl Run<'_> {
    /// Vars, the mock org and `org.*`, before the first step. Errors here are input errors.
    async fn prepare(&mut self) -> Result<Option<MockServer>, Vec<Diagnostic>> {
        let overrides: std::collections::HashMap<&str, &str> = self
            .cfg
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let deferred = self.vars_pass(&overrides, false)?;
        let mock = match &self.cfg.target {
            Target::Mock => Some(self.start_mock().await?),
            Target::Org(url) => {
                self.real_org(url)?;
                None
            }
        };
        if !deferred.is_empty() {
            self.vars_pass(&overrides, true)?;
        }
        let cfg = self.cfg;
        for (k, v) in &cfg.vars {
            if !self.vars.contains_key(k) {
                self.set_var(k.clone(), v.clone().into());
            }
        }
        for key in &self.scenario.secrets {
            let name = key.name.as_str();
            if let Some(v) = self.vars.get(name).and_then(crate::runner::steps::text) {
                self.redactor.secret(name, &v, Class::Credential);
            }
            // A name of the environment (`env.NAME`) is secret there too.
            if let Some(v) = self.cfg.env.get(name) {
                self.redactor.secret(name, v, Class::Credential);
            }
        }
        if let Some(port) = self.templates.free_port() {
            self.redactor.literal(&format!(":{port}"), ":[port]");
            self.redactor.literal(&format!("%3A{port}"), "%3A[port]");
            self.redactor.literal(&format!("%3a{port}"), "%3a[port]");
        }
        Ok(mock)
    }

    /// Renders the vars that do (`with_org`) or do not depend on `org`.
    fn vars_pass(
        &mut self,
        overrides: &std::collections::HashMap<&str, &str>,
        with_org: bool,
    ) -> Result<Vec<String>, Vec<Diagnostic>> {
        let mut deferred: Vec<String> = Vec::new();
        for (k, node) in &self.scenario.vars {
            if let Some(v) = overrides.get(k.name.as_str()) {
                self.set_var(k.name.clone(), (*v).into());
                continue;
            }
            let mut uses_org = false;
            node.for_each_str(&mut |s, _| {
                if let Ok(names) = self.templates.names(s, false) {
                    uses_org |= names.contains("org") || names.iter().any(|n| deferred.contains(n));
                }
            });
            if uses_org != with_org && !with_org {
                deferred.push(k.name.clone());
                continue;
            }
            if with_org && !uses_org && self.vars.contains_key(&k.name) {
                continue;
            }
            let value = self.render(node).map_err(|d| vec![d])?;
            self.set_var(k.name.clone(), value);
        }
        Ok(deferred)
    }

    async fn start_mock(&mut self) -> Result<MockServer, Vec<Diagnostic>> {
        let overrides = match &self.scenario.mock {
            Some(node) => self.render(node).map_err(|d| vec![d])?,
            None => Value::Object(Map::new()),
        };
        let at = self
            .scenario
            .mock
            .as_ref()
            .map(|n| n.loc)
            .unwrap_or_default();
        let config = MockConfig::from_overrides(&overrides).map_err(|e| {
            vec![Diagnostic::new(
                format!("invalid mock configuration: {e}"),
                at,
            )]
        })?;
        if self.cfg.seed.is_some() {
            self.clock = Clock::seeded();
        }
        let options = MockOptions {
            seed: self.cfg.seed.map(|s| s.wrapping_add(1)),
            clock: Some(self.clock.clone()),
            ..MockOptions::default()
        };
        let server = MockServer::start(config, options).await.map_err(|e| {
            vec![Diagnostic::whole_file(format!(
                "cannot start the mock org: {e}"
            ))]
        })?;
        let base = server.base_url();
        self.redactor.literal(&base, "[mock_url]");
        let encoded: String = form_urlencoded::byte_serialize(base.as_bytes()).collect();
        self.redactor.literal(&encoded, "[mock_url]");
        let cfg = server.config();
        let user = cfg.users.first();
        let org = serde_json::json!({
            "login_url": base,
            "client_id": cfg.connected_app.client_id,
            "client_secret": cfg.connected_app.client_secret,
            "username": user.map(|u| u.username.clone()).unwrap_or_default(),
            "password": user.map(|u| u.password.clone()).unwrap_or_default(),
            "security_token": user.map(|u| u.security_token.clone()).unwrap_or_default(),
            "private_key": crate::mock::APP_PRIVATE_KEY_PEM,
        });
        self.org = org.as_object().cloned().unwrap_or_default();
        self.changed();
        self.register_org_secrets();
        Ok(server)
    }

    fn register_org_secrets(&mut self) {
        for (key, role) in [
            ("client_secret", "client_secret"),
            ("password", "password"),
            ("security_token", "security_token"),
            ("private_key", "private_key"),
        ] {
            let v = self.org_str(key);
            self.redactor.secret(role, &v, Class::Credential);
        }
    }

    /// `org.*` from the environment; a needed variable that is unset is an input error.
    fn real_org(&mut self, url: &str) -> Result<(), Vec<Diagnostic>> {
        let mut used = std::collections::BTreeSet::new();
        for step in &self.scenario.steps {
            step.params
                .for_each_str(&mut |s, _| used.extend(Templates::attribute_uses(s, "org")));
        }
        for (_, node) in &self.scenario.vars {
            node.for_each_str(&mut |s, _| used.extend(Templates::attribute_uses(s, "org")));
        }
        let env = |k: &str| self.cfg.env.get(k).cloned();
        let mut org = Map::new();
        org.insert("login_url".into(), url.into());
        let mut missing = Vec::new();
        for (key, var) in [
            ("client_id", "SF_CLIENT_ID"),
            ("client_secret", "SF_CLIENT_SECRET"),
            ("username", "SF_USERNAME"),
            ("password", "SF_PASSWORD"),
            ("security_token", "SF_SECURITY_TOKEN"),
        ] {
            match env(var) {
                Some(v) => {
                    org.insert(key.into(), v.into());
                }
                None if key == "security_token" => {
                    org.insert(key.into(), "".into());
                }
                None if used.contains(key) => {
                    missing.push(format!("`org.{key}` needs the environment variable {var}"))
                }
                None => {
                    org.insert(key.into(), Value::Null);
                }
            }
        }
        match env("SF_PRIVATE_KEY_FILE") {
            Some(path) => match std::fs::read_to_string(&path) {
                Ok(pem) => {
                    org.insert("private_key".into(), pem.into());
                }
                Err(e) => missing.push(format!("cannot read SF_PRIVATE_KEY_FILE {path}: {e}")),
            },
            None if used.contains("private_key") => {
                missing.push(
                    "`org.private_key` needs the environment variable SF_PRIVATE_KEY_FILE".into(),
                );
            }
            None => {
                org.insert("private_key".into(), Value::Null);
            }
        }
        if !missing.is_empty() {
            return Err(missing.into_iter().map(Diagnostic::whole_file).collect());
        }
        self.org = org;
        self.changed();
        self.register_org_secrets();
        Ok(())
    }
}
