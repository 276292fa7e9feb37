//! A `BROWSER` program for the tests that run `--browser system`: it writes
//! each URL it is asked to open to a file, for a test to open in Chromium.

use std::path::PathBuf;
use std::time::{Duration, Instant};

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
