//! `--format json`: the step log itself.

use serde::Serialize;

use crate::log::ScenarioLog;

/// One scenario's log as pretty JSON.
pub(super) fn scenario(log: &ScenarioLog) -> String {
    to_json(log)
}

/// A run's logs as a JSON array.
pub(super) fn run(logs: &[ScenarioLog]) -> String {
    to_json(&logs)
}

fn to_json(value: &impl Serialize) -> String {
    match serde_json::to_string_pretty(value) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // The log is plain data with string keys; this cannot happen, but a
        // renderer must not panic.
        Err(err) => format!(
            "{{\"error\": {}}}\n",
            serde_json::Value::String(err.to_string())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{failed_token_flow, pkce_flow};
    use super::scenario;

    #[test]
    fn json_pkce_flow() {
        insta::assert_snapshot!(scenario(&pkce_flow()));
    }

    #[test]
    fn json_failed_token_flow() {
        let text = scenario(&failed_token_flow());
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed["steps"][4]["status"], "skipped");
        assert_eq!(parsed["duration_ms"], 142);
    }
}
