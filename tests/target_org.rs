//! `--target-org ALIAS` with a stand-in for the Salesforce CLI: a small
//! shell script named `sf` first on `PATH` that prints what the real CLI
//! prints (`sf org display --json`, recorded from version 2.116.6). The real
//! CLI against `sfscenario mock` is in the `tools` binary
//! (`tests/tools/sf.rs`). Also `org.instance_url` and `org.access_token`
//! with `--org` and on the mock.

use std::path::{Path, PathBuf};

use crate::harness::{Output, Sfscenario};
use crate::interop::process::MockProcess;

const SCENARIO: &str = "scenarios/org-read.yaml";

/// The org the Salesforce CLI is tested against: it allows the password
/// grant [`session`] uses, off in a new org.
const MOCK_CONFIG: &str = "tests/sf/mock.yaml";

/// A directory holding an executable `sf` that runs `script` (sh).
fn fake_sf(script: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let sf = dir.path().join("sf");
    std::fs::write(&sf, format!("#!/bin/sh\n{script}\n")).expect("write sf");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o755)).expect("chmod sf");
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// `PATH` with `dir` first.
fn path_with(dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}

/// What `sf org display --json` prints for an org (the instance URL with the
/// trailing `/` the CLI stores).
fn displayed(instance: &str, token: &str, status: &str) -> String {
    format!(
        r#"{{"status": 0, "result": {{"id": "00Dak0000000001EAA", "accessToken": "{token}", "instanceUrl": "{instance}/", "username": "mock.user@example.com", "connectedStatus": "{status}", "alias": "dev"}}, "warnings": ["Using insecure protocol: http: on url: {instance}"]}}"#
    )
}

