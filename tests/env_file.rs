//! `--env-file PATH` and the default `./.env`: their values reach templates
//! as `env.*`, a secret taken from them is redacted in every output, the
//! process environment wins over the file, and an explicit file that is
//! missing is unusable input (exit 2) named in the message.

use std::path::Path;

use serde_json::Value;

use crate::harness::{Output, Sfscenario};

/// A scenario that sends `env.API_KEY` (declared secret) and `env.GREETING`
/// to the mock org and echoes both through `set`.
const SCENARIO: &str = r#"name: Values from the environment
vars:
  api_key: "{{ env.API_KEY }}"
  greeting: "{{ env.GREETING }}"
secrets: [api_key]
steps:
  - id: echo
    set:
      greeting: "{{ greeting }}"
      key: "{{ api_key }}"
  - id: call
    request:
      url: "{{ org.login_url }}/services/data/?key={{ api_key }}&greeting={{ greeting }}"
    expect:
      status: 200
"#;

const KEY: &str = "k3y-from-the-env-file-0123456789";

/// A directory with the scenario and an env file named `name`.
fn workspace(name: &str, env: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("env.yaml"), SCENARIO).expect("write the scenario");
    std::fs::write(dir.path().join(name), env).expect("write the env file");
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    let out = Sfscenario::new()
        .current_dir(dir)
        .args(["run", "env.yaml"])
        .args(args)
        .run();
    out.no_panic();
    out
}

/// The JSON log's `set` result.
fn echoed(out: &Output) -> Value {
    let log: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    log["steps"][0]["result"].clone()
}

#[test]
fn the_default_env_file_is_read_and_its_secret_redacted() {
    let dir = workspace(
        ".env",
        &format!("# read by default\nexport API_KEY=\"{KEY}\"\nGREETING='hello there'\n"),
    );
    let out = run(dir.path(), &["--format", "json"]);
    out.success();
    let result = echoed(&out);
    assert_eq!(result["greeting"], "hello there", "{out}");
    assert_eq!(result["key"], "********", "{out}");
    // The value was used: with --show-secrets it is there, in the request too.
    let shown = run(dir.path(), &["--format", "json", "--show-secrets"]);
    shown.success();
    assert_eq!(echoed(&shown)["key"], KEY, "{shown}");
    assert!(shown.stdout.contains(&format!("key={KEY}")), "{shown}");
    // Redacted in every format.
    for format in ["pretty", "markdown", "json", "junit", "snapshot"] {
        let out = run(dir.path(), &["--format", format, "-v"]);
        out.success();
        assert!(
            !out.stdout.contains(KEY) && !out.stderr.contains(KEY),
            "the secret from .env shows in {format}\n{out}"
        );
    }
}

#[test]
fn an_explicit_env_file_is_read_instead_of_the_default() {
    let dir = workspace(".env", "API_KEY=from-dot-env-0000\nGREETING=default\n");
    std::fs::write(
        dir.path().join("ci.env"),
        format!("API_KEY={KEY}\nGREETING=explicit\n"),
    )
    .expect("write ci.env");
    let out = run(
        dir.path(),
        &["--env-file", "ci.env", "--format", "json", "--show-secrets"],
    );
    out.success();
    let result = echoed(&out);
    assert_eq!(result["greeting"], "explicit", "{out}");
    assert_eq!(result["key"], KEY, "{out}");
}

#[test]
fn the_process_environment_wins_over_the_env_file() {
    let dir = workspace(".env", &format!("API_KEY={KEY}\nGREETING=from-the-file\n"));
    let out = Sfscenario::new()
        .current_dir(dir.path())
        .env("GREETING", "from-the-process")
        .args(["run", "env.yaml", "--format", "json"])
        .run();
    out.success();
    assert_eq!(echoed(&out)["greeting"], "from-the-process", "{out}");
}

#[test]
fn a_missing_explicit_env_file_is_exit_2_naming_it() {
    let dir = workspace(".env", &format!("API_KEY={KEY}\nGREETING=x\n"));
    let out = run(dir.path(), &["--env-file", "missing.env"]);
    out.code(2).stdout_empty().stderr_has("missing.env");
}

#[test]
fn without_an_env_file_a_needed_value_is_reported() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("env.yaml"), SCENARIO).expect("write the scenario");
    let out = run(dir.path(), &[]);
    out.code(2)
        .stdout_empty()
        .stderr_has("undefined value")
        .stderr_has("env.API_KEY");
}

#[test]
fn a_malformed_env_file_is_exit_2_with_its_line() {
    let dir = workspace(".env", "API_KEY=ok\nthis line has no equals sign\n");
    let out = run(dir.path(), &[]);
    out.code(2).stderr_has(".env").stderr_has("line 2");
}
