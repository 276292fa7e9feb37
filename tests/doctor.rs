//! The doctor: every entry of its table (`src/doctor/hints.yaml`) is
//! provoked by a test, and the failed step carries the entry's hint.
//!
//! - Errors the mock gives: a scenario per entry in `tests/fixtures/doctor/`
//!   (`<entry>.yaml`, or `<entry>.<variant>.yaml`) fails on the in-process
//!   mock, and its hint is exact; each `# hint: …` line of the file must be
//!   in the hint's causes or fix.
//! - Errors the mock does not model (`API_DISABLED_FOR_ORG`, the request
//!   limit, an expired password, a blocked app, …): a loopback server
//!   answers with Salesforce's recorded error ([`RECORDED`]), and the hint
//!   gives the documented causes, as against any real org.

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use serde_json::Value;

use crate::harness::{Output, Sfscenario, root};
use crate::hostile_servers::read_head;
use crate::interop::process::MockProcess;

const FIXTURES: &str = "tests/fixtures/doctor";

/// A recorded answer: the entry it provokes, the step that meets it, and
/// the response.
struct Recorded {
    id: &'static str,
    step: Step,
    status: u16,
    content_type: &'static str,
    body: &'static str,
}

/// Which step meets the recorded answer.
#[derive(Clone, Copy)]
enum Step {
    /// A token request (password grant).
    Token,
    /// A REST call with a bearer token.
    Rest,
    /// The authorize endpoint, which redirects to the callback with the
    /// error in `body` (`error=…&error_description=…`).
    Authorize,
}

const JSON: &str = "application/json;charset=UTF-8";

/// Salesforce's answers that the mock does not give (yet), each as
/// recorded in its entry's sources.
const RECORDED: &[Recorded] = &[
    Recorded {
        id: "api_disabled_for_org",
        step: Step::Rest,
        status: 403,
        content_type: JSON,
        body: r#"[{"message":"The REST API is not enabled for this Organization.","errorCode":"API_DISABLED_FOR_ORG"}]"#,
    },
    Recorded {
        id: "request_limit_exceeded",
        step: Step::Rest,
        status: 403,
        content_type: JSON,
        body: r#"[{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}]"#,
    },
    Recorded {
        id: "expired_password",
        step: Step::Rest,
        status: 403,
        content_type: JSON,
        body: r#"[{"message":"The users password has expired, you must call SetPassword before attempting any other API operations","errorCode":"INVALID_OPERATION_WITH_EXPIRED_PASSWORD"}]"#,
    },
    Recorded {
        id: "invalid_grant",
        step: Step::Token,
        status: 400,
        content_type: JSON,
        body: r#"{"error":"invalid_grant","error_description":"invalid user credentials"}"#,
    },
    Recorded {
        id: "app_blocked",
        step: Step::Authorize,
        status: 302,
        content_type: "",
        body: "error=OAUTH_APP_BLOCKED&error_description=this%20app%20is%20blocked%20by%20admin",
    },
];

/// The entries of the table, from the library.
fn entry_ids() -> BTreeSet<String> {
    sfscenario::doctor::entries()
        .iter()
        .map(|e| e.id.clone())
        .collect()
}

/// `tests/fixtures/doctor/*.yaml`, sorted, with the entry each provokes.
fn fixtures() -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(root().join(FIXTURES))
        .expect("the doctor's fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let id = name.split('.').next().unwrap_or_default().to_owned();
            (p, id)
        })
        .collect();
    out.sort();
    out
}

/// The `# hint: …` lines of a fixture.
fn expected_hints(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("a fixture")
        .lines()
        .filter_map(|l| l.strip_prefix("# hint: "))
        .map(str::to_owned)
        .collect()
}

/// The failed step's hint of a scenario's JSON log.
fn failed_hint(log: &Value) -> &Value {
    let steps = log["steps"].as_array().expect("steps");
    let failed = steps
        .iter()
        .find(|s| s["status"] == "failed")
        .unwrap_or_else(|| panic!("no failed step in {}", log["file"]));
    &failed["hint"]
}

