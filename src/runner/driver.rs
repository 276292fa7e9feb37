//! One scenario's run: its checks, the org and variables, then the steps in
//! order — each rendered, run by its kind (`crate::steps`), checked against
//! its expectations — and the step log.

use std::collections::HashMap;
use std::time::Instant;

use indexmap::IndexMap;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::Value;

use crate::clock::Clock;
use crate::doctor::{self, MockView};
use crate::headless;
use crate::log::{Check, ScenarioLog, Status, StepLog};
use crate::mock::MockServer;
use crate::net::client::Http;
use crate::org::Org;
use crate::scenario::check;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::{Expect, Scenario, Step};
use crate::scenario::template::Templates;
use crate::secret::{Class, Redactor};
use crate::steps::{self, Ctx, Events, Session, StepError};

use super::run_config::{RunConfig, Target};
use super::scope::Scope;
use super::verdict::{default_verdict, failed_checks};
use super::{browser, expect, prepare};

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
    /// Problems with the file: before the first step (the run is unusable),
    /// or a template that failed at run time.
    pub diagnostics: Vec<Diagnostic>,
    pub verdict: Verdict,
}

/// The state of one scenario's run, private to this module.
struct Runner<'a> {
    scenario: &'a Scenario,
    cfg: &'a RunConfig,
    http: &'a Http,
    events: &'a dyn Events,
    scope: Scope,
    redactor: Redactor,
    rng: ChaCha20Rng,
    /// Clock values: the system clock, or with `--seed` the logical clock
    /// shared with the scenario's mock.
    clock: Clock,
    org: Org,
    session: Session,
    /// `--browser headless`, for a scenario with a browser step.
    headless: Option<headless::Setup>,
    secret_names: Vec<String>,
    /// Run-time template errors, with their place, for stderr.
    diagnostics: Vec<Diagnostic>,
}

/// Runs one scenario to the end.
pub async fn run_scenario(
    scenario: &Scenario,
    cfg: &RunConfig,
    http: &Http,
    events: &dyn Events,
) -> Outcome {
    let started = Instant::now();
    let mut run = Runner::new(scenario, cfg, http, events);
    let mut log = first_log(scenario, cfg);
    if scenario.mock_only && matches!(cfg.target, Target::Org(_)) {
        return run.skip_all(log);
    }
    let mock = match run.prepare().await {
        Ok(mock) => mock,
        Err(diagnostics) => {
            log.status = Status::Failed;
            log.error = diagnostics.first().map(|d| d.one_line(&scenario.path));
            return Outcome {
                log,
                redactor: run.redactor,
                diagnostics,
                verdict: Verdict::Unusable,
            };
        }
    };
    log.login_url.clone_from(&run.org.login_url);
    log.vars = run
        .scope
        .vars()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    events.started(&log, &run.redactor);
    let mock_url = mock.as_ref().map(MockServer::base_url);
    let mut failed = false;
    for step in &scenario.steps {
        let mut entry = if failed {
            run.skipped(step)
        } else {
            run.step(step).await
        };
        if entry.status == Status::Failed {
            // The mock's configuration is read here, on the runner's side;
            // nothing of it goes over the wire.
            let config = mock.as_ref().map(MockServer::config_now);
            let view = config
                .as_ref()
                .zip(mock_url.as_deref())
                .map(|(config, url)| MockView {
                    config,
                    base_url: url,
                });
            entry.hint = doctor::hint(&entry, &log.steps, view);
        }
        failed |= entry.status == Status::Failed;
        events.step(&entry, &run.redactor);
        log.steps.push(entry);
    }
    run.session.listener = None;
    if let Some(m) = mock {
        m.shutdown().await;
    }
    log.status = if failed {
        Status::Failed
    } else {
        Status::Passed
    };
    log.duration_ms = millis(started);
    Outcome {
        log,
        redactor: run.redactor,
        diagnostics: run.diagnostics,
        verdict: if failed {
            Verdict::Failed
        } else {
            Verdict::Passed
        },
    }
}

/// The log before anything ran.
fn first_log(scenario: &Scenario, cfg: &RunConfig) -> ScenarioLog {
    ScenarioLog {
        file: scenario.path.clone(),
        name: scenario.name.clone(),
        description: scenario.description.clone(),
        target: cfg.target.url().unwrap_or("mock").to_owned(),
        login_url: String::new(),
        vars: IndexMap::new(),
        status: Status::Passed,
        duration_ms: 0,
        steps: Vec::new(),
        error: None,
        skipped: None,
    }
}

