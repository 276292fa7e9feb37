//! Servers that misbehave: a few lines of `std::net` in a thread play each
//! fault, and a scenario's `request` or `token` step meets it. Whatever the
//! fault, the run exits 1, the failed step carries a one-line reason in the
//! pretty output and in the JSON log, and the `--report` file is written.
//!
//! Every server listens on 127.0.0.1 only and stops by itself; the DNS case
//! uses a name that the resolver refuses before sending any query (a label
//! longer than 63 characters), so no packet leaves the machine.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::harness::Output;
use crate::hostile_input::run_limited;

const RUN_LIMIT: Duration = Duration::from_secs(60);
/// The request timeout of the cases that test a timeout. The server never
/// completes its answer, so however busy the machine, the step times out.
const SHORT_TIMEOUT: &str = "1s";
/// The request timeout of every other case: a failure must come from the
/// fault, never from a machine too busy to answer within a second.
const GENEROUS_TIMEOUT: &str = "30s";

/// How a test server answers one connection (the stream, its own port).
pub type Fault = fn(TcpStream, u16);

/// A server on a free loopback port; `answer` plays one connection. It
/// accepts connections until it is dropped.
pub struct Server {
    pub port: u16,
    /// Connections accepted so far.
    pub hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Server {
    pub fn start(answer: Fault) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("non-blocking");
        let port = listener.local_addr().expect("an address").port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        thread::spawn(move || {
            while !stopped.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let _ = stream.set_nonblocking(false);
                        thread::spawn(move || answer(stream, port));
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { port, hits, stop }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Reads a request's head (up to the blank line).
pub fn read_head(stream: &mut TcpStream) -> String {
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

fn respond(mut stream: TcpStream, text: &str) {
    read_head(&mut stream);
    let _ = stream.write_all(text.as_bytes());
    let _ = stream.flush();
}

// The faults.

fn never_answers(mut stream: TcpStream, _: u16) {
    read_head(&mut stream);
    thread::sleep(Duration::from_secs(20));
}

fn trickles(mut stream: TcpStream, _: u16) {
    read_head(&mut stream);
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n",
    );
    for _ in 0..200 {
        if stream.write_all(b" ").is_err() {
            return;
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn truncated(stream: TcpStream, _: u16) {
    respond(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"partial\":",
    );
}

fn not_json(stream: TcpStream, _: u16) {
    respond(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/json;charset=UTF-8\r\ncontent-length: 25\r\n\r\nthis is not JSON at all!!",
    );
}

fn html_error(stream: TcpStream, _: u16) {
    let page = "<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>\n\
                <body><h1>Internal Server Error</h1>\n<p>Something broke.</p></body></html>\n";
    respond(
        stream,
        &format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{page}",
            page.len()
        ),
    );
}

fn redirect_loop(stream: TcpStream, port: u16) {
    respond(
        stream,
        &format!(
            "HTTP/1.1 302 Found\r\nlocation: http://127.0.0.1:{port}/\r\ncontent-length: 0\r\n\r\n"
        ),
    );
}

fn huge_body(mut stream: TcpStream, _: u16) {
    read_head(&mut stream);
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/octet-stream\r\ntransfer-encoding: chunked\r\n\r\n",
    );
    let chunk = vec![b'x'; 64 * 1024];
    // 20 MiB in chunks; the client gives up at 16 MiB and closes.
    for _ in 0..320 {
        let head = format!("{:x}\r\n", chunk.len());
        if stream.write_all(head.as_bytes()).is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            return;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n");
}

fn garbage(mut stream: TcpStream, _: u16) {
    read_head(&mut stream);
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let _ = stream.write_all(&noise);
}

/// A plain HTTP server's answer to a TLS handshake: a 400 page.
fn plain_http(mut stream: TcpStream, _: u16) {
    let mut hello = [0u8; 512];
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.read(&mut hello);
    let _ = stream.write_all(
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain\r\ncontent-length: 11\r\nconnection: close\r\n\r\nBad Request",
    );
}

fn hangs_up(stream: TcpStream, _: u16) {
    drop(stream);
}

fn bad_header(stream: TcpStream, _: u16) {
    respond(
        stream,
        "HTTP/1.1 200 OK\r\nthis line is not a header\r\ncontent-length: 2\r\n\r\n{}",
    );
}

fn token_error(stream: TcpStream, _: u16) {
    let body = "{\"error\":\"invalid_grant\",\"error_description\":\"authentication failure\"}";
    respond(
        stream,
        &format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        ),
    );
}

fn token_html(stream: TcpStream, _: u16) {
    let page = "<html><body>Maintenance</body></html>";
    respond(
        stream,
        &format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{page}",
            page.len()
        ),
    );
}

/// A step that meets a fault, and what its error must say.
struct Case {
    name: &'static str,
    step: String,
    org: Option<String>,
    says: &'static [&'static str],
    /// `--timeout`: short only where the timeout is what is tested.
    timeout: &'static str,
}

fn request_step(url: &str) -> String {
    format!("  - id: call\n    name: Call the server\n    request:\n      url: \"{url}\"\n")
}

fn token_step() -> String {
    "  - id: call\n    name: Ask for a token\n    token:\n      form:\n        grant_type: client_credentials\n".to_owned()
}

/// Runs the case twice (JSON with a report, then pretty) and checks both.
fn check(case: &Case, dir: &Path) -> Vec<String> {
    let file = dir.join(format!("{}.yaml", case.name));
    std::fs::write(
        &file,
        format!(
            "name: Hostile server ({})\nsteps:\n{}",
            case.name, case.step
        ),
    )
    .expect("write the scenario");
    let report = dir.join(format!("{}.report.json", case.name));
    let file = file.to_string_lossy().into_owned();
    let mut args = vec![
        "run".to_owned(),
        file.clone(),
        "--timeout".into(),
        case.timeout.into(),
        "--format".into(),
        "json".into(),
        "--report".into(),
        format!("json={}", report.display()),
    ];
    if let Some(org) = &case.org {
        args.extend(["--org".to_owned(), org.clone()]);
    }
    let mut problems = Vec::new();
    let (json_run, took) = run_limited(&args, RUN_LIMIT);
    eprintln!("{}: {took:?}", case.name);
    let mut fail =
        |why: String, out: &Output| problems.push(format!("{}: {why}\n{out}", case.name));
    if json_run.code != Some(1) {
        fail(format!("exit {:?}, expected 1", json_run.code), &json_run);
        return problems;
    }
    if json_run.stderr.contains("panicked") {
        fail("panicked".into(), &json_run);
    }
    let log: Value = match serde_json::from_str(&json_run.stdout) {
        Ok(v) => v,
        Err(e) => {
            fail(format!("stdout is not JSON: {e}"), &json_run);
            return problems;
        }
    };
    let error = log["steps"][0]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if log["steps"][0]["status"] != "failed" || error.is_empty() || error.contains('\n') {
        fail(
            format!("the step should fail with a one-line error, got {error:?}"),
            &json_run,
        );
    }
    for part in case.says {
        if !error.contains(part) {
            fail(format!("the error {error:?} lacks {part:?}"), &json_run);
        }
    }
    match std::fs::read_to_string(&report).map(|t| serde_json::from_str::<Value>(&t)) {
        Ok(Ok(r)) if r["steps"][0]["error"].as_str() == Some(error.as_str()) => {}
        other => fail(
            format!("the report is missing or wrong: {other:?}"),
            &json_run,
        ),
    }

    let pretty_args: Vec<String> = args
        .iter()
        .take(4)
        .cloned()
        .chain(
            case.org
                .iter()
                .flat_map(|o| ["--org".to_owned(), o.clone()]),
        )
        .collect();
    let (pretty, _) = run_limited(&pretty_args, RUN_LIMIT);
    if pretty.code != Some(1) {
        fail(
            format!("pretty: exit {:?}, expected 1", pretty.code),
            &pretty,
        );
    }
    // `✗ 1. Name`, then indented lines: a summary of the result, the reason.
    let details: Vec<&str> = pretty
        .stdout
        .lines()
        .skip_while(|l| !l.contains("✗ 1."))
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(str::trim)
        .collect();
    // (A reset connection may read as "closed" in one run and "reset" in the
    // next: the reason is matched by its parts, not against the JSON run's.)
    if !details
        .iter()
        .any(|l| case.says.iter().all(|part| l.contains(part)))
    {
        fail(
            format!(
                "pretty should show `✗ 1.` and then a reason with {:?}",
                case.says
            ),
            &pretty,
        );
    }
    problems
}

#[test]
fn every_fault_fails_the_step_with_a_one_line_reason() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let unused = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let servers: Vec<(&str, Fault)> = vec![
        ("timeout", never_answers),
        ("trickle", trickles),
        ("truncated", truncated),
        ("not_json", not_json),
        ("html_error", html_error),
        ("redirect_loop", redirect_loop),
        ("huge_body", huge_body),
        ("garbage", garbage),
        ("hangs_up", hangs_up),
        ("bad_header", bad_header),
        ("tls_to_plain_http", plain_http),
        ("token_error", token_error),
        ("token_html", token_html),
    ];
    let started: Vec<(&str, Server)> = servers
        .into_iter()
        .map(|(name, answer)| (name, Server::start(answer)))
        .collect();
    let server = |name: &str| {
        &started
            .iter()
            .find(|(n, _)| *n == name)
            .expect("a server")
            .1
    };
    let long_label = "a".repeat(64);
    let cases = vec![
        Case {
            name: "refused",
            step: request_step(&format!("http://127.0.0.1:{unused}/")),
            org: None,
            says: &["connection failed", "refused"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "dns",
            step: request_step(&format!("http://{long_label}.invalid/")),
            org: None,
            says: &["DNS lookup failed", "Name or service not known"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "tls_to_plain_http",
            step: request_step(&format!(
                "https://127.0.0.1:{}/",
                server("tls_to_plain_http").port
            )),
            org: None,
            says: &["connection failed"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "timeout",
            step: request_step(&server("timeout").url()),
            org: None,
            says: &["no complete response within 1s"],
            timeout: SHORT_TIMEOUT,
        },
        Case {
            name: "trickle",
            step: request_step(&server("trickle").url()),
            org: None,
            says: &["no complete response within 1s"],
            timeout: SHORT_TIMEOUT,
        },
        Case {
            name: "truncated",
            step: request_step(&server("truncated").url()),
            org: None,
            says: &["could not read the response"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "not_json",
            step: request_step(&server("not_json").url()),
            org: None,
            says: &["declared as JSON", "its body is not JSON"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "html_error",
            step: request_step(&server("html_error").url()),
            org: None,
            says: &["HTTP 500"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "redirect_loop",
            step: request_step(&server("redirect_loop").url()),
            org: None,
            says: &["HTTP 302"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "huge_body",
            step: request_step(&server("huge_body").url()),
            org: None,
            says: &["larger than 16 MiB"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "garbage",
            step: request_step(&server("garbage").url()),
            org: None,
            says: &["request failed"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "hangs_up",
            step: request_step(&server("hangs_up").url()),
            org: None,
            says: &["request failed"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "bad_header",
            step: request_step(&server("bad_header").url()),
            org: None,
            says: &["request failed"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "token_error",
            step: token_step(),
            org: Some(format!("http://127.0.0.1:{}", server("token_error").port)),
            says: &["HTTP 400", "invalid_grant", "authentication failure"],
            timeout: GENEROUS_TIMEOUT,
        },
        Case {
            name: "token_html",
            step: token_step(),
            org: Some(format!("http://127.0.0.1:{}", server("token_html").port)),
            says: &["declared as JSON", "its body is not JSON"],
            timeout: GENEROUS_TIMEOUT,
        },
    ];
    let problems: Vec<String> = thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|case| s.spawn(|| check(case, dir.path())))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a case"))
            .collect()
    });
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // HTTP steps never follow redirects: one request per run (JSON and pretty).
    assert_eq!(server("redirect_loop").hits.load(Ordering::SeqCst), 2);
}

// The callback listener.

/// A run whose stderr is read as it comes, to act while it waits.
struct Live {
    child: std::process::Child,
    lines: std::sync::mpsc::Receiver<String>,
    stderr: Arc<std::sync::Mutex<String>>,
    /// Reads stderr to its end, line by line, into `stderr` and `lines`.
    stderr_reader: Option<thread::JoinHandle<()>>,
    stdout: Option<thread::JoinHandle<String>>,
    command: String,
}

impl Live {
    fn spawn(args: &[String]) -> Live {
        use std::io::BufRead as _;
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sfscenario"));
        cmd.args(args)
            .current_dir(crate::harness::root())
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("SF_") {
                cmd.env_remove(key);
            }
        }
        let mut child = cmd.spawn().expect("start sfscenario");
        let (tx, lines) = std::sync::mpsc::channel();
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let all = Arc::clone(&stderr);
        let pipe = child.stderr.take().expect("stderr");
        let stderr_reader = thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Ok(mut all) = all.lock() {
                    all.push_str(&line);
                    all.push('\n');
                }
                let _ = tx.send(line);
            }
        });
        let mut out = child.stdout.take().expect("stdout");
        let stdout = thread::spawn(move || {
            let mut text = String::new();
            let _ = out.read_to_string(&mut text);
            text
        });
        Live {
            child,
            lines,
            stderr,
            stderr_reader: Some(stderr_reader),
            stdout: Some(stdout),
            command: format!("sfscenario {}", args.join(" ")),
        }
    }

    /// The first stderr line (from now on) that `wanted` accepts.
    fn wait_for(&self, wanted: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + RUN_LIMIT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(line) if wanted(&line) => return line,
                Ok(_) => {}
                Err(_) => break,
            }
        }
        panic!(
            "`{}`: the awaited line never came\n{}",
            self.command,
            self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
        );
    }

    /// The authorize URL that `--browser print` shows.
    fn authorize_url(&self) -> url::Url {
        let line = self.wait_for(|l| l.trim_start().starts_with("http"));
        url::Url::parse(line.trim()).expect("an authorize URL")
    }

    fn finish(mut self) -> Output {
        let deadline = Instant::now() + RUN_LIMIT;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break Some(s);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break None;
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stdout = self
            .stdout
            .take()
            .map(|h| h.join().expect("stdout"))
            .unwrap_or_default();
        // The stderr reader ends at the end of the pipe: all of stderr is in.
        if let Some(reader) = self.stderr_reader.take() {
            reader.join().expect("stderr");
        }
        Output {
            command: self.command.clone(),
            stdout,
            stderr: self.stderr.lock().map(|s| s.clone()).unwrap_or_default(),
            code: status.and_then(|s| s.code()),
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A scenario: authorize (printed), optionally a request, then the callback.
fn callback_scenario(dir: &Path, port: u16, between: &str) -> String {
    let path = dir.join(format!("callback_{port}.yaml"));
    std::fs::write(
        &path,
        format!(
            "name: Callback listener\n\
             vars:\n  redirect_uri: \"http://localhost:{port}/callback\"\n\
             steps:\n\
             \x20 - id: login\n    authorize:\n      params:\n\
             \x20       client_id: \"{{{{ org.client_id }}}}\"\n\
             \x20       redirect_uri: \"{{{{ redirect_uri }}}}\"\n\
             \x20       response_type: code\n\
             {between}\
             \x20 - id: callback\n    callback:\n      listen: \"{{{{ redirect_uri }}}}\"\n"
        ),
    )
    .expect("write");
    path.to_string_lossy().into_owned()
}

fn browser() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client")
}

fn state_of(url: &url::Url) -> String {
    url.query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .expect("a state")
}

/// Listening sockets on `port` from /proc/net/tcp and tcp6: (address, is loopback).
fn listeners_on(port: u16) -> Option<Vec<(String, bool)>> {
    let mut found = Vec::new();
    for (file, loopback) in [
        ("/proc/net/tcp", &["0100007F"][..]),
        ("/proc/net/tcp6", &["00000000000000000000000001000000"][..]),
    ] {
        let text = std::fs::read_to_string(file).ok()?;
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state)) = (cols.get(1), cols.get(3)) else {
                continue;
            };
            let Some((addr, p)) = local.split_once(':') else {
                continue;
            };
            if *state == "0A" && u16::from_str_radix(p, 16) == Ok(port) {
                // 127.0.0.0/8 is `xx0000007F`-ish in /proc: the last byte is 7F.
                let is_loopback =
                    loopback.contains(&addr) || (addr.len() == 8 && addr.ends_with("7F"));
                found.push((addr.to_owned(), is_loopback));
            }
        }
    }
    Some(found)
}

#[test]
fn the_listener_is_on_loopback_only_and_refuses_a_wrong_state() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    let file = callback_scenario(dir.path(), port, "");
    let live = Live::spawn(&[
        "run".into(),
        file,
        "--browser".into(),
        "print".into(),
        "--format".into(),
        "json".into(),
    ]);
    let url = live.authorize_url();
    live.wait_for(|l| l.contains("Waiting for the redirect"));
    // Loopback only: every socket listening on the port is bound to 127.0.0.1 or ::1.
    // (Read from the kernel's table: no packet is sent to another address.)
    match listeners_on(port) {
        Some(sockets) => {
            assert!(!sockets.is_empty(), "nothing listens on {port}");
            for (addr, loopback) in &sockets {
                assert!(loopback, "the listener on port {port} is bound to {addr}");
            }
        }
        None => eprintln!("no /proc/net/tcp here: the loopback check is skipped"),
    }
    // A redirect with a state the authorize step did not send is refused;
    // the step waits on, and takes the real one.
    let state = state_of(&url);
    assert_ne!(state, "forged");
    let page = browser()
        .get(format!(
            "http://127.0.0.1:{port}/callback?code=stolen-code&state=forged"
        ))
        .send()
        .expect("the listener answers");
    assert_eq!(page.status(), 400);
    let page = browser()
        .get(format!(
            "http://127.0.0.1:{port}/callback?code=genuine-code&state={state}"
        ))
        .send()
        .expect("the listener answers");
    assert_eq!(page.status(), 200);
    let out = live.finish();
    out.code(0).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(log["steps"][1]["status"], "passed", "{out}");
    assert_ne!(log["steps"][1]["result"]["code"], "stolen-code", "{out}");
}

#[test]
fn the_listener_takes_one_redirect_and_answers_later_ones_with_already_received() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let port = free_port();
    // A step between authorize and callback that waits until the test lets it
    // go: the listener (bound by authorize) is up while the redirects arrive.
    let gate = TcpListener::bind("127.0.0.1:0").expect("bind");
    let gate_port = gate.local_addr().expect("addr").port();
    let (open, opened) = std::sync::mpsc::channel::<()>();
    let gate_thread = thread::spawn(move || {
        let (mut stream, _) = gate.accept().expect("the gate request");
        read_head(&mut stream);
        let _ = opened.recv_timeout(RUN_LIMIT);
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
        );
    });
    let between = format!(
        "  - id: gate\n    request:\n      url: \"http://127.0.0.1:{gate_port}/\"\n      timeout: 30s\n"
    );
    let file = callback_scenario(dir.path(), port, &between);
    let live = Live::spawn(&[
        "run".into(),
        file,
        "--browser".into(),
        "print".into(),
        "--format".into(),
        "json".into(),
        "--show-secrets".into(),
    ]);
    let state = state_of(&live.authorize_url());
    let client = browser();
    let get = |code: &str| {
        client
            .get(format!(
                "http://127.0.0.1:{port}/callback?code={code}&state={state}"
            ))
            .send()
            .and_then(|r| r.text())
            .expect("the listener answers")
    };
    let first = get("first-code");
    assert!(first.contains("Authorization received"), "{first}");
    let second = get("second-code");
    assert!(second.contains("Already received"), "{second}");
    open.send(()).expect("open the gate");
    let out = live.finish();
    gate_thread.join().expect("the gate");
    out.code(0).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(log["steps"][2]["result"]["code"], "first-code", "{out}");
    assert!(
        !out.stdout.contains("second-code"),
        "the second code reached the step\n{out}"
    );
}