/// Causes and fix, one text.
fn hint_text(hint: &Value) -> String {
    let causes: Vec<&str> = hint["causes"]
        .as_array()
        .map(|c| c.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    format!(
        "{}\n{}",
        causes.join("\n"),
        hint["fix"].as_str().unwrap_or("")
    )
}

#[test]
fn every_entry_is_provoked_by_a_test() {
    let entries = entry_ids();
    assert!(entries.len() >= 25, "{} entries", entries.len());
    let mut covered: BTreeSet<String> = fixtures().into_iter().map(|(_, id)| id).collect();
    let stray: Vec<&String> = covered.difference(&entries).collect();
    assert!(
        stray.is_empty(),
        "fixtures in {FIXTURES} that provoke no entry of the table: {stray:?}"
    );
    for r in RECORDED {
        assert!(entries.contains(r.id), "RECORDED names `{}`", r.id);
        assert!(
            covered.insert(r.id.to_owned()),
            "`{}` is both a fixture and recorded",
            r.id
        );
    }
    let missing: Vec<&String> = entries.difference(&covered).collect();
    assert!(missing.is_empty(), "entries without a test: {missing:?}");
}

#[test]
fn each_fixture_fails_on_the_mock_with_its_exact_hint() {
    let out = Sfscenario::new()
        .args(["run", FIXTURES, "--format", "json"])
        .run();
    out.code(1).no_panic();
    let logs: Vec<Value> = serde_json::from_str(&out.stdout).expect("a JSON array of logs");
    let fixtures = fixtures();
    assert_eq!(logs.len(), fixtures.len(), "{out}");
    let exact: Vec<&str> = sfscenario::doctor::exact_ids();
    for (log, (path, id)) in logs.iter().zip(&fixtures) {
        let hint = failed_hint(log);
        assert_eq!(hint["id"], id.as_str(), "{}: {hint}", path.display());
        assert_eq!(
            hint["exact"],
            exact.contains(&id.as_str()),
            "{}: {hint}",
            path.display()
        );
        let text = hint_text(hint);
        let expected = expected_hints(path);
        assert!(
            !expected.is_empty(),
            "{} has no `# hint:` line",
            path.display()
        );
        for line in expected {
            assert!(
                text.contains(&line),
                "{}: the hint lacks {line:?}\n{text}",
                path.display()
            );
        }
    }
}

#[test]
fn the_hint_is_in_pretty_markdown_junit_and_json_but_not_snapshots() {
    let fixture = format!("{FIXTURES}/redirect_uri_mismatch.yaml");
    let wanted = "the app's callback URLs are `http://localhost:8000/callback`";
    let run = |format: &str| {
        let out = Sfscenario::new()
            .args(["run", &fixture, "--format", format])
            .run();
        out.code(1).no_panic();
        out
    };
    run("pretty")
        .stdout_has("hint: The `redirect_uri` is not one of the app's callback URLs")
        .stdout_has(&format!(
            "found: you sent `redirect_uri` `http://localhost:9999/cb`; {wanted}"
        ));
    run("markdown")
        .stdout_has("### Why it failed")
        .stdout_has("What this run shows:")
        .stdout_has("**What to change:**");
    run("junit").stdout_has(&wanted.replace('\'', "&apos;"));
    run("json").stdout_has("\"hint\": {");
    let snapshot = run("snapshot");
    assert!(
        !snapshot.stdout.contains("hint") && !snapshot.stdout.contains("callback URLs are"),
        "{snapshot}"
    );
}

#[test]
fn hints_show_no_secret() {
    for fixture in [
        "authentication_failure.yaml",
        "invalid_client.yaml",
        "invalid_login.yaml",
    ] {
        let out = Sfscenario::new()
            .args(["run", &format!("{FIXTURES}/{fixture}"), "-v"])
            .run();
        out.code(1).stdout_has("found: ");
        for secret in [
            "mock-password-1",
            "MOCKSECURITYTOKEN123",
            "8F3A1C0E5D7B9A2E4C6F8B0D1E3A5C7F9B2D4E6A8C0F1B3D5E7A9C2E4F6B8D0A",
        ] {
            assert!(!out.stdout.contains(secret), "{fixture}: {secret}\n{out}");
        }
    }
}

#[test]
fn a_standalone_mock_gets_the_documented_causes() {
    let mock = MockProcess::start(&[]);
    let out = Sfscenario::new()
        .args([
            "run",
            &format!("{FIXTURES}/authentication_failure.yaml"),
            "--org",
            &mock.url,
            "--format",
            "json",
        ])
        .env("SF_CLIENT_ID", &mock.client_id)
        .env("SF_CLIENT_SECRET", &mock.client_secret)
        .env("SF_USERNAME", &mock.username)
        .env("SF_PASSWORD", &mock.password)
        .run();
    out.code(1);
    let log: Value = serde_json::from_str(&out.stdout).expect("a JSON log");
    let hint = failed_hint(&log);
    assert_eq!(hint["id"], "authentication_failure", "{out}");
    assert_eq!(hint["exact"], false, "{out}");
    assert!(
        hint_text(hint).contains("the security token is not appended"),
        "{hint}"
    );
}

/// A loopback server that answers every request with one recorded answer;
/// the authorize endpoint redirects to the request's `redirect_uri` with it.
struct Server {
    url: String,
    stop: Arc<AtomicBool>,
}

impl Server {
    fn start(status: u16, content_type: &'static str, body: &'static str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        thread::spawn(move || answer(stream, status, content_type, body));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { url, stop }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn answer(mut stream: TcpStream, status: u16, content_type: &str, body: &str) {
    let head = read_head(&mut stream);
    let target = head.split_whitespace().nth(1).unwrap_or("/");
    let response = if status == 302 {
        let query = url::Url::parse(&format!("http://x{target}"))
            .map(|u| u.query_pairs().into_owned().collect::<Vec<_>>())
            .unwrap_or_default();
        let get = |k: &str| {
            query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let state: String = form_urlencoded::byte_serialize(get("state").as_bytes()).collect();
        format!(
            "HTTP/1.1 302 Found\r\nlocation: {}?{body}&state={state}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            get("redirect_uri")
        )
    } else {
        // A request body is left unread: the answer does not depend on it.
        let _ = stream.set_read_timeout(Some(Duration::from_millis(50)));
        let mut sink = [0u8; 8192];
        let _ = std::io::Read::read(&mut stream, &mut sink);
        format!(
            "HTTP/1.1 {status} Recorded\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}

/// A scenario whose one interesting step meets the recorded answer.
fn scenario(step: Step) -> &'static str {
    match step {
        Step::Token => {
            "name: recorded token error\nsteps:\n  - token:\n      form:\n        grant_type: password\n        client_id: 3MVG9.recorded\n        client_secret: s3cr3t-recorded\n        username: user@example.com\n        password: pw\n"
        }
        Step::Rest => {
            "name: recorded REST error\nsteps:\n  - request:\n      url: \"{{ org.login_url }}/services/data/v62.0/sobjects\"\n      bearer: 00Dx0000000recorded!AQ.recordedtoken\n"
        }
        Step::Authorize => {
            "name: recorded authorize error\nvars:\n  redirect_uri: \"http://localhost:{{ free_port() }}/callback\"\nsteps:\n  - authorize:\n      params:\n        client_id: 3MVG9.recorded\n        redirect_uri: \"{{ redirect_uri }}\"\n        response_type: code\n  - callback:\n      listen: \"{{ redirect_uri }}\"\n"
        }
    }
}

/// Runs `scenario` against `server` as a real org: its JSON log.
fn run_against(server: &Server, step: Step) -> (Output, Value) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("recorded.yaml");
    std::fs::write(&file, scenario(step)).expect("write the scenario");
    let out = Sfscenario::new()
        .args(["run", &file.to_string_lossy(), "--org", &server.url])
        .args(["--format", "json", "--timeout", "30s"])
        .run();
    let log =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("a JSON log ({e})\n{out}"));
    (out, log)
}

#[test]
fn recorded_errors_get_the_documented_causes() {
    for r in RECORDED {
        let server = Server::start(r.status, r.content_type, r.body);
        let (out, log) = run_against(&server, r.step);
        out.code(1).no_panic();
        let hint = failed_hint(&log);
        assert_eq!(hint["id"], r.id, "{}\n{out}", r.id);
        assert_eq!(hint["exact"], false, "{}", r.id);
        let entry = sfscenario::doctor::table::entry(r.id).expect("an entry");
        assert_eq!(hint["causes"], serde_json::json!(entry.causes), "{}", r.id);
        assert_eq!(hint["fix"], entry.fix, "{}", r.id);
    }
}

/// A new app answers `invalid_client_id` for a while: against a real org,
/// the hint says so.
#[test]
fn a_real_org_hint_names_the_propagation_delay() {
    let server = Server::start(
        400,
        JSON,
        r#"{"error":"invalid_client_id","error_description":"client identifier invalid"}"#,
    );
    let (out, log) = run_against(&server, Step::Token);
    out.code(1)
        .stdout_has("Salesforce can take up to ten minutes to make it usable");
    assert_eq!(failed_hint(&log)["exact"], false);
}
