//! The command line around a run: bad arguments, `--var`, `--report`, `-q`,
//! and `schema`.

use serde_json::Value;

use crate::harness::Sfscenario;

const PKCE: &str = "scenarios/pkce.yaml";
const WRONG_SECRET: &str = "tests/fixtures/scenarios/wrong_secret.yaml";

#[test]
fn unusable_arguments_exit_2() {
    for (args, says) in [
        (
            &["run", PKCE, "--format", "xml"][..],
            "unknown format `xml`",
        ),
        (&["run", PKCE, "--var", "novalue"], "`novalue`"),
        (&["run", PKCE, "--report", "json"], "--report"),
        (&["run", PKCE, "--report", "yaml=out.yaml"], "`yaml`"),
        (&["run", PKCE, "--seed", "lots"], "--seed"),
        (&["run", PKCE, "--timeout", "soon"], "--timeout"),
        (&["run", PKCE, "-q", "-v"], "cannot be used with"),
        (
            &["run", "tests/no-such-file.yaml"],
            "tests/no-such-file.yaml",
        ),
        (&["run"], "PATH"),
        (
            &["validate", "tests/no-such-file.yaml"],
            "tests/no-such-file.yaml",
        ),
    ] {
        Sfscenario::new()
            .args(args)
            .run()
            .code(2)
            .no_panic()
            .stdout_empty()
            .stderr_has(says);
    }
}

#[test]
fn var_overrides_a_scenario_variable() {
    let out = Sfscenario::new()
        .args(["run", PKCE, "--var", "api_version=61.0", "--format", "json"])
        .run();
    out.success();
    let log: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(log["vars"]["api_version"], "61.0");
    let url = log["steps"][4]["exchanges"][0]["request"]["url"]
        .as_str()
        .expect("the REST request's URL");
    assert!(
        url.ends_with("/services/data/v61.0/sobjects/Account"),
        "{url}"
    );
}

#[test]
fn a_report_holds_what_stdout_shows() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let json = dir.path().join("run.json");
    let junit = dir.path().join("run.xml");
    let out = Sfscenario::new()
        .args(["run", PKCE, "--format", "json", "--report"])
        .arg(format!("json={}", json.display()))
        .arg("--report")
        .arg(format!("junit={}", junit.display()))
        .run();
    out.success();
    let report = std::fs::read_to_string(&json).expect("the json report");
    assert!(
        report == out.stdout,
        "the json report differs from stdout of the same run"
    );
    let junit = std::fs::read_to_string(&junit).expect("the junit report");
    assert_eq!(junit.matches("<testcase ").count(), 5, "{junit}");
}

/// `--report FORMAT=DIR/` writes one file per scenario, named by its path
/// relative to the deepest folder that holds every argument.
#[test]
fn a_report_directory_gets_one_file_per_scenario() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Sfscenario::new()
        .args(["run", PKCE, WRONG_SECRET, "--report"])
        .arg(format!("json={}/", dir.path().display()))
        .run();
    out.code(1).no_panic();
    for (stem, file, status) in [
        ("scenarios/pkce", PKCE, "passed"),
        (
            "tests/fixtures/scenarios/wrong_secret",
            WRONG_SECRET,
            "failed",
        ),
    ] {
        let path = dir.path().join(format!("{stem}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let log: Value = serde_json::from_str(&text).expect("a json report");
        assert_eq!(log["file"], file);
        assert_eq!(log["status"], status);
    }
}

#[test]
fn quiet_prints_only_failures_and_the_summary() {
    let out = Sfscenario::new()
        .args(["run", PKCE, WRONG_SECRET, "-q"])
        .run();
    out.code(1)
        .stdout_has("  ✗ 3. Token Response Received (token)")
        .stdout_has("HTTP 400: invalid_client: invalid client credentials")
        .stdout_has("FAILED A wrong client secret is refused")
        .stdout_has("1 passed, 1 failed, 0 skipped");
    assert!(!out.stdout.contains('✓'), "{out}");
    assert!(!out.stdout.contains("PASSED"), "{out}");
    assert!(!out.stdout.contains("OAuth 2.0 Web Server Flow"), "{out}");
}

/// `sfscenario schema` prints the JSON Schema of scenario files.
#[test]
fn schema_prints_the_json_schema() {
    let out = Sfscenario::new().arg("schema").run();
    out.success().no_panic();
    let schema: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert!(schema["properties"]["steps"].is_object(), "{schema:#}");
    assert!(schema["properties"]["name"].is_object(), "{schema:#}");
}

/// `sfscenario --version`: the version and the commit it was built from —
/// `git rev-parse --short HEAD` of this checkout, or `unknown` where the
/// sources are not one.
#[test]
fn version_names_the_commit_it_was_built_from() {
    let out = Sfscenario::new().arg("--version").run();
    out.success().no_panic();
    let shape = regex::Regex::new(r"^sfscenario \d+\.\d+\.\d+ \(([0-9a-f]{7,40}|unknown)\)\n$")
        .expect("a regex");
    let caps = shape
        .captures(&out.stdout)
        .unwrap_or_else(|| panic!("{out}"));
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(crate::harness::root())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let commit = &caps[1];
    assert_eq!(commit, head.as_deref().unwrap_or("unknown"), "{out}");
    assert!(
        out.stdout
            .starts_with(&format!("sfscenario {} (", env!("CARGO_PKG_VERSION")))
    );
    let short = Sfscenario::new().arg("-V").run();
    assert_eq!(short.stdout, out.stdout);
}
