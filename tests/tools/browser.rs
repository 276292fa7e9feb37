//! The real browser path: sfscenario runs a scenario with `--browser system`,
//! `BROWSER` hands the URL to a headless Chromium driven over WebDriver, and a
//! person's clicks (log in, Allow or Deny) complete the flow through the mock
//! org's real pages and the callback listener.
//!
//! They need Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::gate::{Tool, ToolTest};
use crate::harness::root;
use crate::webdriver::{Browser, UrlCatcher};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Chromium, Tool::Chromedriver] =>
        pkce_flow_in_a_real_browser,
        deny_reaches_the_callback_as_access_denied,
        user_agent_flow_relays_the_fragment,
        device_flow_verified_in_a_real_browser,
        the_listener_ignores_stray_requests,
    ]
}

/// Starts `sfscenario run SCENARIO --browser system --format json` in the background.
fn start(scenario: &str, catcher: &UrlCatcher, extra: &[&str]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfscenario"));
    cmd.args([
        "run",
        scenario,
        "--browser",
        "system",
        "--format",
        "json",
        "--timeout",
        "60s",
    ])
    .args(extra)
    .current_dir(root())
    .env("BROWSER", catcher.script())
    .env("NO_COLOR", "1")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    cmd.spawn().expect("sfscenario starts")
}

/// Waits for sfscenario; returns its exit code and the JSON log.
fn finish(child: Child) -> (i32, serde_json::Value, String) {
    let out = child.wait_with_output().expect("sfscenario ends");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let log = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("no JSON log ({e}):\n{stdout}\n{stderr}"));
    (out.status.code().unwrap_or(-1), log, stderr)
}

fn statuses(log: &serde_json::Value) -> Vec<String> {
    log["steps"]
        .as_array()
        .map(|s| {
            s.iter()
                .map(|s| s["status"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Logs in as the mock user on the login page.
fn log_in(browser: &Browser) {
    browser.type_into("#username", "mock.user@example.com");
    browser.type_into("#password", "mock-password-1");
    browser.click("#Login");
}

/// Opens `url`, logs in and presses Allow.
fn allow(browser: &Browser, url: &str) {
    browser.goto(url);
    log_in(browser);
    browser.click("button[value=allow]");
}

/// sfscenario ends with exit 0 and every one of its `steps` steps passed.
fn passes(child: Child, steps: usize) {
    let (code, log, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}\n{log:#}");
    assert_eq!(statuses(&log), vec!["passed"; steps], "{log:#}");
}

fn screenshots_dir() -> Option<PathBuf> {
    std::env::var_os("SFSCENARIO_SCREENSHOTS").map(PathBuf::from)
}

fn pkce_flow_in_a_real_browser() {
    let catcher = UrlCatcher::new();
    let child = start("scenarios/pkce.yaml", &catcher, &[]);
    let browser = Browser::start();
    browser.goto(&catcher.url(0));
    assert!(
        browser.title().contains("Login"),
        "not the login page: {}",
        browser.title()
    );
    if let Some(dir) = screenshots_dir() {
        browser.screenshot(&dir.join("login.png"));
    }
    log_in(&browser);
    browser.find("button[value=allow]");
    assert!(
        browser.text().contains("sfscenario Mock App"),
        "{}",
        browser.text()
    );
    if let Some(dir) = screenshots_dir() {
        browser.screenshot(&dir.join("consent.png"));
    }
    browser.click("button[value=allow]");
    browser.find("h1");
    assert!(
        browser.text().contains("Authorization received"),
        "{}",
        browser.text()
    );
    let (code, log, stderr) = finish(child);
    assert_eq!(code, 0, "{stderr}\n{log:#}");
    assert_eq!(statuses(&log), ["passed"; 5], "{log:#}");
    assert!(stderr.contains("Waiting for the redirect"), "{stderr}");
}

fn deny_reaches_the_callback_as_access_denied() {
    let catcher = UrlCatcher::new();
    let child = start("scenarios/pkce.yaml", &catcher, &[]);
    let browser = Browser::start();
    browser.goto(&catcher.url(0));
    log_in(&browser);
    browser.click("button[value=deny]");
    browser.find("h1");
    let page = browser.text();
    assert!(
        page.contains("Authorization failed") && page.contains("access_denied"),
        "{page}"
    );
    let (code, log, _) = finish(child);
    assert_eq!(code, 1);
    assert_eq!(
        statuses(&log),
        ["passed", "passed", "failed", "skipped", "skipped"],
        "{log:#}"
    );
    assert_eq!(
        log["steps"][2]["result"]["error"], "access_denied",
        "{log:#}"
    );
}

fn user_agent_flow_relays_the_fragment() {
    let catcher = UrlCatcher::new();
    let child = start("scenarios/user-agent.yaml", &catcher, &[]);
    let browser = Browser::start();
    allow(&browser, &catcher.url(0));
    let deadline = Instant::now() + Duration::from_secs(20);
    while !browser.text().contains("Authorization received") {
        assert!(
            Instant::now() < deadline,
            "the fragment was not relayed: {}",
            browser.text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    passes(child, 3);
}

fn device_flow_verified_in_a_real_browser() {
    let catcher = UrlCatcher::new();
    let child = start("scenarios/device.yaml", &catcher, &[]);
    let browser = Browser::start();
    let url = catcher.url(0);
    assert!(url.contains("/setup/connect?user_code="), "{url}");
    allow(&browser, &url);
    passes(child, 3);
}

fn the_listener_ignores_stray_requests() {
    let catcher = UrlCatcher::new();
    let child = start("scenarios/pkce.yaml", &catcher, &[]);
    let url = catcher.url(0);
    let redirect = url::Url::parse(&url)
        .expect("an authorize URL")
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v.into_owned())
        .expect("a redirect_uri");
    let origin = url::Url::parse(&redirect).expect("a redirect URI");
    let favicon = format!(
        "http://127.0.0.1:{}/favicon.ico",
        origin.port().expect("a port")
    );
    let status = reqwest::blocking::get(&favicon)
        .expect("the listener answers")
        .status();
    assert_eq!(status, 404);
    let browser = Browser::start();
    allow(&browser, &url);
    passes(child, 5);
}
