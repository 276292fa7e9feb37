//! The real Salesforce CLI (`@salesforce/cli` 2.116.6, pinned in
//! `tests/sf/`) against `sfscenario mock`:
//!
//! - the CLI's own logins — with an access token, with a JWT (the app's key
//!   file the banner names) and through a browser (headless Chromium on the
//!   mock's login and consent pages, with the CLI's own `PlatformCLI` app) —
//!   then `org display`, `data query` (rows, and the Tooling API), `org open
//!   --url-only` and `org logout`;
//! - `sfscenario run --target-org`: the CLI authorised with `sf org login
//!   access-token`, then the bundled `scenarios/org-read.yaml`.
//!
//! Each test gives the CLI a throw-away `HOME`. They need the CLI (`npm ci
//! --prefix tests/sf`, which `.ci/run` does); the browser login also needs
//! Chromium and ChromeDriver.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::gate::{Tool, ToolTest, sf_bin};
use crate::harness::{Output, Sfscenario};
use crate::process::{self, MockProcess};
use crate::webdriver::{Browser, UrlCatcher};

pub fn tests() -> Vec<ToolTest> {
    let mut tests = crate::tool_tests![&[Tool::Sf] =>
        sf_logs_in_with_an_access_token_and_works_the_org,
        sf_logs_in_with_a_jwt_signed_with_the_printed_key,
        org_read_runs_with_target_org_against_the_mock,
        an_unknown_alias_exits_2,
        an_expired_session_exits_2,
    ];
    tests.extend(
        crate::tool_tests![&[Tool::Sf, Tool::Chromium, Tool::Chromedriver] =>
            sf_logs_in_through_a_browser_with_its_own_app,
        ],
    );
    tests
}

/// The org the CLI runs against (see the file).
const CONFIG: &str = "tests/sf/mock.yaml";

/// `PATH` with `dir` first (the CLI runs `sf` itself).
fn path_with(dir: &Path) -> String {
    let rest = std::env::var("PATH").unwrap_or_default();
    format!("{}:{rest}", dir.display())
}

/// The Salesforce CLI with a throw-away home (its auth files, config and logs).
struct Sf {
    bin: PathBuf,
    home: tempfile::TempDir,
    /// Held for the test's life.
    _turn: std::sync::MutexGuard<'static, ()>,
}

/// One test of the CLI at a time: each `sf` command keeps a core busy for
/// seconds, and the other tests share the machine.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Sf {
    fn new() -> Sf {
        Sf {
            bin: sf_bin(),
            home: tempfile::tempdir().expect("a temporary home"),
            _turn: ONE_AT_A_TIME
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("HOME", self.home.path().display().to_string()),
            ("PATH", path_with(&self.bin)),
            ("SF_DISABLE_TELEMETRY", "true".into()),
            ("SF_AUTOUPDATE_DISABLE", "true".into()),
            ("SF_USE_GENERIC_UNIX_KEYCHAIN", "true".into()),
        ]
    }

    /// `sf ARGS…` to its end, with `extra` variables.
    fn run(&self, args: &[&str], extra: &[(&'static str, String)]) -> Output {
        let mut env = self.env();
        env.extend_from_slice(extra);
        process::run(&self.bin.join("sf"), args, self.home.path(), &env)
    }

    /// `sf org login access-token --instance-url URL --alias ALIAS ARGS…`.
    fn login_with_token(&self, url: &str, alias: &str, token: &str, args: &[&str]) -> Output {
        let mut all = vec![
            "org",
            "login",
            "access-token",
            "--instance-url",
            url,
            "--alias",
            alias,
            "--no-prompt",
        ];
        all.extend_from_slice(args);
        self.run(&all, &[("SF_ACCESS_TOKEN", token.to_owned())])
    }

    /// `sfscenario run scenarios/org-read.yaml --target-org ALIAS ARGS…`,
    /// with the CLI's environment.
    fn run_org_read(&self, alias: &str, args: &[&str]) -> Output {
        let mut run = Sfscenario::new()
            .args(["run", "scenarios/org-read.yaml", "--target-org", alias])
            .args(args);
        for (k, v) in self.env() {
            run = run.env(k, v);
        }
        run.run()
    }

    /// `sf ARGS… --json`, expected to succeed: its `result`.
    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        let out = self.run(&args, &[]);
        out.code(0);
        let json: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("`{}` printed no JSON ({e}):\n{out}", out.command));
        json["result"].clone()
    }
}

/// A password grant against the mock: an access token for the CLI.
fn access_token(mock: &MockProcess) -> String {
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
    let body: Value = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/token", mock.url))
        .form(&form)
        .send()
        .and_then(|r| r.json())
        .expect("a token response");
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {body}"))
        .to_owned()
}

