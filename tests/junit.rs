//! JUnit output that CI servers read: valid against the Jenkins JUnit schema
//! (`tests/fixtures/junit-10.xsd`, from pytest's test suite), one suite per
//! scenario file and one case per step, failures carrying expected and actual.

use std::path::Path;
use std::process::Command;

use crate::harness::{Sfscenario, root};

fn xmllint() -> bool {
    let found = Command::new("xmllint").arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
    }
    found
}

fn validate(xml: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("report.xml");
    std::fs::write(&path, xml).expect("write the report");
    let schema = root().join("tests/fixtures/junit-10.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(&schema)
        .arg(&path)
        .output()
        .expect("xmllint runs");
    assert!(
        out.status.success(),
        "the JUnit report does not match {}:\n{}\n{xml}",
        Path::new("tests/fixtures/junit-10.xsd").display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn junit_of_a_mixed_directory_run_matches_the_schema() {
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/scenarios/",
            "--format",
            "junit",
            "--seed",
            "3",
        ])
        .run();
    out.code(1).no_panic();
    let xml = &out.stdout;
    assert_eq!(xml.matches("<testsuite ").count(), 5, "{xml}");
    assert!(xml.contains("invalid code verifier"), "{xml}");
    assert!(xml.contains("<skipped"), "{xml}");
    if xmllint() {
        validate(xml);
    }
}

#[test]
fn junit_failure_names_expected_and_actual() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let scenario = dir.path().join("expect.yaml");
    std::fs::write(
        &scenario,
        "name: An expectation that fails\nmock:\n  org_settings: { allow_username_password_flows: true }\nsteps:\n  - token:\n      form:\n        grant_type: password\n        client_id: \"{{ org.client_id }}\"\n        client_secret: \"{{ org.client_secret }}\"\n        username: \"{{ org.username }}\"\n        password: \"{{ org.password }}{{ org.security_token }}\"\n    expect:\n      json:\n        token_type: Basic\n",
    )
    .expect("write the scenario");
    let path = scenario.to_string_lossy().into_owned();
    let out = Sfscenario::new()
        .args(["run", &path, "--format", "junit"])
        .run();
    out.code(1);
    assert!(out.stdout.contains("json token_type"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Basic") && out.stdout.contains("Bearer"),
        "{}",
        out.stdout
    );
    if xmllint() {
        validate(&out.stdout);
    }
}

#[test]
fn a_directory_run_with_mixed_results_sums_up() {
    let out = Sfscenario::new()
        .args(["run", "tests/scenarios/", "--jobs", "3"])
        .run();
    out.code(1).no_panic();
    assert!(
        out.stdout.contains("1 passed, 4 failed, 0 skipped"),
        "{}",
        out.stdout
    );
    let first = out
        .stdout
        .find("tests/scenarios/expected_refusal.yaml")
        .expect("first file");
    let last = out
        .stdout
        .find("tests/scenarios/wrong_verifier.yaml")
        .expect("last file");
    assert!(first < last, "scenarios are not reported in file order");
}
