//! `sfscenario schema` describes every bundled scenario (checked with Python's
//! `jsonschema`, installed by `.ci/run`; skipped where it is missing) and
//! rejects what the loader rejects.

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::bundled::bundled;
use crate::harness::{Sfscenario, root};

fn validator_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import jsonschema, yaml"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!(
            "skipped: python3 with jsonschema and PyYAML is not installed (pip install -r tests/schema/requirements.txt)"
        );
    }
    ok
}

/// Runs the validator over `files`; returns its exit success and output.
fn check(files: &[String]) -> (bool, String) {
    let schema = Sfscenario::new().args(["schema"]).run();
    schema.code(0);
    let mut child = Command::new("python3")
        .arg(root().join("tests/schema/check.py"))
        .args(files)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(schema.stdout.as_bytes())
        .expect("write the schema");
    let out = child.wait_with_output().expect("the validator ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn every_bundled_scenario_matches_the_schema() {
    if !validator_available() {
        return;
    }
    let files: Vec<String> = bundled()
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    assert!(files.len() >= 20, "{files:?}");
    let (ok, out) = check(&files);
    assert!(ok, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(": ok")).count(),
        files.len(),
        "{out}"
    );
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    if !validator_available() {
        return;
    }
    let files: Vec<String> = [
        "step_key_typo.yaml",
        "unknown_kind.yaml",
        "two_kinds.yaml",
        "unknown_top_key.yaml",
    ]
    .iter()
    .map(|f| {
        root()
            .join("tests/bad")
            .join(f)
            .to_string_lossy()
            .into_owned()
    })
    .collect();
    let (ok, out) = check(&files);
    assert!(!ok, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(": ok")).count(),
        0,
        "{out}"
    );
}
