//! Why a step did not pass.

use serde_json::Value;

use crate::net::client::ClientError;
use crate::net::listener::ListenError;
use crate::net::user_agent::AgentError;

/// A step's failure, with what it had gathered.
#[derive(Debug)]
pub struct StepError {
    /// Boxed: a step's `Result` stays small on the happy path.
    pub failure: Box<Failure>,
    /// Partial result to keep (its fields stay available to `expect`).
    pub result: Option<Value>,
    /// A refusal that expectations may still accept (negative tests).
    pub soft: bool,
}

/// What went wrong, by layer. Each shows as one line in every output.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The parameters, as rendered, do not fit the step (a wrong type, a
    /// value out of range).
    #[error("{0}")]
    Input(String),
    /// A template failed at run time; the message names its place.
    #[error("{0}")]
    Template(String),
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Listen(#[from] ListenError),
    #[error(transparent)]
    Agent(#[from] AgentError),
    /// The other side answered, but not what the step needs.
    #[error("{0}")]
    Failed(String),
}

impl StepError {
    fn new(failure: Failure) -> Self {
        StepError {
            failure: Box::new(failure),
            result: None,
            soft: false,
        }
    }

    pub fn input(message: impl Into<String>) -> Self {
        Self::new(Failure::Input(message.into()))
    }

    pub fn template(message: impl Into<String>) -> Self {
        Self::new(Failure::Template(message.into()))
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(Failure::Failed(message.into()))
    }

    /// A failure that keeps the result gathered so far.
    #[must_use]
    pub fn with_result(mut self, result: Value) -> Self {
        self.result = Some(result);
        self
    }

    /// A refusal by the server, which an `expect` may accept.
    pub fn refused(message: impl Into<String>) -> Self {
        StepError {
            soft: true,
            ..Self::failed(message)
        }
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.failure.fmt(f)
    }
}

impl<E: Into<Failure>> From<E> for StepError {
    fn from(e: E) -> Self {
        Self::new(e.into())
    }
}
