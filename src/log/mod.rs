//! The step log: plain serde data describing what a run did. Every output
//! format (pretty, markdown, json, junit, snapshot) renders this one log.

pub mod visit;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

/// Outcome of a step or a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

pub use crate::kind::Kind;
pub use crate::location::Location;

/// Everything one scenario file produced.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioLog {
    /// The scenario file, as given on the command line.
    pub file: String,
    pub name: String,
    pub description: Option<String>,
    /// `mock` or the real org's login URL.
    pub target: String,
    /// The login URL the run used (the mock's base URL on the mock).
    pub login_url: String,
    /// The rendered `vars`, in file order.
    pub vars: IndexMap<String, Value>,
    pub status: Status,
    pub duration_ms: u64,
    pub steps: Vec<StepLog>,
    /// Why the scenario could not run at all (mock failed to start, …).
    pub error: Option<String>,
    /// Why the scenario was not run (a mock-only scenario against a real org).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// One step's record.
#[derive(Debug, Clone, Serialize)]
pub struct StepLog {
    /// 1-based.
    pub index: usize,
    pub id: Option<String>,
    pub name: String,
    pub kind: Kind,
    pub doc: Option<String>,
    pub location: Location,
    pub status: Status,
    pub duration_ms: u64,
    /// The step's parameters after template rendering.
    pub inputs: Value,
    /// Every HTTP exchange the step made or received, in order.
    pub exchanges: Vec<Exchange>,
    /// The step's result, as seen by later templates under its id.
    pub result: Value,
    /// Each expectation and its outcome.
    pub checks: Vec<Check>,
    /// Why the step failed, in one line.
    pub error: Option<String>,
    /// For a failed step whose answer is one of Salesforce's known errors:
    /// the likely causes and what to change (see `crate::doctor`).
    pub hint: Option<Hint>,
}

/// What the doctor says about a failed step: the known error it recognised,
/// its likely causes (most likely first) and what to change. On the
/// in-process mock the causes and the fix are exact, read from the mock's
/// configuration and the request that was sent; elsewhere they are the
/// documented ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hint {
    /// The entry of the doctor's table (`redirect_uri_mismatch`), as in `docs/errors.md`.
    pub id: String,
    /// The error as Salesforce names it (`invalid_grant: authentication failure`).
    pub error: String,
    /// What the error means, in one sentence.
    pub meaning: String,
    /// Likely causes, most likely first.
    pub causes: Vec<String>,
    /// What to change.
    pub fix: String,
    /// Whether `causes` and `fix` were found in this run (the mock's
    /// configuration and the request sent) rather than taken from the docs.
    pub exact: bool,
    /// Where Salesforce documents the error, or a public thread about it.
    pub sources: Vec<String>,
}

/// Who takes part in an exchange (used by the sequence diagram).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// sfscenario itself (HTTP steps).
    Runner,
    /// The user agent: the built-in one or a real browser.
    Browser,
    /// The local callback listener.
    Callback,
    /// The login host (`/services/oauth2/*`, `/id/*`).
    LoginHost,
    /// The instance (`/services/data`, `/services/Soap`).
    Instance,
}

impl Party {
    /// Display name in diagrams and docs.
    pub fn title(self) -> &'static str {
        match self {
            Party::Runner => "sfscenario",
            Party::Browser => "Browser",
            Party::Callback => "Callback listener",
            Party::LoginHost => "Login host",
            Party::Instance => "Instance",
        }
    }
}

/// What an exchange is to the flow, so that renderers can tell the OAuth
/// protocol from a person using the login host's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A request the protocol defines: the authorization request, the
    /// redirect to the callback, token, REST, SOAP and Metadata calls.
    Protocol,
    /// A page the user agent loaded for the person (login, consent,
    /// verification, an error page).
    Page,
    /// What the person does on those pages (the login and consent forms, the
    /// callback page relaying a URL fragment): the login host's own business,
    /// different on every org.
    Interaction,
}

/// One HTTP request and its response.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub from: Party,
    pub to: Party,
    pub role: Role,
    pub request: HttpRequest,
    pub response: Option<HttpResponse>,
    /// Transport failure (refused, timeout, …).
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Option<Body>,
}

/// A message body, kept in the most readable form.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// `application/x-www-form-urlencoded` or multipart fields.
    Form(Vec<(String, String)>),
    Json(Value),
    Text(String),
}

/// One expectation and its outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked: `status`, `json access_token`, `header content-type`, `that …`.
    pub subject: String,
    pub expected: String,
    pub actual: String,
    pub passed: bool,
}

impl ScenarioLog {
    /// Steps that failed.
    pub fn failed_steps(&self) -> impl Iterator<Item = &StepLog> {
        self.steps.iter().filter(|s| s.status == Status::Failed)
    }
}