/// Why a mock-only scenario is not run against a real org.
pub const MOCK_ONLY: &str =
    "mock only: it needs what only the mock org can arrange, so it is not run against a real org";

fn millis(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

impl<'a> Runner<'a> {
    /// A scenario that is not run: every step skipped, for the reason given.
    fn skip_all(self, mut log: ScenarioLog) -> Outcome {
        log.status = Status::Skipped;
        log.skipped = Some(MOCK_ONLY.to_owned());
        self.events.started(&log, &self.redactor);
        for step in &self.scenario.steps {
            let mut entry = self.skipped(step);
            entry.error = Some(MOCK_ONLY.to_owned());
            self.events.step(&entry, &self.redactor);
            log.steps.push(entry);
        }
        Outcome {
            log,
            redactor: self.redactor,
            diagnostics: Vec::new(),
            verdict: Verdict::Passed,
        }
    }

    fn new(
        scenario: &'a Scenario,
        cfg: &'a RunConfig,
        http: &'a Http,
        events: &'a dyn Events,
    ) -> Self {
        Runner {
            scenario,
            cfg,
            http,
            events,
            scope: Scope::new(Templates::new(), &scenario.source, &cfg.env),
            redactor: Redactor::new(),
            rng: match cfg.seed {
                Some(seed) => ChaCha20Rng::seed_from_u64(seed),
                None => ChaCha20Rng::from_os_rng(),
            },
            clock: Clock::system(),
            org: Org::default(),
            session: Session::default(),
            headless: None,
            secret_names: scenario.secrets.iter().map(|k| k.name.clone()).collect(),
            diagnostics: Vec::new(),
        }
    }
}

impl Runner<'_> {
    /// Checks, variables, the org, before the first step. Errors here are
    /// input errors.
    async fn prepare(&mut self) -> Result<Option<MockServer>, Vec<Diagnostic>> {
        let scenario = self.scenario;
        let supplied: Vec<&str> = self.cfg.vars.iter().map(|(k, _)| k.as_str()).collect();
        let mut diagnostics = check::check(scenario, self.scope.templates());
        diagnostics.extend(check::undeclared_secrets(scenario, &supplied));
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        self.headless = browser::setup(scenario, self.cfg)?;
        let overrides: HashMap<&str, &str> = self
            .cfg
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let deferred = prepare::vars(&mut self.scope, scenario, &overrides, false)?;
        let mock = match &self.cfg.target {
            Target::Mock => {
                let (server, org, clock, warnings) =
                    prepare::mock(&self.scope, scenario, self.cfg.seed, &mut self.redactor).await?;
                for warning in warnings {
                    self.events.notice(&warning, &self.redactor);
                }
                self.org = org;
                self.clock = clock;
                Some(server)
            }
            Target::Org(url) => {
                let env = &self.cfg.env;
                self.org = prepare::real_org(scenario, url, None, env, &mut self.redactor)?;
                None
            }
            Target::CliOrg(cli) => {
                let (url, env) = (&cli.instance_url, &self.cfg.env);
                self.org = prepare::real_org(scenario, url, Some(cli), env, &mut self.redactor)?;
                None
            }
        };
        self.scope.set_org(&self.org);
        if !deferred.is_empty() {
            prepare::vars(&mut self.scope, scenario, &overrides, true)?;
        }
        for (k, v) in &self.cfg.vars {
            if !self.scope.vars().contains_key(k) {
                self.scope.set_var(k.clone(), v.clone().into());
            }
        }
        for name in &self.secret_names {
            if let Some(v) = self.scope.vars().get(name).and_then(steps::scalar_text) {
                self.redactor.secret(name, &v, Class::Credential);
            }
            // A name of the environment (`env.NAME`) is secret there too.
            if let Some(v) = self.cfg.env.get(name) {
                self.redactor.secret(name, v, Class::Credential);
            }
        }
        if let Some(port) = self.scope.templates().ports().reserved() {
            // Documentation shows the port a reader would pick.
            self.redactor
                .literal(&format!(":{port}"), ":[port]", ":8000");
            self.redactor
                .literal(&format!("%3A{port}"), "%3A[port]", "%3A8000");
            self.redactor
                .literal(&format!("%3a{port}"), "%3a[port]", "%3a8000");
        }
        Ok(mock)
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
            hint: None,
        }
    }

    fn step_name(&self, step: &Step) -> String {
        step.name.as_ref().map_or_else(
            || steps::title(step.kind).to_owned(),
            |n| match self.scope.render(n) {
                Ok(Value::String(s)) => s,
                Ok(other) => other.to_string(),
                Err(_) => n.as_str().unwrap_or_default().to_owned(),
            },
        )
    }

    async fn step(&mut self, step: &Step) -> StepLog {
        let started = Instant::now();
        let mut entry = self.skipped(step);
        let (outcome, exchanges) = match self.scope.render(&step.params) {
            Ok(params) => {
                entry.inputs = params.clone();
                self.execute(step, params).await
            }
            Err(d) => (Err(self.template_error(d)), Vec::new()),
        };
        entry.exchanges = exchanges;
        let (mut result, mut error, soft) = match outcome {
            Ok(r) => (r, None, false),
            Err(e) => (
                e.result.clone().unwrap_or(Value::Null),
                Some(e.to_string()),
                e.soft,
            ),
        };
        if result.is_null() {
            result = steps::empty(step.kind);
        }
        let passed = match &step.expect {
            Some(expect) if error.is_none() || soft => {
                entry.checks = self.check(expect, &result, step.id.as_deref());
                let ok = entry.checks.iter().all(|c| c.passed);
                if ok {
                    error = None;
                } else if error.is_none() {
                    error = Some(failed_checks(&entry.checks));
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
            self.scope.set_result(id.clone(), result.clone());
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

    /// Runs the step's kind with what it may use; returns its outcome and
    /// the exchanges it made.
    async fn execute(
        &mut self,
        step: &Step,
        params: Value,
    ) -> (Result<Value, StepError>, Vec<crate::log::Exchange>) {
        let next_listen = self.next_listen(step);
        let mut ctx = Ctx {
            http: self.http,
            settings: self.cfg.settings(),
            events: self.events,
            redactor: &mut self.redactor,
            rng: &mut self.rng,
            clock: &self.clock,
            org: &self.org,
            session: &mut self.session,
            ports: self.scope.templates().ports(),
            secret_names: &self.secret_names,
            base_dir: std::path::Path::new(&self.scenario.path)
                .parent()
                .unwrap_or_else(|| std::path::Path::new(".")),
            next_listen,
            exchanges: Vec::new(),
            vars: Vec::new(),
            step_index: step.index,
            headless: self.headless.as_ref(),
        };
        let outcome = steps::run(step.kind, &mut ctx, params).await;
        let Ctx {
            exchanges, vars, ..
        } = ctx;
        for (name, value) in vars {
            self.scope.set_var(name, value);
        }
        (outcome, exchanges)
    }

    /// For an `authorize` step, the rendered `listen` URI of the next
    /// `callback` step, whose listener is bound before the browser is sent.
    fn next_listen(&self, step: &Step) -> Option<String> {
        if step.kind != crate::kind::Kind::Authorize {
            return None;
        }
        let next = self
            .scenario
            .steps
            .iter()
            .skip(step.index)
            .find(|s| s.kind == crate::kind::Kind::Callback)?;
        // When it does not render, the callback step reports its own error.
        let params = self.scope.render(&next.params).ok()?;
        params.get("listen")?.as_str().map(str::to_owned)
    }

    /// A template that failed at run time: the step fails with a line that
    /// names the place, and the caret diagnostic goes to stderr.
    fn template_error(&mut self, d: Diagnostic) -> StepError {
        let line = d.one_line(&self.scenario.path);
        self.diagnostics.push(d);
        StepError::template(line)
    }

    fn check(&mut self, expect: &Expect, result: &Value, own_id: Option<&str>) -> Vec<Check> {
        // Built only for `that` expressions: a large body costs to convert.
        let ctx = std::cell::OnceCell::new();
        let scope = &self.scope;
        let render = |n: &crate::scenario::node::Node| scope.render(n).map_err(|d| d.message);
        let that = |expr: &str| {
            let ctx = ctx.get_or_init(|| scope.with_result(result, own_id));
            scope.truth(expr, ctx)
        };
        expect::evaluate(expect, result, &render, &that)
    }
}
