//! The doctor: when a step fails and the answer is one of Salesforce's known
//! errors, it says why and what to change.
//!
//! The errors are a table (`hints.yaml`, see [`table`]): how each is
//! recognised, its likely causes, the fix and its sources. On the
//! in-process mock the doctor also reads the mock's configuration through
//! the runner and the requests of the run, and replaces the documented
//! causes with the one it found ([`exact`]). Against a standalone mock or a
//! real org it gives the documented ones. A hint echoes only what was sent
//! or configured, and the redactor goes over it like every string of the
//! step log.

mod answer;
pub mod docs;
mod exact;
mod sent;
pub mod table;

pub use answer::Answer;
pub use table::{Entry, entries};

use crate::log::{Hint, Status, StepLog};
use crate::mock::MockConfig;

/// The in-process mock, as the doctor sees it.
#[derive(Clone, Copy)]
pub struct MockView<'a> {
    pub config: &'a MockConfig,
    /// Its URL; only requests to it are diagnosed from its configuration.
    pub base_url: &'a str,
}

/// The hint for a failed step, when its answer is a known error.
#[must_use]
pub fn hint(step: &StepLog, earlier: &[StepLog], mock: Option<MockView<'_>>) -> Option<Hint> {
    if step.status != Status::Failed {
        return None;
    }
    let answer = Answer::of(step)?;
    let entry = answer.entry()?;
    let found = mock.and_then(|mock| {
        let sent =
            sent::Sent::of(step).or_else(|| sent::last_authorization(earlier).map(|(_, s)| s))?;
        // A request to another server than the mock says nothing about it.
        if !under(&sent.url, mock.base_url) {
            return None;
        }
        let facts = exact::Facts {
            step,
            earlier,
            sent,
            config: mock.config,
            base_url: mock.base_url,
        };
        exact::diagnose(&entry.id, &facts)
    });
    let exact = found.is_some();
    let (causes, fix) = match found {
        Some(found) => (found.causes, found.fix),
        None => (entry.causes.clone(), entry.fix.clone()),
    };
    Some(Hint {
        id: entry.id.clone(),
        error: answer.label(),
        meaning: entry.meaning.clone(),
        causes,
        fix,
        exact,
        sources: entry.sources.clone(),
    })
}

/// Whether `url` is `base` or a path under it.
fn under(url: &str, base: &str) -> bool {
    url.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
}

/// The entries that have an exact diagnosis on the in-process mock.
#[must_use]
pub fn exact_ids() -> Vec<&'static str> {
    exact::ids()
}
