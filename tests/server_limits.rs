//! The two servers under hostile clients: the header timeout, the
//! connection cap, the callback listener's state rule seen from a run, the
//! warning of a mock bound beyond loopback, and the logical clock of seeded
//! runs.
//!
//! Nothing here waits a fixed time for something to happen: every wait is
//! on an event (a closed socket, a line of output, a process's end) with a
//! generous outer limit. The only short waits check that something does
//! *not* happen, and can only pass spuriously on a very slow machine, never
//! fail.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use sfscenario::mock::{MockConfig, MockOptions, MockServer};
use sfscenario::net::ServerLimits;
use sfscenario::net::listener::{Listener, ListenerOptions};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::harness::{Output, Sfscenario, root};

/// The outer limit of every wait for an event.
const PATIENCE: Duration = Duration::from_secs(30);
/// How long a connection over the cap is watched for an answer it must not get.
const NOT_SERVED: Duration = Duration::from_millis(300);

fn limits(max_connections: usize, header_timeout: Duration) -> ServerLimits {
    ServerLimits {
        max_connections,
        header_timeout,
    }
}

async fn mock(limits: ServerLimits) -> MockServer {
    let options = MockOptions {
        limits,
        ..MockOptions::default()
    };
    MockServer::start(MockConfig::default(), options)
        .await
        .expect("the mock starts")
}

async fn listener(limits: ServerLimits) -> (Listener, SocketAddr) {
    let socket = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let address = socket.local_addr().expect("an address");
    let uri = format!("http://{address}/callback");
    let options = ListenerOptions {
        state: None,
        limits,
    };
    let listener = Listener::bind(&uri, Some(socket), options)
        .await
        .expect("the listener binds");
    (listener, address)
}

/// Reads until the server closes the connection (a reset counts as closed).
async fn closed_by_the_server(stream: &mut TcpStream) -> bool {
    let mut sink = Vec::new();
    tokio::time::timeout(PATIENCE, stream.read_to_end(&mut sink))
        .await
        .is_ok()
}

/// A request's head, left unfinished (no blank line), and a silent client.
async fn slow_clients_are_closed(address: SocketAddr) {
    let mut half_sent = TcpStream::connect(address).await.expect("connect");
    half_sent
        .write_all(b"GET /services/data HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let mut silent = TcpStream::connect(address).await.expect("connect");
    assert!(
        closed_by_the_server(&mut half_sent).await,
        "a half-sent request was held open for {PATIENCE:?}"
    );
    assert!(
        closed_by_the_server(&mut silent).await,
        "a silent connection was held open for {PATIENCE:?}"
    );
}

#[tokio::test]
async fn the_mock_closes_a_half_sent_request_at_its_header_timeout() {
    let server = mock(limits(16, Duration::from_millis(200))).await;
    slow_clients_are_closed(server.address()).await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_callback_listener_closes_a_half_sent_request_at_its_header_timeout() {
    let (_listener, address) = listener(limits(16, Duration::from_millis(200))).await;
    slow_clients_are_closed(address).await;
}

/// Sends `GET path` and reads one whole response (by its `content-length`).
async fn exchange(stream: &mut TcpStream, path: &str) -> String {
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    tokio::time::timeout(PATIENCE, read_response(stream))
        .await
        .expect("an answer in time")
}

async fn read_response(stream: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).await.expect("read");
        assert!(n > 0, "closed before a whole response");
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data).into_owned();
        let Some((head, body)) = text.split_once("\r\n\r\n") else {
            continue;
        };
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .expect("a content-length");
        if body.len() >= length {
            return head.lines().next().unwrap_or_default().to_owned();
        }
    }
}

/// With a cap of 2, a third connection gets no answer until one of the
/// first two closes, and then gets it.
async fn a_third_connection_waits_for_a_free_place(address: SocketAddr, path: &str) {
    let mut first = TcpStream::connect(address).await.expect("connect");
    let mut second = TcpStream::connect(address).await.expect("connect");
    // Both accepted and served, and kept alive.
    assert!(exchange(&mut first, path).await.starts_with("HTTP/1.1 "));
    assert!(exchange(&mut second, path).await.starts_with("HTTP/1.1 "));
    let mut third = TcpStream::connect(address)
        .await
        .expect("the kernel queues it");
    let request = format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n");
    third.write_all(request.as_bytes()).await.expect("write");
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(NOT_SERVED, third.read(&mut byte)).await;
    assert!(early.is_err(), "served over the cap: {early:?}");
    drop(first);
    let answer = tokio::time::timeout(PATIENCE, read_response(&mut third))
        .await
        .expect("served once a place is free");
    assert!(answer.starts_with("HTTP/1.1 "), "{answer}");
    // The second connection is still served too.
    assert!(exchange(&mut second, path).await.starts_with("HTTP/1.1 "));
}

#[tokio::test]
async fn the_mock_serves_at_most_its_connection_cap() {
    let server = mock(limits(2, PATIENCE * 2)).await;
    a_third_connection_waits_for_a_free_place(server.address(), "/services/data").await;
    server.shutdown().await;
}

