//! `--browser headless`: sfscenario starts Chromium itself and walks the
//! mock org's real pages — login, consent, the device flow's verification
//! page — to the callback listener, and when a page does not match, fails
//! with what the page said and saves its screenshot and HTML.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::gate::{Tool, ToolTest};
use crate::harness::{Output, Sfscenario};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Chromium, Tool::Chromedriver] =>
        pkce_flow_logs_in_and_allows,
        user_agent_flow_relays_the_fragment,
        device_flow_is_approved_on_the_verification_page,
        deny_reaches_the_callback_as_access_denied,
        pkce_flow_answers_the_verification_page,
        user_agent_flow_answers_the_verification_page,
        device_flow_answers_the_verification_page,
        a_wrong_totp_secret_fails_with_the_page_message,
        without_a_totp_secret_the_verification_page_is_named,
        a_wrong_password_fails_with_the_page_message_and_saves_the_page,
        an_unknown_page_is_saved_in_a_temporary_directory_it_names,
        a_page_that_never_loads_times_out_and_is_saved,
        selectors_can_be_overridden_and_a_bad_one_is_named,
    ]
}

const LOGIN: &str = "tests/fixtures/interactive/login.yaml";
const USER_AGENT: &str = "tests/fixtures/interactive/user-agent.yaml";
const DEVICE: &str = "tests/fixtures/interactive/device.yaml";
/// An authenticator key for the mock user, and another one.
const MFA: &str = "mfa_secret=JBSWY3DPEHPK3PXP";
const OTHER_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// `sfscenario run SCENARIO --browser headless --format json …`.
fn headless(scenario: &str, extra: &[&str]) -> Output {
    Sfscenario::new()
        .args(["run", scenario, "--browser", "headless", "--format", "json"])
        .args(["--timeout", "45s"])
        .args(extra)
        .run()
}

fn log(out: &Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("no JSON log ({e})\n{out}"))
}

fn statuses(log: &Value) -> Vec<String> {
    log["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .map(|s| s["status"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn error(log: &Value, step: usize) -> String {
    log["steps"][step]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The files a step's error names after `page saved: `.
fn saved(error: &str) -> Vec<PathBuf> {
    error
        .split("page saved: ")
        .nth(1)
        .map(|list| list.split(", ").map(PathBuf::from).collect())
        .unwrap_or_default()
}

/// A saved page: private, and no secret in it.
fn check_saved(files: &[PathBuf], secrets: &[&str]) {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    assert!(
        names.iter().any(|n| n.ends_with(".png")) && names.iter().any(|n| n.ends_with(".html")),
        "{names:?}"
    );
    for file in files {
        let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        if file.extension().is_some_and(|e| e == "png") {
            assert!(
                bytes.starts_with(b"\x89PNG"),
                "{} is no PNG",
                file.display()
            );
        }
        let text = String::from_utf8_lossy(&bytes);
        for secret in secrets {
            assert!(!text.contains(secret), "{} shows {secret}", file.display());
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(file).expect("stat").permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
}

fn passes(out: &Output, steps: usize) {
    out.no_panic();
    let log = log(out);
    assert_eq!(out.code, Some(0), "{out}");
    assert_eq!(statuses(&log), vec!["passed"; steps], "{log:#}");
}

fn pkce_flow_logs_in_and_allows() {
    passes(&headless("scenarios/pkce.yaml", &[]), 5);
}

fn user_agent_flow_relays_the_fragment() {
    let out = headless("scenarios/user-agent.yaml", &[]);
    passes(&out, 3);
    let log = log(&out);
    assert_eq!(log["steps"][1]["result"]["params"]["token_type"], "Bearer");
}

fn device_flow_is_approved_on_the_verification_page() {
    passes(&headless("scenarios/device.yaml", &[]), 3);
}

fn deny_reaches_the_callback_as_access_denied() {
    for mfa in ["mfa_secret=", MFA] {
        let out = headless(LOGIN, &["--var", "consent=deny", "--var", mfa]);
        out.code(1).no_panic();
        let log = log(&out);
        assert_eq!(
            statuses(&log),
            ["passed", "passed", "failed", "skipped"],
            "{mfa}: {log:#}"
        );
        assert_eq!(log["steps"][2]["result"]["error"], "access_denied", "{mfa}");
    }
}

fn pkce_flow_answers_the_verification_page() {
    passes(&headless(LOGIN, &["--var", MFA]), 4);
}

fn user_agent_flow_answers_the_verification_page() {
    passes(&headless(USER_AGENT, &["--var", MFA]), 2);
}

fn device_flow_answers_the_verification_page() {
    passes(&headless(DEVICE, &["--var", MFA]), 2);
}

fn a_wrong_totp_secret_fails_with_the_page_message() {
    let dir = tempfile::tempdir().expect("a directory");
    let report = format!("junit={}/junit.xml", dir.path().display());
    let wrong = format!("totp_secret={OTHER_KEY}");
    let out = headless(LOGIN, &["--var", MFA, "--var", &wrong, "--report", &report]);
    out.code(1).no_panic();
    let log = log(&out);
    assert_eq!(statuses(&log)[1], "failed", "{log:#}");
    let error = error(&log, 1);
    assert!(
        error.contains(
            "the verification code was refused: Error: Invalid or expired verification code. Try again."
        ),
        "{error}"
    );
    assert!(
        error.contains("after the login page, then the verification page"),
        "{error}"
    );
    check_saved(
        &saved(&error),
        &[OTHER_KEY, "JBSWY3DPEHPK3PXP", "mock-password-1"],
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(OTHER_KEY) && !text.contains("JBSWY3DPEHPK3PXP"));
    }
}

fn without_a_totp_secret_the_verification_page_is_named() {
    let out = headless(LOGIN, &["--var", MFA, "--var", "totp_secret="]);
    out.code(1).no_panic();
    let error = error(&log(&out), 1);
    assert!(
        error.contains("the login host asks for a verification code")
            && error.contains("SF_TOTP_SECRET"),
        "{error}"
    );
}

fn a_wrong_password_fails_with_the_page_message_and_saves_the_page() {
    let dir = tempfile::tempdir().expect("a directory");
    let report = dir.path().join("reports/junit.xml");
    let report_arg = format!("junit={}", report.display());
    let out = headless(
        LOGIN,
        &[
            "--var",
            "password=wrong-password-1",
            "--report",
            &report_arg,
        ],
    );
    out.code(1).no_panic();
    let log = log(&out);
    assert_eq!(
        statuses(&log),
        ["passed", "failed", "skipped", "skipped"],
        "{log:#}"
    );
    let error = error(&log, 1);
    assert!(
        error.contains(
            "login as mock.user@example.com failed: Please check your username and password"
        ),
        "{error}"
    );
    let files = saved(&error);
    for file in &files {
        assert_eq!(
            file.parent(),
            Some(dir.path().join("reports").as_path()),
            "{error}"
        );
        assert!(
            file.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("login.step2."))
        );
    }
    check_saved(&files, &["wrong-password-1", "mock-password-1"]);
    assert!(!out.stdout.contains("wrong-password-1") && !out.stderr.contains("wrong-password-1"));
}

fn an_unknown_page_is_saved_in_a_temporary_directory_it_names() {
    let out = headless("tests/fixtures/interactive/unknown-client.yaml", &[]);
    out.code(1).no_panic();
    let log = log(&out);
    let error = error(&log, 0);
    assert!(error.contains("unexpected page"), "{error}");
    assert!(
        error.contains("invalid_client_id"),
        "what the page said: {error}"
    );
    let files = saved(&error);
    let dir = files
        .first()
        .and_then(|f| f.parent())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| panic!("no page saved: {error}"));
    assert!(
        dir.starts_with(std::env::temp_dir())
            && dir
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("sfscenario-pages-")),
        "{error}"
    );
    check_saved(&files, &["mock-password-1"]);
    let _ = std::fs::remove_dir_all(dir);
}