/// `org display`, the queries, `org open --url-only` and `org logout` on
/// the org logged in as `alias`; `table`: also the query's human table.
fn work_the_org(sf: &Sf, mock: &MockProcess, alias: &str, table: bool) {
    let display = sf.json(&["org", "display", "--target-org", alias]);
    assert_eq!(display["id"], "00Dak0000000001EAA", "{display}");
    assert_eq!(display["username"], mock.username.as_str());
    assert_eq!(display["connectedStatus"], "Connected", "{display}");
    assert_eq!(
        display["apiVersion"], "68.0",
        "the newest version the org lists"
    );
    let instance = display["instanceUrl"].as_str().unwrap_or_default();
    assert!(instance.starts_with(&mock.url), "{display}");

    // Rows, and their columns (`columns=true`), which the table is laid out by.
    let soql = "SELECT Id, Name FROM Account ORDER BY Name";
    if table {
        let human = sf.run(&["data", "query", "--target-org", alias, "-q", soql], &[]);
        human.code(0).stdout_has("Acme").stdout_has("Global Media");
    }
    let rows = sf.json(&["data", "query", "--target-org", alias, "-q", soql]);
    assert_eq!(rows["totalSize"], 2, "{rows}");
    assert_eq!(rows["records"][0]["Name"], "Acme");
    let tooling = sf.json(&[
        "data",
        "query",
        "--use-tooling-api",
        "--target-org",
        alias,
        "-q",
        "SELECT Id, Username FROM User",
    ]);
    assert_eq!(tooling["records"][0]["Username"], mock.username.as_str());

    // A frontdoor URL that opens a browser session on the org.
    let open = sf.json(&["org", "open", "--url-only", "--target-org", alias]);
    let url = open["url"].as_str().unwrap_or_default();
    let frontdoor = format!("{}/secur/frontdoor.jsp?otp=", mock.url);
    assert!(url.starts_with(&frontdoor), "{open}");
    let no_redirects = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let opened = no_redirects.get(url).send().expect("the frontdoor answers");
    assert_eq!(opened.status(), 302, "the one-time URL opens a session");

    sf.run(
        &["org", "logout", "--target-org", alias, "--no-prompt"],
        &[],
    )
    .code(0)
    .stdout_has("Successfully logged out");
    sf.run(&["org", "display", "--target-org", alias], &[])
        .code(2)
        .stderr_has("No authorization information found");
}

/// What the mock answered the CLI: never a path it does not serve, a method
/// it refuses or a server error (the browser's own favicon request aside).
fn assert_served_everything(log: &str) {
    let requests = log
        .lines()
        .filter(|l| l.starts_with(['G', 'P', 'D', 'H']) && !l.contains(" /favicon.ico "));
    for line in requests {
        let status = line.split(' ').nth(2).unwrap_or_default();
        assert!(
            !matches!(status, "404" | "405") && !status.starts_with('5'),
            "the mock refused the CLI: {line}\n{log}"
        );
    }
}

fn sf_logs_in_with_an_access_token_and_works_the_org() {
    let sf = Sf::new();
    let mock = MockProcess::start(&["--config", CONFIG]);
    let token = access_token(&mock);
    let login = sf.login_with_token(&mock.url, "token", &token, &[]);
    login.code(0).stdout_has("Successfully authorized");
    work_the_org(&sf, &mock, "token", true);
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    // The CLI stores the URL with a trailing slash and asks for `//services`.
    assert!(log.contains("GET //services/data "), "{log}");
    assert!(
        log.contains("GET /services/oauth2/singleaccess 200"),
        "{log}"
    );
    assert_served_everything(&log);
}

fn sf_logs_in_with_a_jwt_signed_with_the_printed_key() {
    let sf = Sf::new();
    let mock = MockProcess::start(&["--config", CONFIG]);
    let key = mock.app_key.clone().expect("the banner names the key file");
    let key = key.display().to_string();
    let login = sf.run(
        &[
            "org",
            "login",
            "jwt",
            "--client-id",
            &mock.client_id,
            "--jwt-key-file",
            &key,
            "--username",
            &mock.username,
            "--instance-url",
            &mock.url,
            "--alias",
            "jwt",
        ],
        &[],
    );
    login.code(0).stdout_has("Successfully authorized");
    work_the_org(&sf, &mock, "jwt", false);
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert_served_everything(&log);
}

fn sf_logs_in_through_a_browser_with_its_own_app() {
    let sf = Sf::new();
    let mock = MockProcess::start(&["--config", CONFIG]);
    let catcher = UrlCatcher::new();
    let mut env = sf.env();
    env.push(("BROWSER", catcher.script().display().to_string()));
    // `sf org login web` waits for the browser on localhost:1717.
    let mut login = Command::new(sf.bin.join("sf"))
        .args([
            "org",
            "login",
            "web",
            "--instance-url",
            &mock.url,
            "--alias",
            "web",
        ])
        .current_dir(sf.home.path())
        .envs(env.iter().map(|(k, v)| (k, v)))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sf org login web starts");
    let url = catcher.url(0);
    assert!(url.contains("client_id=PlatformCLI"), "{url}");
    let browser = Browser::start();
    browser.goto(&url);
    // Salesforce's field ids: a script written for its login page works here.
    browser.type_into("#username", &mock.username);
    browser.type_into("#password", &mock.password);
    browser.click("#Login");
    browser.click("button[value=allow]");
    let deadline = Instant::now() + process::CLIENT_TIMEOUT;
    let status = loop {
        if let Some(status) = login.try_wait().expect("wait for sf") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = login.kill();
            panic!("sf org login web did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = login.wait_with_output().expect("sf's output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.success() && stdout.contains("Successfully authorized"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        browser.text().contains("Authentication Successful"),
        "{}",
        browser.text()
    );
    work_the_org(&sf, &mock, "web", false);
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert!(log.contains("POST /services/oauth2/token 200"), "{log}");
    assert_served_everything(&log);
}

fn org_read_runs_with_target_org_against_the_mock() {
    let sf = Sf::new();
    let mock = MockProcess::start(&["--config", CONFIG]);
    let token = access_token(&mock);
    sf.login_with_token(&mock.url, "mockorg", &token, &["--json"])
        .code(0)
        .stdout_has("\"status\": 0");
    let out = sf.run_org_read("mockorg", &["-v"]);
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
    let sf = Sf::new();
    let out = sf.run_org_read("nope", &[]);
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
    let sf = Sf::new();
    let token = "00Dak0000000001!AQexpiredexpiredexpiredexpired";
    sf.login_with_token(&url, "gone", token, &["--json"])
        .code(0);
    let out = sf.run_org_read("gone", &[]);
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
