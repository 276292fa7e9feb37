//! JUnit reports that CI servers read are valid against the Jenkins JUnit
//! schema (`tests/fixtures/junit-10.xsd`, from pytest's test suite), checked
//! with `xmllint` (Debian `libxml2-utils`). What the reports say is checked in
//! the integration tests (`tests/junit.rs`).

use std::path::Path;
use std::process::Command;

use crate::gate::{Tool, ToolTest};
use crate::harness::{Sfscenario, root};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Xmllint] =>
        junit_of_a_mixed_directory_run_matches_the_schema,
        junit_of_a_failed_expectation_matches_the_schema,
    ]
}

const XSD: &str = "tests/fixtures/junit-10.xsd";

fn validate(xml: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).expect("write the report");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(root().join(XSD))
        .arg(&path)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "the JUnit report does not match {}:\n{}\n{xml}",
        Path::new(XSD).display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Passed, failed and skipped cases, from several files.
fn junit_of_a_mixed_directory_run_matches_the_schema() {
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/fixtures/scenarios/",
            "--format",
            "junit",
            "--seed",
            "3",
        ])
        .run();
    out.code(1).no_panic();
    assert!(out.stdout.contains("<failure"), "{}", out.stdout);
    assert!(out.stdout.contains("<skipped"), "{}", out.stdout);
    validate(&out.stdout);
}

/// A failure message with expected and actual values.
fn junit_of_a_failed_expectation_matches_the_schema() {
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/fixtures/failed_expectation.yaml",
            "--format",
            "junit",
        ])
        .run();
    out.code(1).no_panic();
    assert!(out.stdout.contains("<failure"), "{}", out.stdout);
    validate(&out.stdout);
}