#[tokio::test]
async fn the_callback_listener_serves_at_most_its_connection_cap() {
    let (_listener, address) = listener(limits(2, PATIENCE * 2)).await;
    a_third_connection_waits_for_a_free_place(address, "/favicon.ico").await;
}

// The state rule, from a run.

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn scenario(dir: &Path, port: u16, authorize: &str, between: &str, timeout: &str) -> String {
    let path = dir.join(format!("state_{port}.yaml"));
    let text = format!(
        "name: Callback state\n\
         vars:\n  redirect_uri: \"http://localhost:{port}/callback\"\n\
         steps:\n\
         \x20 - id: login\n    authorize:\n{authorize}      params:\n\
         \x20       client_id: \"{{{{ org.client_id }}}}\"\n\
         \x20       redirect_uri: \"{{{{ redirect_uri }}}}\"\n\
         \x20       response_type: code\n\
         {between}\
         \x20 - id: callback\n    callback:\n      listen: \"{{{{ redirect_uri }}}}\"\n\
         \x20     timeout: {timeout}\n"
    );
    std::fs::write(&path, text).expect("write the scenario");
    path.to_string_lossy().into_owned()
}

/// A run watched as it goes: its stdout and stderr lines arrive on a channel.
struct Watched {
    child: Child,
    lines: mpsc::Receiver<String>,
    stdout: Option<thread::JoinHandle<String>>,
    stderr: Option<thread::JoinHandle<String>>,
}

/// A test that fails half-way leaves no process behind.
impl Drop for Watched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a pipe line by line to its end, sending each line on.
fn follow(
    pipe: impl std::io::Read + Send + 'static,
    tx: mpsc::Sender<String>,
) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    })
}

impl Watched {
    fn spawn(args: &[&str]) -> Watched {
        let mut command = Command::new(env!("CARGO_BIN_EXE_sfscenario"));
        command
            .args(args)
            .current_dir(root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SF_") {
                command.env_remove(key);
            }
        }
        let mut child = command.spawn().expect("start sfscenario");
        let (tx, lines) = mpsc::channel();
        let stdout = follow(child.stdout.take().expect("stdout"), tx.clone());
        let stderr = follow(child.stderr.take().expect("stderr"), tx);
        Watched {
            child,
            lines,
            stdout: Some(stdout),
            stderr: Some(stderr),
        }
    }

    /// The first line (of either stream) from now on that `wanted` accepts.
    fn line(&self, wanted: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(e) => panic!("the awaited line never came: {e}"),
            }
        }
    }

    /// Waits for the end (killing the process after [`PATIENCE`]).
    fn finish(mut self) -> Output {
        // Both pipes close when the process ends.
        let deadline = std::time::Instant::now() + PATIENCE;
        while self
            .lines
            .recv_timeout(deadline.saturating_duration_since(std::time::Instant::now()))
            .is_ok()
        {}
        let _ = self.child.kill();
        let status = self.child.wait().expect("wait");
        let text = |pipe: Option<thread::JoinHandle<String>>| {
            pipe.and_then(|p| p.join().ok()).unwrap_or_default()
        };
        Output {
            command: "sfscenario".into(),
            stdout: text(self.stdout.take()),
            stderr: text(self.stderr.take()),
            code: status.code(),
        }
    }

    fn interrupt(&self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -INT {pid}");
    }
}

fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PATIENCE)
        .build()
        .expect("an HTTP client")
}

fn state_of(url: &str) -> String {
    let url = url::Url::parse(url.trim()).expect("an authorize URL");
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state")
}

/// A server that answers one request when the test opens it.
struct Gate {
    port: u16,
    open: mpsc::Sender<()>,
    thread: thread::JoinHandle<()>,
}

impl Gate {
    fn new() -> Gate {
        let socket = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = socket.local_addr().expect("addr").port();
        let (open, opened) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            let Ok((mut stream, _)) = socket.accept() else {
                return;
            };
            read_head(&mut stream);
            let _ = opened.recv_timeout(PATIENCE);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            );
        });
        Gate { port, open, thread }
    }

    fn step(&self) -> String {
        format!(
            "  - id: gate\n    request:\n      url: \"http://127.0.0.1:{}/\"\n      timeout: 30s\n",
            self.port
        )
    }

    fn open(self) {
        let _ = self.open.send(());
        // Unblocks the accept if the run never came (it failed earlier).
        let _ = std::net::TcpStream::connect(("127.0.0.1", self.port));
        self.thread.join().expect("the gate");
    }
}

fn read_head(stream: &mut std::net::TcpStream) {
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
}