/// A session of the standalone mock's user, as `sf org login` would hold.
fn session(mock: &MockProcess) -> String {
    let form = [
        ("grant_type", "password"),
        ("client_id", mock.client_id.as_str()),
        ("client_secret", mock.client_secret.as_str()),
        ("username", mock.username.as_str()),
        (
            "password",
            &format!("{}{}", mock.password, mock.security_token),
        ),
    ];
    let reply: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/token", mock.url))
        .form(&form)
        .send()
        .and_then(reqwest::blocking::Response::json)
        .expect("a token from the mock");
    reply["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

fn run_with_sf(script: &str, args: &[&str]) -> Output {
    let (_dir, path) = fake_sf(script);
    Sfscenario::new()
        .args(["run", SCENARIO])
        .args(args)
        .env("PATH", path_with(&path))
        .run()
}

/// One `error: …` line on stderr, nothing on stdout, exit 2.
#[track_caller]
fn one_line_error(out: &Output, needle: &str) {
    out.code(2).no_panic().stdout_empty().stderr_has(needle);
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(lines[0].starts_with("error: --target-org: "), "{out}");
}

#[test]
fn a_cli_org_runs_the_org_read_scenario_and_its_token_stays_secret() {
    let mock = MockProcess::start(&["--config", MOCK_CONFIG]);
    let token = session(&mock);
    let script = format!(
        "[ \"$1 $2 $3 $4 $5\" = 'org display --target-org dev --json' ] || exit 9\necho '{}'",
        displayed(&mock.url, &token, "Connected")
    );
    for format in ["pretty", "json", "markdown", "junit"] {
        let out = run_with_sf(&script, &["--target-org", "dev", "--format", format, "-v"]);
        out.success().no_panic();
        assert!(
            !out.stdout.contains(&token),
            "{format}: the token leaked\n{out}"
        );
        assert!(
            !out.stderr.contains(&token),
            "{format}: the token leaked\n{out}"
        );
    }
    // The instance lost its trailing slash: no `//services`.
    let out = run_with_sf(&script, &["--target-org", "dev", "--format", "json"]);
    assert!(
        out.stdout
            .contains(&format!("\"{}/services/data\"", mock.url)),
        "{out}"
    );
    assert!(!out.stdout.contains("//services"), "{out}");
}

#[test]
fn a_hidden_token_is_asked_of_show_access_token() {
    let mock = MockProcess::start(&["--config", MOCK_CONFIG]);
    let token = session(&mock);
    let hidden = displayed(
        &mock.url,
        "[REDACTED] Use 'sf org auth show-access-token' to view",
        "Connected",
    );
    let script = format!(
        "case \"$1 $2\" in\n  'org display') echo \"$HIDDEN\" ;;\n  'org auth') echo '{{\"status\": 0, \"result\": {{\"accessToken\": \"{token}\"}}}}' ;;\n  *) exit 9 ;;\nesac"
    );
    let (_dir, path) = fake_sf(&script);
    Sfscenario::new()
        .args(["run", SCENARIO, "--target-org", "dev"])
        .env("PATH", path_with(&path))
        .env("HIDDEN", hidden)
        .run()
        .success();
}

#[test]
fn no_sf_on_the_path_is_one_line() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    let out = Sfscenario::new()
        .args(["run", SCENARIO, "--target-org", "dev"])
        .env("PATH", empty.path())
        .run();
    one_line_error(&out, "the Salesforce CLI (`sf`) is not on PATH");
}

#[test]
fn an_unknown_alias_is_one_line() {
    // Recorded from `sf org display --target-org nope --json` (2.116.6).
    let script = r#"cat <<'EOF'
{
  "name": "NamedOrgNotFoundError",
  "message": "Parsing --target-org \n\tNo authorization information found for nope.\nSee more help with --help",
  "exitCode": 2,
  "context": "OrgDisplayCommand",
  "code": "NamedOrgNotFoundError",
  "status": 2,
  "commandName": "OrgDisplayCommand"
}
EOF
exit 2"#;
    let out = run_with_sf(script, &["--target-org", "nope"]);
    one_line_error(
        &out,
        "the Salesforce CLI knows no org `nope` (No authorization information found for nope.)",
    );
}

#[test]
fn an_expired_session_is_one_line() {
    let token = "00Dak0000000001!AQexpiredexpiredexpired";
    let script = format!(
        "echo '{}'",
        displayed(
            "https://x.my.salesforce.com",
            token,
            "Session expired or invalid"
        )
    );
    let out = run_with_sf(&script, &["--target-org", "dev"]);
    one_line_error(
        &out,
        "the Salesforce CLI's session for `dev` has expired (Session expired or invalid); log in again with `sf org login web --alias dev`",
    );
    assert!(!out.stderr.contains(token), "{out}");
}

#[test]
fn a_cli_that_prints_no_json_is_one_line() {
    let out = run_with_sf(
        "echo 'Warning: @salesforce/cli update available' >&2",
        &["--target-org", "dev"],
    );
    one_line_error(
        &out,
        "`sf org display --target-org dev --json` printed nothing",
    );
}

#[test]
fn target_org_and_org_are_exclusive_but_sf_login_url_gives_way() {
    let out = run_with_sf("exit 9", &["--target-org", "dev", "--org", "sandbox"]);
    one_line_error(&out, "cannot be used with --org");
    let mock = MockProcess::start(&["--config", MOCK_CONFIG]);
    let token = session(&mock);
    let (_dir, path) = fake_sf(&format!(
        "echo '{}'",
        displayed(&mock.url, &token, "Connected")
    ));
    Sfscenario::new()
        .args(["run", SCENARIO, "--target-org", "dev"])
        .env("PATH", path_with(&path))
        .env("SF_LOGIN_URL", "https://login.salesforce.com")
        .run()
        .success();
}

#[test]
fn with_org_the_session_comes_from_sf_instance_url_and_sf_access_token() {
    let mock = MockProcess::start(&["--config", MOCK_CONFIG]);
    let out = Sfscenario::new()
        .args(["run", SCENARIO, "--org", &mock.url])
        .run();
    out.code(2)
        .stderr_has("`org.instance_url` needs the environment variable SF_INSTANCE_URL")
        .stderr_has("`org.access_token` needs the environment variable SF_ACCESS_TOKEN");
    let token = session(&mock);
    let out = Sfscenario::new()
        .args(["run", SCENARIO, "--org", &mock.url, "-v"])
        .env("SF_INSTANCE_URL", format!("{}/", mock.url))
        .env("SF_ACCESS_TOKEN", &token)
        .run();
    out.success();
    assert!(!out.stdout.contains(&token), "{out}");
}

#[test]
fn on_the_mock_the_session_is_minted_for_its_first_user() {
    let out = Sfscenario::new()
        .args(["run", SCENARIO, "--format", "json"])
        .run();
    out.success();
    assert!(out.stdout.contains("\"Bearer 00Dak0…\""), "{out}");
}
