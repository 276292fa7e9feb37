//! Scenarios the mock org must refuse (`tests/fixtures/scenarios/*.yaml`): the run
//! fails with exit 1, the failed step says so in every format and names the
//! Salesforce error code, and later steps are skipped. A refusal the scenario
//! expects is a pass.

use serde_json::Value;

use crate::harness::{Output, Sfscenario};

/// A scenario that must fail at one step with one OAuth error.
struct Refusal {
    file: &'static str,
    /// Id of the step that fails.
    step: &'static str,
    /// Salesforce's `error`.
    error: &'static str,
    /// Salesforce's `error_description`.
    description: &'static str,
}

impl Refusal {
    fn run(&self, format: &str) -> Output {
        let out = Sfscenario::new()
            .args(["run", self.file, "--seed", "1", "--format", format])
            .run();
        out.code(1).no_panic();
        out
    }

    /// Checks the pretty and json outputs; returns the json steps.
    fn check(&self) -> Vec<Value> {
        let pretty = self.run("pretty");
        pretty.stdout_has(self.error).stdout_has(self.description);
        let log: Value = serde_json::from_str(&self.run("json").stdout).expect("stdout is JSON");
        assert_eq!(log["status"], "failed", "{log:#}");
        let steps = log["steps"].as_array().expect("steps").clone();
        let at = steps
            .iter()
            .position(|s| s["id"] == self.step)
            .unwrap_or_else(|| panic!("no step `{}` in {log:#}", self.step));
        let failed = &steps[at];
        assert_eq!(failed["status"], "failed", "{failed:#}");
        let error = failed["error"]
            .as_str()
            .expect("the failed step has an error");
        assert!(
            error.contains(self.error) && error.contains(self.description),
            "json error {error:?} should name {} and {:?}",
            self.error,
            self.description
        );
        assert_eq!(failed["result"]["error"], self.error, "{failed:#}");
        assert_eq!(failed["result"]["error_description"], self.description);
        for before in &steps[..at] {
            assert_eq!(before["status"], "passed", "{before:#}");
        }
        for after in &steps[at + 1..] {
            assert_eq!(after["status"], "skipped", "{after:#}");
        }

        // Pretty: the step is marked ✗ and its error line names the code.
        let title = failed["name"].as_str().expect("a name");
        let mark = format!("  ✗ {}. {title} (", at + 1);
        let lines: Vec<&str> = pretty.stdout.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.starts_with(&mark))
            .unwrap_or_else(|| panic!("no line {mark:?}\n{pretty}"));
        let block: Vec<&str> = lines[start + 1..]
            .iter()
            .take_while(|l| l.starts_with("    "))
            .copied()
            .collect();
        let wanted = format!("{}: {}", self.error, self.description);
        assert!(
            block.iter().any(|l| l.contains(&wanted)),
            "the failed step's lines {block:#?} lack {wanted:?}"
        );
        assert!(
            pretty.stdout.lines().any(|l| l.starts_with("FAILED ")),
            "{pretty}"
        );
        steps
    }
}

#[test]
fn wrong_verifier() {
    let steps = Refusal {
        file: "tests/fixtures/scenarios/wrong_verifier.yaml",
        step: "token",
        error: "invalid_grant",
        description: "invalid code verifier",
    }
    .check();
    assert_eq!(steps.len(), 6);
    assert_eq!(steps[5]["id"], "accounts");
    assert_eq!(steps[5]["status"], "skipped");
    // The two PKCE pairs really differ: the verifier sent is not the one
    // whose challenge was sent.
    assert_ne!(
        steps[0]["result"]["code_challenge"],
        steps[1]["result"]["code_challenge"]
    );
}

#[test]
fn wrong_verifier_pretty_marks_the_later_step_skipped() {
    let out = Sfscenario::new()
        .args(["run", "tests/fixtures/scenarios/wrong_verifier.yaml"])
        .run();
    out.code(1)
        .stdout_has("  - 6. API Request (request) skipped")
        .stdout_has("(4 passed, 1 failed, 1 skipped)");
}

