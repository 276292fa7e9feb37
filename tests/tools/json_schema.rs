//! `sfscenario schema` describes every bundled scenario and rejects what the
//! loader rejects, checked with Python's `jsonschema` (`tests/schema/check.py`;
//! `.ci/run` installs it).

use std::io::Write as _;
use std::process::{Command, Stdio};

use crate::gate::{Tool, ToolTest};
use crate::harness::{Sfscenario, bundled, root};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Jsonschema] =>
        every_bundled_scenario_matches_the_schema,
        the_schema_describes_scenarios_of_apps_from_source,
        the_schema_rejects_what_the_loader_rejects,
    ]
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

fn every_bundled_scenario_matches_the_schema() {
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

/// `mock: { app }`, `mock_only` and the metadata step's files: the example
/// project's scenarios and the apps fixtures.
fn the_schema_describes_scenarios_of_apps_from_source() {
    let mut files = Vec::new();
    let mut stack = vec![
        root().join("examples/sfdx-project/scenarios"),
        root().join("tests/fixtures/apps"),
    ];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("a readable folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml") {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    assert!(files.len() >= 15, "{files:?}");
    let (ok, out) = check(&files);
    assert!(ok, "{out}");
}

fn the_schema_rejects_what_the_loader_rejects() {
    let files: Vec<String> = [
        "step_key_typo.yaml",
        "unknown_kind.yaml",
        "two_kinds.yaml",
        "unknown_top_key.yaml",
        "app_key_typo.yaml",
    ]
    .iter()
    .map(|f| {
        root()
            .join("tests/fixtures/bad")
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
