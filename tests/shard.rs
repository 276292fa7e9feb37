//! `--shard K/N` for CI matrices: for every N, the N shards partition the
//! suite (each scenario in exactly one), and a scenario's shard does not
//! change from run to run, with `--jobs`, or with the order of the paths.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::harness::Sfscenario;

/// Scenario files in nested folders, `.yaml` and `.yml`, names that sort
/// differently by byte and by path component.
const FILES: &[&str] = &[
    "a.yaml",
    "b.yml",
    "b-c.yaml",
    "b/a.yaml",
    "b/c/d.yaml",
    "c.yaml",
    "d/e.yaml",
    "d/f.yml",
    "e.yaml",
    "f.yaml",
    "g/h/i.yaml",
    "j.yaml",
    "k.yaml",
];

fn suite() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for file in FILES {
        let path = dir.path().join("suite").join(file);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create a folder");
        std::fs::write(
            &path,
            format!("name: shard member {file}\nsteps:\n  - set: {{ file: \"{file}\" }}\n"),
        )
        .expect("write a scenario");
    }
    dir
}

/// The files the K-th of N shards ran, from the JSON log(s) of the run.
fn shard(dir: &Path, paths: &[&str], k: usize, n: usize, jobs: &str) -> Vec<String> {
    let out = Sfscenario::new()
        .current_dir(dir)
        .arg("run")
        .args(paths)
        .args(["--shard", &format!("{k}/{n}"), "--jobs", jobs])
        .args(["--format", "json"])
        .run();
    out.success().no_panic();
    // One JSON document per scenario, or none for an empty shard.
    serde_json::Deserializer::from_str(&out.stdout)
        .into_iter::<Value>()
        .flat_map(|log| {
            let log = log.unwrap_or_else(|e| panic!("not JSON ({e}):\n{out}"));
            match log {
                Value::Array(logs) => logs,
                one => vec![one],
            }
        })
        .map(|log| {
            log["file"]
                .as_str()
                .unwrap_or_else(|| panic!("a log without a file: {log}"))
                .to_owned()
        })
        .collect()
}

#[test]
fn the_shards_partition_the_suite_and_are_stable() {
    let dir = suite();
    let all: BTreeSet<String> = FILES.iter().map(|f| format!("suite/{f}")).collect();
    for n in [1, 2, 3, 4, 5, 13, 20] {
        let mut seen = BTreeSet::new();
        for k in 1..=n {
            let files = shard(dir.path(), &["suite/"], k, n, "1");
            for file in &files {
                assert!(
                    seen.insert(file.clone()),
                    "{file} is in shard {k}/{n} and an earlier one"
                );
            }
            assert_eq!(
                shard(dir.path(), &["suite/"], k, n, "4"),
                files,
                "shard {k}/{n} differs between two runs (--jobs 1 and 4)"
            );
        }
        assert_eq!(seen, all, "the {n} shards do not cover the suite");
    }
}

#[test]
fn a_shard_does_not_depend_on_the_order_of_the_paths() {
    let dir = suite();
    for k in 1..=3 {
        let forward = shard(dir.path(), &["suite/b", "suite/d", "suite/g"], k, 3, "2");
        let backward = shard(dir.path(), &["suite/g", "suite/d", "suite/b"], k, 3, "2");
        assert_eq!(
            forward.iter().collect::<BTreeSet<_>>(),
            backward.iter().collect::<BTreeSet<_>>(),
            "shard {k}/3"
        );
    }
}

#[test]
fn the_bundled_suite_splits_into_the_readme_shards() {
    let bundled: BTreeSet<String> = crate::harness::bundled()
        .iter()
        .map(|p| {
            p.strip_prefix(crate::harness::root())
                .expect("under the repository")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for n in [2, 4] {
        let mut seen = Vec::new();
        for k in 1..=n {
            seen.extend(shard(crate::harness::root(), &["scenarios/"], k, n, "2"));
        }
        seen.sort();
        assert_eq!(
            seen,
            bundled.iter().cloned().collect::<Vec<_>>(),
            "--shard K/{n} over scenarios/"
        );
    }
}

#[test]
fn a_malformed_shard_is_exit_2() {
    for bad in ["0/2", "3/2", "2", "a/b", "1/0", "1/2/3"] {
        Sfscenario::new()
            .args(["run", "scenarios/pkce.yaml", "--shard", bad])
            .run()
            .code(2)
            .no_panic()
            .stdout_empty()
            .stderr_has("--shard");
    }
}