#[test]
fn wrong_verifier_junit() {
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/fixtures/scenarios/wrong_verifier.yaml",
            "--format",
            "junit",
        ])
        .run();
    out.code(1);
    let text = &out.stdout;
    assert_eq!(text.matches("<testsuite ").count(), 1, "{text}");
    assert_eq!(text.matches("<testcase ").count(), 6, "{text}");
    assert_eq!(text.matches("<failure ").count(), 1, "{text}");
    assert_eq!(text.matches("<skipped ").count(), 1, "{text}");
    assert!(
        text.contains(r#"<failure message="HTTP 400: invalid_grant: invalid code verifier""#),
        "{text}"
    );
}

#[test]
fn reused_code() {
    let steps = Refusal {
        file: "tests/fixtures/scenarios/reused_code.yaml",
        step: "second",
        error: "invalid_grant",
        description: "expired authorization code",
    }
    .check();
    assert_eq!(steps.len(), 4);
    // The first exchange of the same code worked.
    assert_eq!(steps[2]["id"], "first");
    assert_eq!(steps[2]["result"]["status"], 200);
    assert_eq!(steps[2]["result"]["token_type"], "Bearer");
    assert_eq!(
        steps[2]["inputs"]["form"]["code"], steps[3]["inputs"]["form"]["code"],
        "both exchanges send the same code"
    );
}

#[test]
fn redirect_mismatch() {
    let steps = Refusal {
        file: "tests/fixtures/scenarios/redirect_mismatch.yaml",
        step: "token",
        error: "redirect_uri_mismatch",
        description: "redirect_uri must match configuration",
    }
    .check();
    assert_eq!(steps.len(), 3);
}

#[test]
fn wrong_secret() {
    let steps = Refusal {
        file: "tests/fixtures/scenarios/wrong_secret.yaml",
        step: "token",
        error: "invalid_client",
        description: "invalid client credentials",
    }
    .check();
    assert_eq!(steps.len(), 3);
    assert_eq!(steps[2]["result"]["status"], 400);
}

#[test]
fn expected_refusal_passes() {
    let file = "tests/fixtures/scenarios/expected_refusal.yaml";
    let pretty = Sfscenario::new().args(["run", file]).run();
    pretty
        .success()
        .no_panic()
        .stdout_has("error: invalid_grant")
        .stdout_has("PASSED A negative test passes when the refusal is expected");
    assert!(!pretty.stdout.contains('✗'), "{pretty}");

    let out = Sfscenario::new()
        .args(["run", file, "--format", "json"])
        .run();
    out.success();
    let log: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(log["status"], "passed");
    let steps = log["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 4);
    assert!(steps.iter().all(|s| s["status"] == "passed"), "{log:#}");
    let token = &steps[3];
    assert_eq!(token["result"]["status"], 400);
    assert_eq!(token["result"]["error"], "invalid_grant");
    assert_eq!(token["result"]["access_token"], Value::Null);
    let checks = token["checks"].as_array().expect("checks");
    assert_eq!(
        checks.len(),
        3,
        "status, json error and one `that`: {token:#}"
    );
    assert!(checks.iter().all(|c| c["passed"] == true), "{token:#}");
}

/// The exit status of a run over several files is the worst one, and an
/// unusable file does not stop the others.
#[test]
fn several_files_exit_with_the_worst_status() {
    let passing = "tests/fixtures/scenarios/expected_refusal.yaml";
    let failing = "tests/fixtures/scenarios/wrong_secret.yaml";
    Sfscenario::new()
        .args(["run", passing, failing])
        .run()
        .code(1)
        .stdout_has("PASSED A negative test passes")
        .stdout_has("FAILED A wrong client secret is refused");

    let out = Sfscenario::new()
        .args([
            "run",
            passing,
            "tests/fixtures/bad/pkce_length.yaml",
            failing,
        ])
        .run();
    out.code(2)
        .no_panic()
        .stdout_has("PASSED A negative test passes")
        .stdout_has("FAILED A wrong client secret is refused")
        .stderr_has("tests/fixtures/bad/pkce_length.yaml:5:15");
}
