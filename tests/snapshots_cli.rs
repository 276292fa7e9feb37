//! `--snapshots DIR` and `--update-snapshots`: write, compare, show a diff.

use std::path::Path;

use crate::harness::{Output, Sfscenario};

const PKCE: &str = "scenarios/pkce.yaml";

fn run(dir: &Path, update: bool) -> Output {
    let mut cmd = Sfscenario::new()
        .args(["run", PKCE, "--snapshots"])
        .arg(dir);
    if update {
        cmd = cmd.arg("--update-snapshots");
    }
    let out = cmd.run();
    out.no_panic();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn update_writes_then_a_run_compares() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let snap = dir.path().join("pkce.snap");

    let written = run(dir.path(), true);
    written
        .success()
        .stderr_has(&format!("snapshot new: {}", snap.display()));
    let text = read(&snap);
    let shown = Sfscenario::new()
        .args(["run", PKCE, "--format", "snapshot"])
        .run();
    shown.success();
    assert!(
        text == shown.stdout,
        "pkce.snap differs from `--format snapshot`\n--- pkce.snap\n{text}\n--- stdout\n{}",
        shown.stdout
    );

    let compared = run(dir.path(), false);
    compared.success();
    assert!(
        !compared.stderr.contains("snapshot"),
        "a matching snapshot needs no word\n{compared}"
    );
    assert_eq!(read(&snap), text, "comparing must not rewrite the file");
}

#[test]
fn an_edited_snapshot_fails_with_a_diff() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let snap = dir.path().join("pkce.snap");
    run(dir.path(), true).success();
    let original = read(&snap);
    let edited = original.replacen(
        "name: \"Account Described\"",
        "name: \"Account Described Twice\"",
        1,
    );
    assert_ne!(edited, original, "the snapshot names the last step");
    std::fs::write(&snap, &edited).expect("edit pkce.snap");

    let out = run(dir.path(), false);
    out.code(1)
        .stderr_has(&format!("snapshot mismatch: {}", snap.display()))
        .stderr_has("--- expected")
        .stderr_has("+++ actual")
        .stderr_has("@@ ");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines.contains(&"-    name: \"Account Described Twice\""),
        "the diff removes the edited line\n{out}"
    );
    assert!(
        lines.contains(&"+    name: \"Account Described\""),
        "the diff adds the actual line\n{out}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("-    ")).count(),
        1,
        "only the edited line differs\n{out}"
    );
    assert_eq!(
        read(&snap),
        edited,
        "a failed comparison leaves the file alone"
    );

    // Updating puts the actual log back.
    run(dir.path(), true).success();
    assert_eq!(read(&snap), original);
    run(dir.path(), false).success();
}

#[test]
fn a_missing_snapshot_fails() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = run(dir.path(), false);
    out.code(1)
        .stderr_has("snapshot missing")
        .stderr_has("--update-snapshots");
    assert!(
        !dir.path().join("pkce.snap").exists(),
        "only --update-snapshots writes"
    );
}

/// Snapshots are keyed by the path relative to the directory given to `run`.
#[test]
fn a_directory_gets_one_snapshot_per_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Sfscenario::new()
        .args([
            "run",
            "tests/fixtures/scenarios",
            "--update-snapshots",
            "--snapshots",
        ])
        .arg(dir.path())
        .run();
    // Four of the five scenarios fail on purpose; their logs are still written.
    out.code(1).no_panic();
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .expect("the snapshot directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "expected_refusal.snap",
            "redirect_mismatch.snap",
            "reused_code.snap",
            "wrong_secret.snap",
            "wrong_verifier.snap",
        ]
    );
}
