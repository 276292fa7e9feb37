//! A small WebDriver client (W3C protocol over HTTP) for driving Debian's
//! headless Chromium through chromedriver in the browser tests.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::gate::program;

/// The browser or its driver on `PATH` (Debian: `/usr/bin/chromium`,
/// `/usr/bin/chromedriver`); the tests that use them declare both.
fn installed(name: &str) -> PathBuf {
    program(name).unwrap_or_else(|| panic!("`{name}` is not on PATH"))
}

/// A `BROWSER` program that writes each URL it is asked to open to a file.
pub struct UrlCatcher {
    dir: tempfile::TempDir,
}

impl UrlCatcher {
    pub fn new() -> UrlCatcher {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let script = dir.path().join("open-url");
        let urls = dir.path().join("urls");
        std::fs::write(
            &script,
            format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", urls.display()),
        )
        .expect("write the BROWSER script");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
        UrlCatcher { dir }
    }

    pub fn script(&self) -> PathBuf {
        self.dir.path().join("open-url")
    }

    /// Waits for the n-th URL sfscenario opened.
    pub fn url(&self, n: usize) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = std::fs::read_to_string(self.dir.path().join("urls")).unwrap_or_default();
            if let Some(line) = text.lines().nth(n) {
                return line.to_owned();
            }
            assert!(Instant::now() < deadline, "no browser was opened");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A running chromedriver with one headless Chromium session.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    client: reqwest::blocking::Client,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Browser {
    pub fn start() -> Browser {
        let port = free_port();
        let driver = Command::new(installed("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(20);
        while client.get(format!("{base}/status")).send().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": installed("chromium"),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--window-size=1000,800",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let reply: Value = client
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .and_then(|r| r.json())
            .expect("a WebDriver session");
        let session = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_owned();
        Browser {
            driver,
            base,
            session,
            client,
            _profile: profile,
        }
    }

    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut req = self.client.request(method, url);
        req = req.json(&body.unwrap_or_else(|| json!({})));
        let reply: Value = req.send().and_then(|r| r.json()).expect("WebDriver reply");
        if reply["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", reply["value"]);
        }
        reply["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        let url = format!("{}/session/{}/url", self.base, self.session);
        let reply: Value = self
            .client
            .get(url)
            .send()
            .and_then(|r| r.json())
            .expect("url");
        reply["value"].as_str().unwrap_or_default().to_owned()
    }

    pub fn title(&self) -> String {
        let url = format!("{}/session/{}/title", self.base, self.session);
        let reply: Value = self
            .client
            .get(url)
            .send()
            .and_then(|r| r.json())
            .expect("title");
        reply["value"].as_str().unwrap_or_default().to_owned()
    }

    /// Waits for an element matching a CSS selector; returns its WebDriver id.
    pub fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let url = format!("{}/session/{}/element", self.base, self.session);
            let reply: Value = self
                .client
                .post(url)
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .and_then(|r| r.json())
                .expect("find");
            let id = reply["value"].as_object().and_then(|obj| {
                obj.iter()
                    .find(|(k, _)| k.starts_with("element-"))
                    .and_then(|(_, v)| v.as_str())
            });
            if let Some(id) = id {
                return id.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no element `{css}` on {} ({})",
                self.url(),
                self.title()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.call(reqwest::Method::POST, &format!("/element/{id}/clear"), None);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), None);
    }

    /// The page's visible text.
    pub fn text(&self) -> String {
        let id = self.find("body");
        let url = format!("{}/session/{}/element/{id}/text", self.base, self.session);
        let reply: Value = self
            .client
            .get(url)
            .send()
            .and_then(|r| r.json())
            .expect("text");
        reply["value"].as_str().unwrap_or_default().to_owned()
    }

    /// Saves a PNG screenshot of the page.
    pub fn screenshot(&self, path: &PathBuf) {
        use base64::Engine as _;
        let url = format!("{}/session/{}/screenshot", self.base, self.session);
        let reply: Value = self
            .client
            .get(url)
            .send()
            .and_then(|r| r.json())
            .expect("screenshot");
        let png = base64::engine::general_purpose::STANDARD
            .decode(reply["value"].as_str().unwrap_or_default())
            .expect("base64 png");
        std::fs::write(path, png).expect("write screenshot");
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.client.delete(url).send();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
