//! JUnit output that CI servers read: one suite per scenario file and one
//! case per step, failures carrying expected and actual. That the same
//! reports are valid against the Jenkins JUnit schema is checked with
//! `xmllint` in the `tools` test binary (`tests/tools/junit_schema.rs`).

use crate::harness::Sfscenario;

#[test]
fn junit_of_a_mixed_directory_run_has_a_suite_per_file() {
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
    let xml = &out.stdout;
    assert_eq!(xml.matches("<testsuite ").count(), 5, "{xml}");
    assert!(xml.contains("invalid code verifier"), "{xml}");
    assert!(xml.contains("<skipped"), "{xml}");
}

#[test]
fn junit_failure_names_expected_and_actual() {
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/fixtures/failed_expectation.yaml",
            "--format",
            "junit",
        ])
        .run();
    out.code(1);
    assert!(out.stdout.contains("json token_type"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Basic") && out.stdout.contains("Bearer"),
        "{}",
        out.stdout
    );
}

#[test]
fn a_directory_run_with_mixed_results_sums_up() {
    let out = Sfscenario::new()
        .args(["run", "tests/fixtures/scenarios/", "--jobs", "3"])
        .run();
    out.code(1).no_panic();
    assert!(
        out.stdout.contains("1 passed, 4 failed, 0 skipped"),
        "{}",
        out.stdout
    );
    let first = out
        .stdout
        .find("tests/fixtures/scenarios/expected_refusal.yaml")
        .expect("first file");
    let last = out
        .stdout
        .find("tests/fixtures/scenarios/wrong_verifier.yaml")
        .expect("last file");
    assert!(first < last, "scenarios are not reported in file order");
}
