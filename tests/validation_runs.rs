//! Whole runs over the corpus `tests/fixtures/bad/`: every problem of a file is
//! reported, stdout stays empty, and `validate` sums up.

use std::path::Path;

use crate::bad_file::{CORPUS, bad, errors};
use crate::harness::{Sfscenario, root};

#[test]
fn every_problem_of_a_file_is_reported() {
    let path = "tests/fixtures/bad/several_errors.yaml";
    let out = bad("several_errors.yaml").check();
    let errors = errors(&out);
    assert_eq!(errors.len(), 3, "{errors:#?}\n{out}");
    for (i, (line, column, says)) in [
        (2, 1, "unknown key `descripton`"),
        (6, 15, "`length` must be between 43 and 128"),
        (7, 9, "step id `pkce` is used twice"),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(errors[i].contains(says), "{errors:#?}");
        out.stderr_has(&format!("--> {path}:{line}:{column}\n"));
    }
}

#[test]
fn every_template_problem_of_a_file_is_reported() {
    let path = "tests/fixtures/bad/template_errors.yaml";
    let out = bad("template_errors.yaml").check();
    let errors = errors(&out);
    assert_eq!(errors.len(), 3, "{errors:#?}\n{out}");
    for (i, (line, column, says)) in [
        (5, 14, "undefined variable `nobody`"),
        (6, 20, "unknown filter `shout`"),
        (7, 14, "`later` refers to step 2"),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(errors[i].contains(says), "{errors:#?}");
        out.stderr_has(&format!("--> {path}:{line}:{column}\n"));
    }
}

#[test]
fn structural_and_template_problems_are_all_reported() {
    let path = "tests/fixtures/bad/mixed_errors.yaml";
    for command in ["run", "validate"] {
        let out = Sfscenario::new().args([command, path]).run();
        out.code(2).no_panic();
        assert_eq!(errors(&out).len(), 2, "{out}");
        out.stderr_has(&format!("--> {path}:5:15\n"))
            .stderr_has(&format!("--> {path}:8:27\n"))
            .stderr_has("undefined variable `nobody`");
    }
}

#[test]
fn the_corpus_list_names_every_file() {
    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad"))
            .expect("tests/fixtures/bad")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
    files.sort_unstable();
    assert_eq!(files, CORPUS);
    assert!(CORPUS.len() >= 15);
}

/// stdout holds only the chosen format; an unusable file has none, whether
/// the loader or the template check finds its problems.
#[test]
fn diagnostics_leave_stdout_empty() {
    for file in CORPUS {
        let path = format!("tests/fixtures/bad/{file}");
        for format in ["pretty", "markdown", "snapshot"] {
            Sfscenario::new()
                .args(["run", &path, "--format", format])
                .run()
                .code(2)
                .no_panic()
                .stdout_empty();
        }
    }
}

#[test]
fn validate_accepts_the_bundled_and_test_scenarios() {
    Sfscenario::new()
        .args(["validate", "scenarios/pkce.yaml"])
        .run()
        .success()
        .no_panic()
        .stdout_empty()
        .stderr_has("ok: scenarios/pkce.yaml")
        .stderr_has("1 valid, 0 invalid");
    Sfscenario::new()
        .args([
            "validate",
            "scenarios/pkce.yaml",
            "tests/fixtures/scenarios",
        ])
        .run()
        .success()
        .stderr_has("6 valid, 0 invalid");
}

#[test]
fn validate_reports_every_file_of_a_directory() {
    let out = Sfscenario::new()
        .args(["validate", "tests/fixtures/bad"])
        .run();
    out.code(2).no_panic().stdout_empty();
    out.stderr_has(&format!("0 valid, {} invalid", CORPUS.len()));
    for file in CORPUS {
        out.stderr_has(&format!("tests/fixtures/bad/{file}"));
    }
}

#[test]
fn one_bad_file_makes_validate_fail() {
    Sfscenario::new()
        .args([
            "validate",
            "scenarios/pkce.yaml",
            "tests/fixtures/bad/pkce_length.yaml",
        ])
        .run()
        .code(2)
        .stderr_has("ok: scenarios/pkce.yaml")
        .stderr_has("1 valid, 1 invalid");
}

#[test]
fn a_large_suite_reports_every_bad_file_the_same_way_each_time() {
    // Twice the corpus, 16 files a reader or more: the files are read on
    // several threads, and what they print must not depend on which thread
    // finished first.
    let dir = tempfile::tempdir().expect("a temporary directory");
    for copy in ["a", "b"] {
        for file in CORPUS {
            std::fs::copy(
                root().join("tests/fixtures/bad").join(file),
                dir.path().join(format!("{copy}_{file}")),
            )
            .expect("copy a corpus file");
        }
    }
    let path = dir.path().display().to_string();
    let first = Sfscenario::new().args(["run", &path]).run();
    first.code(2).no_panic().stdout_empty();
    for copy in ["a", "b"] {
        for file in CORPUS {
            first.stderr_has(&format!("{copy}_{file}:"));
        }
    }
    for _ in 0..3 {
        let again = Sfscenario::new().args(["run", &path]).run();
        assert_eq!(again.stderr, first.stderr, "the diagnostics changed order");
    }
}
