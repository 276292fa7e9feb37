//! Every bundled scenario in `scenarios/` runs on the mock org and passes, and
//! its snapshot log is kept in `snapshots/scenarios/`.

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

#[test]
fn every_bundled_scenario_passes_and_matches_its_snapshot() {
    for path in bundled() {
        let rel = relative(&path);
        let out = Sfscenario::new()
            .args(["run", &rel, "--format", "snapshot", "--seed", "11"])
            .run();
        out.code(0).no_panic();
        let name = rel
            .trim_start_matches("scenarios/")
            .trim_end_matches(".yaml")
            .replace('/', "__");
        insta::with_settings!({
            snapshot_path => "../snapshots/scenarios",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => rel.clone(),
        }, {
            insta::assert_snapshot!(name, out.stdout);
        });
    }
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