/// A loopback server whose page starts and never ends: each connection gets
/// the head of a page, then nothing until the test ends.
fn hanging_server() -> u16 {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("an address").port();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut head = [0_u8; 4096];
                let _ = stream.read(&mut head);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n\
                      <!DOCTYPE html><html><head><title>Still loading</title></head>\
                      <body><h1>Please wait</h1>",
                );
                let _ = stream.flush();
                // Holds the connection open; the test process ends it.
                std::thread::sleep(std::time::Duration::from_secs(600));
            });
        }
    });
    port
}

fn a_page_that_never_loads_times_out_and_is_saved() {
    let port = hanging_server();
    let url = format!("authorize_url=http://127.0.0.1:{port}/services/oauth2/authorize");
    let out = Sfscenario::new()
        .args(["run", "tests/fixtures/interactive/hanging-page.yaml"])
        .args(["--browser", "headless", "--format", "json"])
        .args(["--timeout", "15s", "--var", &url])
        .run();
    out.code(1).no_panic();
    let log = log(&out);
    assert_eq!(statuses(&log), ["failed", "skipped"], "{log:#}");
    let error = error(&log, 0);
    assert!(error.contains("timed out after 15s"), "{error}");
    assert!(
        error.contains(&format!(
            "at http://127.0.0.1:{port}/services/oauth2/authorize (\"Still loading\"): Please wait"
        )),
        "where, and what the page said: {error}"
    );
    let files = saved(&error);
    check_saved(&files, &["mock-password-1"]);
    if let Some(dir) = files.first().and_then(|f| f.parent()) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

fn selectors_can_be_overridden_and_a_bad_one_is_named() {
    let out = headless(
        LOGIN,
        &[
            "--var",
            "username_selector=input[name=username]",
            "--var",
            "allow_selector=[name=decision][value=allow]",
        ],
    );
    passes(&out, 4);
    let dir = tempfile::tempdir().expect("a directory");
    let report = format!("json={}/", dir.path().display());
    let out = headless(
        LOGIN,
        &[
            "--var",
            "allow_selector=button:no-such-state",
            "--report",
            &report,
        ],
    );
    out.code(1).no_panic();
    let error = error(&log(&out), 1);
    assert!(
        error.contains(
            "not a valid CSS selector: `authorize.as.selectors.allow` (`button:no-such-state`)"
        ),
        "{error}"
    );
}
