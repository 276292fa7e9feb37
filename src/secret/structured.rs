//! The structured pass: before any renderer sees a step log, every secret in
//! its values is replaced by the form the output shows (`[role#2]` in
//! snapshots, a short prefix or `********` elsewhere).
//!
//! Renderers escape what they print (`|` in Markdown tables, `&` in XML,
//! `;` in Mermaid, line breaks in YAML blocks); a pass over their finished
//! text could no longer recognise a secret they had escaped. Here no secret
//! is left for them to escape. The pass over finished text stays as a second
//! net, and replaces the volatile values of snapshots.

use crate::log::visit;
use crate::log::{ScenarioLog, StepLog};

use super::{Mode, Redactor};

impl Redactor {
    /// A copy of `log` whose values show no secret, for the output `mode`.
    #[must_use]
    pub fn redact_log(&self, log: &ScenarioLog, mode: Mode) -> ScenarioLog {
        let mut log = log.clone();
        if mode != Mode::Reveal && (self.knows_secrets() || mode == Mode::Document) {
            // First the secrets that occur anywhere in the log (one search
            // each over all its text), then each value for those few only.
            // Documentation also shows its hosts and ports as a reader's.
            let mut all = String::new();
            visit::scenario_strings(&mut log, &mut |s: &mut String| join(&mut all, s));
            let mut present = self.secrets_in(&all);
            if mode == Mode::Document {
                present.extend(self.readable_in(&all));
            }
            if !present.is_empty() {
                visit::scenario_strings(&mut log, &mut |s: &mut String| {
                    self.value(s, mode, &present);
                });
            }
        }
        log
    }

    /// A copy of one step whose values show no secret.
    #[must_use]
    pub fn redact_step(&self, step: &StepLog, mode: Mode) -> StepLog {
        let mut step = step.clone();
        if mode != Mode::Reveal && self.knows_secrets() {
            let mut all = String::new();
            visit::step_strings(&mut step, &mut |s: &mut String| join(&mut all, s));
            let present = self.secrets_in(&all);
            if !present.is_empty() {
                visit::step_strings(&mut step, &mut |s: &mut String| {
                    self.value(s, mode, &present);
                });
            }
        }
        step
    }

    fn value(&self, text: &mut String, mode: Mode, present: &[usize]) {
        if let Some(redacted) = self.redact_secrets_among(text, mode, Some(present)) {
            *text = redacted;
        }
    }
}

/// Every value in one text, each apart from the next.
fn join(all: &mut String, value: &str) {
    all.push_str(value);
    all.push('\0');
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::log::{Location, ScenarioLog, Status, StepLog};
    use crate::secret::{Class, Mode, Redactor};

    fn log_with(value: &str) -> ScenarioLog {
        ScenarioLog {
            file: "a.yaml".into(),
            name: "n".into(),
            description: None,
            target: "mock".into(),
            login_url: "http://127.0.0.1:1".into(),
            vars: [("key".to_owned(), json!(value))].into_iter().collect(),
            status: Status::Passed,
            duration_ms: 0,
            steps: vec![StepLog {
                index: 1,
                id: None,
                name: "jwt".into(),
                kind: crate::kind::Kind::Jwt,
                doc: None,
                location: Location::default(),
                status: Status::Passed,
                duration_ms: 0,
                inputs: json!({ "key": value, "note": format!("left {value} right") }),
                exchanges: Vec::new(),
                result: json!({}),
                checks: Vec::new(),
                error: Some(format!("bad key {value}")),
                hint: None,
            }],
            error: None,
            skipped: None,
        }
    }

    #[test]
    fn a_multi_line_secret_is_replaced_in_every_value() {
        let pem = "-----BEGIN KEY-----\nabcdefgh|ij\nklmn&opq\n-----END KEY-----\n";
        let mut r = Redactor::new();
        r.secret("private_key", pem, Class::Credential);
        let log = r.redact_log(&log_with(pem), Mode::Snapshot);
        assert_eq!(log.vars["key"], "[private_key]");
        assert_eq!(log.steps[0].inputs["key"], "[private_key]");
        assert_eq!(log.steps[0].inputs["note"], "left [private_key] right");
        assert_eq!(log.steps[0].error.as_deref(), Some("bad key [private_key]"));
        let shown = r.redact_log(&log_with(pem), Mode::Display);
        assert_eq!(shown.steps[0].inputs["note"], "left ******** right");
    }

    #[test]
    fn hints_are_redacted_too() {
        let secret = "hunter2hunter2";
        let mut log = log_with("x");
        log.steps[0].hint = Some(crate::log::Hint {
            id: "invalid_client".into(),
            error: format!("invalid_client: {secret}"),
            meaning: "m".into(),
            causes: vec![format!("you sent `{secret}`")],
            fix: format!("send `{secret}`"),
            exact: true,
            sources: vec!["https://example.com".into()],
        });
        let mut r = Redactor::new();
        r.secret("client_secret", secret, Class::Credential);
        let shown = r.redact_log(&log, Mode::Display);
        let hint = shown.steps[0].hint.as_ref().unwrap();
        let text = format!("{} {:?} {}", hint.error, hint.causes, hint.fix);
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("you sent `********`"), "{text}");
    }

    #[test]
    fn reveal_changes_nothing() {
        let mut r = Redactor::new();
        r.secret("password", "hunter2hunter2", Class::Credential);
        let log = r.redact_log(&log_with("hunter2hunter2"), Mode::Reveal);
        assert_eq!(log.vars["key"], "hunter2hunter2");
    }

    #[test]
    fn volatile_values_are_left_to_the_text_pass() {
        let mut r = Redactor::new();
        r.volatile("state", "k3j4h5g6f7");
        r.secret("password", "hunter2hunter2", Class::Credential);
        let log = r.redact_log(&log_with("k3j4h5g6f7"), Mode::Snapshot);
        assert_eq!(log.vars["key"], "k3j4h5g6f7");
    }
}