#[test]
fn a_busy_callback_port_is_reported_clearly() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let file = callback_scenario(dir.path(), port, "");
    let (out, _) = run_limited(
        ["run", &file, "--browser", "print", "--format", "json"],
        RUN_LIMIT,
    );
    out.code(1).no_panic();
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let error = log["steps"][0]["error"].as_str().unwrap_or_default();
    assert!(
        error.contains(&format!("port {port} is already in use by another program")),
        "{error}\n{out}"
    );
    assert_eq!(log["steps"][1]["status"], "skipped");
    drop(taken);
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_waiting_for_the_browser_writes_the_reports_and_exits_130() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let reports = dir.path().join("reports");
    let port = free_port();
    let file = callback_scenario(dir.path(), port, "");
    let live = Live::spawn(&[
        "run".into(),
        file,
        "--browser".into(),
        "print".into(),
        "--format".into(),
        "json".into(),
        "--report".into(),
        format!("json={}", reports.join("run.json").display()),
        "--report".into(),
        format!("junit={}", reports.join("run.xml").display()),
        "--report".into(),
        format!("markdown={}/", reports.join("md").display()),
    ]);
    live.wait_for(|l| l.contains("Waiting for the redirect"));
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &live.child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(interrupted.success());
    let out = live.finish();
    out.code(130).no_panic().stderr_has("interrupted");
    // stdout and the reports hold what ran: the authorize step, passed.
    let log: Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(log["steps"][0]["status"], "passed", "{out}");
    assert!(
        log["error"]
            .as_str()
            .unwrap_or_default()
            .contains("interrupted")
    );
    let json = std::fs::read_to_string(reports.join("run.json")).expect("the JSON report");
    let report: Value = serde_json::from_str(&json).expect("a complete JSON report");
    assert_eq!(report["steps"][0]["id"], "login");
    let junit = std::fs::read_to_string(reports.join("run.xml")).expect("the JUnit report");
    assert!(junit.trim_end().ends_with("</testsuites>"), "{junit}");
    let md = std::fs::read_to_string(reports.join("md").join(format!("callback_{port}.md")))
        .expect("the Markdown report");
    assert!(md.contains("Callback listener"), "{md}");
    // Nothing else: no temporary or partial files.
    let mut names: Vec<String> = std::fs::read_dir(&reports)
        .expect("the report directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["md", "run.json", "run.xml"]);
    assert_eq!(
        std::fs::read_dir(reports.join("md")).expect("md").count(),
        1
    );
}
