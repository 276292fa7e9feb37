//! `--target-org` with the real Salesforce CLI (`tests/sf`, `@salesforce/cli`
//! 2.116.6): the CLI is authorised against `sfscenario mock` with `sf org
//! login access-token`, then the bundled `scenarios/org-read.yaml` runs with
//! `--target-org`. Each test gives the CLI a throw-away `HOME`.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::Duration;

use crate::gate::{Tool, ToolTest, sf_bin};
use crate::harness::{Output, Sfscenario, root};
use crate::process::{self, MockProcess};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Sf] =>
        org_read_runs_with_target_org_against_the_mock,
        an_unknown_alias_exits_2,
        an_expired_session_exits_2,
    ]
}

/// The CLI's environment: a throw-away `HOME`, no telemetry, no update
/// checks.
fn sf_env(home: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("HOME", home.to_string_lossy().into_owned()),
        ("SF_DISABLE_TELEMETRY", "true".into()),
        ("SF_AUTOUPDATE_DISABLE", "true".into()),
        ("PATH", path()),
    ]
}

/// `PATH` with the CLI's directory first.
fn path() -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", sf_bin().display())
}

/// `sf org login access-token --instance-url URL --alias ALIAS`.
fn login(home: &Path, url: &str, alias: &str, token: &str) -> Output {
    let mut env = sf_env(home);
    env.push(("SF_ACCESS_TOKEN", token.to_owned()));
    let args = [
        "org",
        "login",
        "access-token",
        "--instance-url",
        url,
        "--alias",
        alias,
        "--no-prompt",
        "--json",
    ];
    process::run(&sf_bin().join("sf"), &args, root(), &env)
}

/// `sfscenario run scenarios/org-read.yaml --target-org ALIAS …`.
fn run_org_read(home: &Path, alias: &str, extra: &[&str]) -> Output {
    let mut run = Sfscenario::new()
        .args(["run", "scenarios/org-read.yaml", "--target-org", alias])
        .args(extra);
    for (k, v) in sf_env(home) {
        run = run.env(k, v);
    }
    run.run()
}

/// A session of the mock's user (password flow).
fn session(mock: &MockProcess) -> String {
    let password = format!("{}{}", mock.password, mock.security_token);
    let form = [
        ("grant_type", "password"),
        ("client_id", mock.client_id.as_str()),
        ("client_secret", mock.client_secret.as_str()),
        ("username", mock.username.as_str()),
        ("password", password.as_str()),
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

fn org_read_runs_with_target_org_against_the_mock() {
    let home = tempfile::tempdir().expect("a HOME");
    let mock = MockProcess::start(&[]);
    let token = session(&mock);
    login(home.path(), &mock.url, "mockorg", &token)
        .code(0)
        .stdout_has("\"status\": 0");
    let out = run_org_read(home.path(), "mockorg", &["-v"]);
    out.code(0)
        .stdout_has(&format!("→ {} (mockorg)", mock.url))
        .stdout_has("PASSED");
    assert!(
        !out.stdout.contains(&token) && !out.stderr.contains(&token),
        "{out}"
    );
    // The CLI stores the instance with a trailing `/`; no request doubles it.
    assert!(!out.stdout.contains("//services"), "{out}");
}

fn an_unknown_alias_exits_2() {
    let home = tempfile::tempdir().expect("a HOME");
    let out = run_org_read(home.path(), "nope", &[]);
    out.code(2).stdout_empty().stderr_has(
        "error: --target-org: the Salesforce CLI knows no org `nope` (No authorization information found for nope.)",
    );
}

/// The CLI logs in to a loopback org that knows the user, then refuses the
/// session for everything else, as an org does once it has expired.
fn an_expired_session_exits_2() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            thread::spawn(move || expired_org(stream));
        }
    });
    let home = tempfile::tempdir().expect("a HOME");
    let token = "00Dak0000000001!AQexpiredexpiredexpiredexpired";
    login(home.path(), &url, "gone", token).code(0);
    let out = run_org_read(home.path(), "gone", &[]);
    out.code(2).stdout_empty().stderr_has(
        "error: --target-org: the Salesforce CLI's session for `gone` has expired (Session expired or invalid); log in again with `sf org login web --alias gone`",
    );
    assert!(!out.stderr.contains(token), "{out}");
}

/// Answers the calls `sf org login access-token` makes (userinfo, the
/// user's record), and 401 `INVALID_SESSION_ID` to every other.
fn expired_org(mut stream: TcpStream) {
    let head = read_head(&mut stream);
    let target = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let (status, body) = if target.contains("/sobjects/User/") {
        (
            "200 OK",
            r#"{"attributes":{"type":"User"},"Id":"005ak0000000001AAA","Username":"gone@example.com"}"#,
        )
    } else if target.contains("/services/oauth2/userinfo") {
        (
            "200 OK",
            r#"{"sub":"https://login.salesforce.com/id/00Dak0000000001EAA/005ak0000000001AAA","user_id":"005ak0000000001AAA","organization_id":"00Dak0000000001EAA","preferred_username":"gone@example.com","name":"Gone User","email":"gone@example.com"}"#,
        )
    } else {
        (
            "401 Unauthorized",
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
        )
    };
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    );
    let _ = stream.flush();
    thread::sleep(Duration::from_millis(10));
}

/// A request's head, up to its blank line.
fn read_head(stream: &mut TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => break,
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}
