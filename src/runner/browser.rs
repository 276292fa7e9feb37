//! Before the first request: a scenario that sends a browser somewhere (an
//! `authorize` step, or a device flow's polling `token` step) needs one that
//! can get there — Chromium and chromedriver for `--browser headless`, a
//! person at a screen for `system`.

use crate::headless;
use crate::kind::Kind;
use crate::scenario::diag::Diagnostic;
use crate::scenario::model::Scenario;
use crate::scenario::node::{Node, Value};

use super::run_config::{BrowserMode, RunConfig};

/// What `--browser headless` needs for this scenario (none when it opens no
/// browser, or another mode is in force); an input error when the browser
/// cannot be had.
pub fn setup(
    scenario: &Scenario,
    cfg: &RunConfig,
) -> Result<Option<headless::Setup>, Vec<Diagnostic>> {
    let authorizes = scenario.steps.iter().any(|s| s.kind == Kind::Authorize);
    let polls = scenario
        .steps
        .iter()
        .any(|s| s.kind == Kind::Token && has_key(&s.params, "poll"));
    if authorizes && let Some(why) = cfg.no_browser_here() {
        return Err(vec![Diagnostic::whole_file(why)]);
    }
    if cfg.browser_mode() != BrowserMode::Headless || !(authorizes || polls) {
        return Ok(None);
    }
    let tools = headless::Tools::find(&cfg.env).map_err(|why| vec![Diagnostic::whole_file(why)])?;
    Ok(Some(headless::Setup {
        tools,
        evidence: cfg.evidence.clone(),
        scenario: scenario.path.clone(),
    }))
}

/// Whether a step's parameters have `key`.
fn has_key(params: &Node, key: &str) -> bool {
    matches!(&params.value, Value::Map(entries) if entries.iter().any(|(k, _)| k.name == key))
}
