//! Every bundled scenario in `scenarios/` runs on the mock org and passes, and
//! its snapshot log, written by `sfscenario run scenarios/ --update-snapshots
//! --snapshots snapshots/scenarios`, is kept in `snapshots/scenarios/`.

use std::path::Path;

use crate::harness::{Sfscenario, bundled, root};

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .expect("under the repository")
        .to_string_lossy()
        .into_owned()
}

#[test]
fn there_is_a_scenario_for_every_flow() {
    let names: Vec<String> = bundled().iter().map(|p| relative(p)).collect();
    for flow in [
        "scenarios/pkce.yaml",
        "scenarios/web-server.yaml",
        "scenarios/username-password.yaml",
        "scenarios/user-agent.yaml",
        "scenarios/refresh-token.yaml",
        "scenarios/refresh-token-rotation.yaml",
        "scenarios/jwt-bearer.yaml",
        "scenarios/client-credentials.yaml",
        "scenarios/device.yaml",
        "scenarios/revoke-introspect.yaml",
        "scenarios/openid-connect.yaml",
    ] {
        assert!(
            names.iter().any(|n| n == flow),
            "{flow} is missing: {names:?}"
        );
    }
    let negative = names
        .iter()
        .filter(|n| n.starts_with("scenarios/negative/"))
        .count();
    assert!(negative >= 10, "only {negative} negative scenarios");
}

/// The README's CI command, on the committed snapshot logs: every bundled
/// scenario passes and its log matches `snapshots/scenarios/<path>.snap`.
/// After a deliberate change, accept the new logs with
/// `cargo run -- run scenarios/ --update-snapshots --snapshots snapshots/scenarios`.
#[test]
fn every_bundled_scenario_passes_and_matches_its_snapshot() {
    let out = Sfscenario::new()
        .args([
            "run",
            "scenarios/",
            "--snapshots",
            "snapshots/scenarios",
            "-q",
        ])
        .run();
    out.code(0).no_panic();
    assert!(
        !out.stderr.contains("snapshot"),
        "a snapshot log is missing or differs\n{out}"
    );
}

/// One snapshot log per bundled scenario, named by its path under
/// `scenarios/`, and nothing else: a renamed or removed scenario leaves no
/// stale log behind.
#[test]
fn the_snapshot_directory_holds_one_log_per_bundled_scenario() {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("a readable directory") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(relative(&path));
            }
        }
    }
    let mut logs = Vec::new();
    walk(&root().join("snapshots/scenarios"), &mut logs);
    logs.sort();
    let expected: Vec<String> = bundled()
        .iter()
        .map(|p| {
            let rel = relative(p);
            let stem = rel
                .strip_prefix("scenarios/")
                .and_then(|r| r.strip_suffix(".yaml"))
                .expect("scenarios/…yaml");
            format!("snapshots/scenarios/{stem}.snap")
        })
        .collect();
    assert_eq!(logs, expected);
}

#[test]
fn the_whole_directory_runs_in_parallel_with_stable_output() {
    let run = || {
        Sfscenario::new()
            .args([
                "run",
                "scenarios/",
                "--format",
                "snapshot",
                "--seed",
                "5",
                "--jobs",
                "4",
            ])
            .run()
    };
    let (a, b) = (run(), run());
    a.code(0).no_panic();
    b.code(0);
    assert_same(
        &a.stdout,
        &b.stdout,
        "a parallel run's output depends on timing",
    );
    let sequential = Sfscenario::new()
        .args([
            "run",
            "scenarios/",
            "--format",
            "snapshot",
            "--seed",
            "5",
            "--jobs",
            "1",
        ])
        .run();
    assert_same(&a.stdout, &sequential.stdout, "--jobs changes the output");
}

/// Equal, or a failure showing only the lines that differ.
fn assert_same(a: &str, b: &str, what: &str) {
    if a != b {
        let diff = similar::TextDiff::from_lines(a, b)
            .unified_diff()
            .context_radius(2)
            .to_string();
        panic!("{what}:\n{diff}");
    }
}