#[test]
fn forged_deliveries_are_refused_and_counted_when_the_step_times_out() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let gate = Gate::new();
    let file = scenario(dir.path(), port, "", &gate.step(), "1s");
    let run = Watched::spawn(&["run", &file, "--browser", "print", "--format", "json"]);
    let state = state_of(&run.line(|l| l.trim_start().starts_with("http")));
    let callback = format!("http://127.0.0.1:{port}/callback");
    let http = browser();
    // Without a state, and with another: refused, counted.
    for query in ["code=forged-code", "code=forged-code&state=other"] {
        let page = http
            .get(format!("{callback}?{query}"))
            .send()
            .expect("answered");
        assert_eq!(page.status(), 400, "{query}");
    }
    // The right state in a POST the relay page would never send: refused
    // before the state is read, so not counted.
    for content_type in ["text/plain", "multipart/form-data; boundary=x"] {
        let post = http
            .post(&callback)
            .header("content-type", content_type)
            .body(format!("code=forged-code&state={state}"));
        assert_eq!(post.send().expect("answered").status(), 415);
    }
    gate.open();
    let out = run.finish();
    out.code(1).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let step = &log["steps"][2];
    assert_eq!(step["status"], "failed", "{out}");
    assert_eq!(
        step["error"], "state mismatch: 2 deliveries rejected",
        "{out}"
    );
}

#[test]
fn after_forged_deliveries_the_genuine_redirect_passes() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let file = scenario(dir.path(), port, "", "", "30s");
    let args = [
        "run",
        &file,
        "--browser",
        "print",
        "--format",
        "json",
        "--show-secrets",
    ];
    let run = Watched::spawn(&args);
    let state = state_of(&run.line(|l| l.trim_start().starts_with("http")));
    let callback = format!("http://127.0.0.1:{port}/callback");
    let http = browser();
    let forged = [
        format!("{callback}?code=forged-code-1"),
        format!("{callback}?code=forged-code-2&state={state}x"),
    ];
    for url in forged {
        assert_eq!(http.get(&url).send().expect("answered").status(), 400);
    }
    let genuine = format!("{callback}?code=genuine-code&state={state}");
    assert_eq!(http.get(genuine).send().expect("answered").status(), 200);
    let out = run.finish();
    out.code(0).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(log["steps"][1]["result"]["code"], "genuine-code", "{out}");
}

#[test]
fn a_redirect_with_another_state_fails_the_callback_at_once_with_the_built_in_user_agent() {
    // A login host that redirects straight back with a state of its own.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let host = TcpListener::bind("127.0.0.1:0").expect("bind");
    let host_port = host.local_addr().expect("addr").port();
    let server = thread::spawn(move || {
        let Ok((mut stream, _)) = host.accept() else {
            return;
        };
        read_head(&mut stream);
        let answer = format!(
            "HTTP/1.1 302 Found\r\nlocation: http://localhost:{port}/callback?code=other-code&state=not-yours\r\n\
             content-length: 0\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(answer.as_bytes());
    });
    let authorize = format!("      url: \"http://127.0.0.1:{host_port}/authorize\"\n");
    // A long timeout: the step must not wait it out.
    let file = scenario(dir.path(), port, &authorize, "", "10m");
    let out = Sfscenario::new()
        .args(["run", &file, "--browser", "auto", "--format", "json"])
        .run();
    // Unblocks the accept if the run never came (it failed earlier).
    let _ = std::net::TcpStream::connect(("127.0.0.1", host_port));
    server.join().expect("the login host");
    out.code(1).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(log["steps"][0]["status"], "passed", "{out}");
    assert_eq!(
        log["steps"][1]["error"], "state mismatch: 1 deliveries rejected",
        "{out}"
    );
}

// `sfscenario mock` beyond loopback.

#[test]
fn a_mock_bound_beyond_loopback_warns_that_its_credentials_are_public() {
    let mock = Watched::spawn(&["mock", "--host", "0.0.0.0", "--port", "0", "-q"]);
    let warning = mock.line(|l| l.starts_with("warning:"));
    mock.interrupt();
    let out = mock.finish();
    out.code(0).no_panic();
    for needed in [
        "0.0.0.0:",
        "beyond loopback",
        "public",
        "anyone who can reach this port",
    ] {
        assert!(warning.contains(needed), "{needed}: {warning}");
    }
}

#[test]
fn a_mock_on_loopback_does_not_warn() {
    let mock = Watched::spawn(&["mock", "--port", "0", "-q"]);
    // The warning would come right after the banner, before the mock
    // waits for Ctrl-C: an interrupt now cannot stop it from being printed.
    mock.line(|l| l.contains("Press Ctrl-C to stop"));
    mock.interrupt();
    let out = mock.finish();
    out.code(0).no_panic();
    assert!(
        out.stdout.contains("listening on http://127.0.0.1:"),
        "{out}"
    );
    assert!(!out.stderr.contains("warning"), "{out}");
}

// The clock of seeded runs.

#[test]
fn seeded_runs_give_the_same_issued_at_on_the_logical_clock() {
    let issued_at = || {
        let out = Sfscenario::new()
            .args([
                "run",
                "scenarios/pkce.yaml",
                "--seed",
                "7",
                "--format",
                "json",
                "--show-secrets",
            ])
            .run();
        out.code(0).no_panic();
        let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
        log["steps"][3]["result"]["issued_at"]
            .as_str()
            .expect("an issued_at")
            .to_owned()
    };
    let first = issued_at();
    assert_eq!(first, issued_at());
    // 2026-01-01T00:00:00Z and a few requests.
    let ms: u64 = first.parse().expect("milliseconds");
    assert!((1_767_225_600_000..1_767_225_601_000).contains(&ms), "{ms}");
}
