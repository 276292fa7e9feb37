//! `sfscenario mock` as a child process: started with a free port, its
//! banner parsed (URL, CA file, credentials), stopped with a signal.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use crate::harness::{Output, root};

/// How long the mock may take to print its banner, and a client to finish.
const STARTUP: Duration = Duration::from_secs(30);
pub const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

/// A running `sfscenario mock`; killed when dropped.
pub struct MockProcess {
    child: Child,
    stderr: Option<thread::JoinHandle<String>>,
    /// What the mock prints on stdout after its banner, line by line.
    stdout: mpsc::Receiver<String>,
    /// Everything the banner said, line by line.
    pub banner: String,
    pub url: String,
    pub ca_file: Option<PathBuf>,
    /// The Connected App's private key, for JWT bearer assertions.
    pub app_key: Option<PathBuf>,
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
    pub security_token: String,
}

impl MockProcess {
    /// `sfscenario mock ARGS…`, once it has printed its banner.
    pub fn start(args: &[&str]) -> MockProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sfscenario"))
            .arg("mock")
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sfscenario mock starts");
        let stdout = child.stdout.take().expect("stdout piped");
        let stderr = child.stderr.take().expect("stderr piped");
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = BufReader::new(stderr).read_to_string(&mut text);
            text
        });
        let (lines, banner) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + STARTUP;
        let mut text = String::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match banner.recv_timeout(left) {
                Ok(line) => {
                    text.push_str(&line);
                    text.push('\n');
                    if line.contains("Press Ctrl-C to stop") {
                        break;
                    }
                }
                Err(_) => {
                    let _ = child.kill();
                    let stderr = stderr.join().unwrap_or_default();
                    panic!("sfscenario mock printed no banner:\n{text}\n--- stderr ---\n{stderr}");
                }
            }
        }
        let field = |name: &str| -> String {
            text.lines()
                .find_map(|line| line.trim_start().strip_prefix(name))
                .map(|rest| rest.trim().split("  ").next().unwrap_or("").to_string())
                .unwrap_or_else(|| panic!("no `{name}` in the banner:\n{text}"))
        };
        MockProcess {
            url: field("URL "),
            ca_file: text
                .contains("CA certificate")
                .then(|| PathBuf::from(field("CA certificate "))),
            app_key: text
                .contains("JWT key file")
                .then(|| PathBuf::from(field("JWT key file "))),
            client_id: field("client_id "),
            client_secret: field("client_secret "),
            username: field("username "),
            password: field("password "),
            security_token: field("security token "),
            banner: text,
            child,
            stderr: Some(stderr),
            stdout: banner,
        }
    }

    pub fn port(&self) -> u16 {
        let port = self.url.rsplit(':').next().expect("URL with a port");
        port.parse().expect("a port number")
    }

    /// The mock's stdout after the banner, up to the first line holding
    /// `needle` (everything it printed in [`STARTUP`] when none does).
    pub fn printed_until(&self, needle: &str) -> String {
        let deadline = Instant::now() + STARTUP;
        let mut text = String::new();
        while let Ok(line) = self
            .stdout
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            text.push_str(&line);
            text.push('\n');
            if line.contains(needle) {
                break;
            }
        }
        text
    }

    /// The `SF_*` variables that point `sfscenario run --org` at this mock.
    pub fn org_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SF_CLIENT_ID", self.client_id.clone()),
            ("SF_CLIENT_SECRET", self.client_secret.clone()),
            ("SF_USERNAME", self.username.clone()),
            ("SF_PASSWORD", self.password.clone()),
            ("SF_SECURITY_TOKEN", self.security_token.clone()),
        ]
    }

    /// Sends `signal` (`TERM`, `INT`) and waits: `(exit code, stderr)`.
    pub fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .expect("kill runs");
        assert!(sent.success(), "kill -{signal} {pid} failed");
        let deadline = Instant::now() + STARTUP;
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait for the mock") {
                break status;
            }
            assert!(Instant::now() < deadline, "the mock ignored SIG{signal}");
            thread::sleep(Duration::from_millis(20));
        };
        let stderr = self.stderr.take().map(|t| t.join().unwrap_or_default());
        (status.code(), stderr.unwrap_or_default())
    }
}

impl Drop for MockProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `program args…` in `dir` with `env` added, to its end or [`CLIENT_TIMEOUT`].
pub fn run(program: &Path, args: &[&str], dir: &Path, env: &[(&str, String)]) -> Output {
    let mut command = Command::new(program);
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("SF_") {
            command.env_remove(key);
        }
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let shown = format!("{} {}", program.display(), args.join(" "));
    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start `{shown}`: {e}"));
    let mut pipes = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .map(|pipe| {
        thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_string(&mut text);
            }
            text
        })
    })
    .into_iter();
    let deadline = Instant::now() + CLIENT_TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the client") {
            break status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`{shown}` ran longer than {CLIENT_TIMEOUT:?} and was killed");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut next = || {
        pipes
            .next()
            .map(|t| t.join().unwrap_or_default())
            .unwrap_or_default()
    };
    let (stdout, stderr) = (next(), next());
    Output {
        command: shown,
        stdout,
        stderr,
        code: status.code(),
    }
}
