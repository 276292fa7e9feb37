//! No secret of any bundled scenario reaches any output.
//!
//! Every scenario of `scenarios/` runs once with `--show-secrets --format
//! json --seed N`; every secret value the runs made or used is collected from
//! that log (tokens, codes, verifiers, assertions, passwords, client
//! secrets, security tokens, private key lines, session ids, device codes,
//! declared `secrets:`), plus the mock's own credentials. The same runs with
//! the same seed, without `--show-secrets`, in every format and with a report
//! of every format, must show none of them: not whole, not URL-encoded (form
//! or `%20` style), not in base64 or base64url. Values that depend on the
//! clock (signed JWTs) differ between runs; they are caught by their shape.
//!
//! A server that echoes what it was sent in its error messages is the last
//! case: server error messages are redacted too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use regex::Regex;
use serde_json::Value;

use crate::harness::{bundled, root};
use crate::hostile_input::run_limited;

const SEED: &str = "23";
const LIMIT: std::time::Duration = std::time::Duration::from_secs(120);

/// Keys and form fields whose values are secret.
const SECRET_KEYS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "code",
    "code_verifier",
    "assertion",
    "client_assertion",
    "client_secret",
    "password",
    "security_token",
    "device_code",
    "token",
    "bearer",
    "session",
    "sessionId",
    "sid",
    "private_key",
    "key",
];

/// Secret values, each with the role it was found under.
#[derive(Default)]
struct Secrets(BTreeMap<String, String>);

impl Secrets {
    fn add(&mut self, role: &str, value: &str) {
        let value = value.trim();
        if value.len() >= 8 && !value.contains('…') && !value.contains("********") {
            self.0
                .entry(value.to_owned())
                .or_insert_with(|| role.to_owned());
        }
    }

    /// Private key PEM: every line of its body.
    fn add_pem(&mut self, role: &str, pem: &str) {
        for line in pem.lines().map(str::trim) {
            if !line.starts_with("-----") && line.len() >= 16 {
                self.add(role, line);
            }
        }
    }

    /// Walks a step log (or any JSON) for secret values.
    fn collect(&mut self, v: &Value, key: Option<&str>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    self.collect(v, Some(k));
                }
            }
            Value::Array(items) => {
                if let [Value::String(name), Value::String(value)] = items.as_slice() {
                    self.pair(name, value);
                }
                for item in items {
                    self.collect(item, key);
                }
            }
            Value::String(s) => {
                if let Some(k) = key.filter(|k| SECRET_KEYS.contains(k)) {
                    if s.contains("-----BEGIN") {
                        self.add_pem(k, s);
                    } else {
                        self.add(k, s);
                    }
                }
                self.in_text(s);
            }
            _ => {}
        }
    }

    /// A form field or a header.
    fn pair(&mut self, name: &str, value: &str) {
        let lower = name.to_ascii_lowercase();
        if SECRET_KEYS.contains(&lower.as_str()) {
            self.add(&lower, value);
        }
        match lower.as_str() {
            "authorization" => {
                if let Some(token) = value.strip_prefix("Bearer ") {
                    self.add("bearer", token);
                } else if let Some(basic) = value.strip_prefix("Basic ") {
                    self.add("basic", basic);
                    let decoded = base64::engine::general_purpose::STANDARD
                        .decode(basic.trim())
                        .ok()
                        .and_then(|b| String::from_utf8(b).ok());
                    if let Some((_, secret)) = decoded.as_deref().and_then(|d| d.split_once(':')) {
                        self.add("basic secret", secret);
                    }
                }
            }
            "cookie" | "set-cookie" => {
                let cookies = if lower == "set-cookie" {
                    value.split(';').take(1).collect::<Vec<_>>()
                } else {
                    value.split(';').collect()
                };
                for c in cookies {
                    if let Some((_, v)) = c.split_once('=') {
                        self.add("session cookie", v);
                    }
                }
            }
            _ => {}
        }
    }

    /// Secrets inside URLs (query and fragment) and SOAP bodies.
    fn in_text(&mut self, text: &str) {
        static URL: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        static XML: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
        let url = URL.get_or_init(|| {
            Regex::new(r"[?&#](code|access_token|refresh_token|id_token|token|sid)=([^&#\s]+)")
                .expect("regex")
        });
        for c in url.captures_iter(text) {
            let value: String = form_urlencoded::parse(format!("v={}", &c[2]).as_bytes())
                .map(|(_, v)| v.into_owned())
                .next()
                .unwrap_or_default();
            self.add(&c[1], &value);
        }
        let xml = XML.get_or_init(|| {
            Regex::new(r"<(?:\w+:)?(sessionId|password|securityToken)>([^<]+)<").expect("regex")
        });
        for c in xml.captures_iter(text) {
            self.add(&c[1], &c[2]);
        }
    }
}

/// Every way a value could leak.
fn encodings(value: &str) -> Vec<(&'static str, String)> {
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    vec![
        ("whole", value.to_owned()),
        ("form-urlencoded", form.clone()),
        ("percent-encoded", form.replace('+', "%20")),
        ("base64", STANDARD_NO_PAD.encode(value)),
        ("base64url", URL_SAFE_NO_PAD.encode(value)),
    ]
}

/// Secrets shaped like Salesforce's, whatever their value in this run.
fn shapes() -> Vec<(&'static str, Regex)> {
    [
        (
            "signed JWT",
            r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
        ),
        ("access token", r"00D[A-Za-z0-9]{12}![A-Za-z0-9._-]{16,}"),
        ("refresh token", r"5Aep[A-Za-z0-9._-]{30,}"),
        ("authorization code", r"aPrx[A-Za-z0-9._-]{20,}"),
    ]
    .into_iter()
    .map(|(n, p)| (n, Regex::new(p).expect("regex")))
    .collect()
}

/// The places a leak was found in.
fn leaks(secrets: &Secrets, place: &str, text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (value, role) in &secrets.0 {
        for (how, encoded) in encodings(value) {
            if text.contains(&encoded) {
                found.push(format!("{role} ({how} {encoded:?}) in {place}"));
            }
        }
    }
    for (what, re) in shapes() {
        if let Some(m) = re.find(text) {
            found.push(format!("a {what} ({:?}) in {place}", m.as_str()));
        }
    }
    // Base64 that carries a secret inside a longer text (`user:secret`, a
    // JSON document): every base64-looking run is decoded and searched.
    static RUN: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let run = RUN.get_or_init(|| Regex::new(r"[A-Za-z0-9+/_-]{12,}={0,2}").expect("regex"));
    for m in run.find_iter(text) {
        let blob = m.as_str().trim_end_matches('=');
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            for skip in 0..4 {
                let Some(part) = blob.get(skip..) else {
                    continue;
                };
                let part = &part[..part.len() - part.len() % 4];
                let Ok(bytes) = engine.decode(part) else {
                    continue;
                };
                let decoded = String::from_utf8_lossy(&bytes);
                for (value, role) in &secrets.0 {
                    if decoded.contains(value.as_str()) {
                        found.push(format!("{role} inside base64 {blob:?} in {place}"));
                    }
                }
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The mock's default credentials, from `sfscenario mock`'s banner.
fn mock_credentials(secrets: &mut Secrets) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sfscenario"))
        .args(["mock", "--port", "0"])
        .current_dir(root())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start sfscenario mock");
    let stdout = child.stdout.take().expect("stdout");
    let mut seen = 0;
    for line in std::io::BufReader::new(stdout).lines() {
        let Ok(line) = line else { break };
        let line = line.trim().to_owned();
        for (label, role) in [
            ("client_secret", "client_secret"),
            ("password", "password"),
            ("security token", "security_token"),
        ] {
            if let Some(value) = line.strip_prefix(label) {
                secrets.add(role, value);
                seen += 1;
            }
        }
        if line.starts_with("Try:") || seen == 3 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        seen, 3,
        "the mock's banner names its client secret, password and security token"
    );
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("a report directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_secret_of_any_bundled_scenario_leaks_in_any_format() {
    // 1. Every secret of every bundled scenario, revealed.
    let (revealed, _) = run_limited(
        [
            "run",
            "scenarios",
            "--seed",
            SEED,
            "--show-secrets",
            "--format",
            "json",
        ],
        LIMIT,
    );
    revealed.no_panic();
    let code = revealed.code.expect("an exit status");
    assert!(code == 0 || code == 1, "{revealed}");
    let logs: Value = serde_json::from_str(&revealed.stdout).expect("the JSON log");
    let logs = logs.as_array().expect("one log per scenario").clone();
    assert_eq!(logs.len(), bundled().len(), "every bundled scenario ran");

    let mut secrets = Secrets::default();
    let mut declared_values = Vec::new();
    let declared = Regex::new(r"(?m)^secrets:\s*\[([^\]]*)\]").expect("regex");
    for log in &logs {
        secrets.collect(log, None);
        // Variables named in the scenario's `secrets:`.
        let file = log["file"].as_str().expect("file");
        let text = std::fs::read_to_string(root().join(file)).expect("the scenario");
        for c in declared.captures_iter(&text) {
            for name in c[1].split(',').map(str::trim) {
                if let Some(v) = log["vars"][name].as_str() {
                    secrets.add(name, v);
                    declared_values.push(v.to_owned());
                }
            }
        }
    }
    mock_credentials(&mut secrets);
    let key = std::fs::read_to_string(root().join("src/mock/keys/app_key.pem")).expect("key");
    secrets.add_pem("private key", &key);
    let roles: std::collections::BTreeSet<&str> = secrets.0.values().map(String::as_str).collect();
    eprintln!("{} secret values, roles: {roles:?}", secrets.0.len());
    for role in [
        "access_token",
        "refresh_token",
        "code",
        "code_verifier",
        "client_secret",
        "password",
        "security_token",
        "session cookie",
        "device_code",
        "private key",
    ] {
        assert!(roles.contains(role), "no {role} was collected: {roles:?}");
    }
    assert!(
        !declared_values.is_empty(),
        "a bundled scenario declares `secrets:`"
    );
    for v in &declared_values {
        assert!(secrets.0.contains_key(v), "{v}");
    }
    // The checks find what they are for in the revealed output.
    for (what, re) in shapes() {
        assert!(
            re.is_match(&revealed.stdout),
            "no {what} in the revealed log"
        );
    }
    let shown = leaks(&secrets, "the revealed log", &revealed.stdout);
    assert!(shown.len() >= secrets.0.len() / 2, "{shown:#?}");

    // 2. The same runs, redacted: stdout, stderr and every report.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let reports = dir.path();
    let report_args: Vec<String> = [
        ("json", "run.json"),
        ("junit", "run.xml"),
        ("markdown", "md/"),
        ("snapshot", "snap/"),
        ("pretty", "run.txt"),
    ]
    .iter()
    .flat_map(|(format, path)| {
        [
            "--report".to_owned(),
            format!("{format}={}", reports.join(path).display()),
        ]
    })
    .collect();
    let runs: [&[&str]; 5] = [
        &["--format", "pretty", "-v"],
        &["--format", "markdown"],
        &["--format", "json"],
        &["--format", "junit"],
        &["--format", "snapshot"],
    ];
    let mut found = Vec::new();
    for (i, extra) in runs.iter().enumerate() {
        let mut args: Vec<String> = ["run", "scenarios", "--seed", SEED]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        if i == 0 {
            args.extend(report_args.iter().cloned());
        }
        let (out, took) = run_limited(&args, LIMIT);
        eprintln!("{}: {took:?}", out.command);
        out.code(code).no_panic();
        assert!(!out.stdout.is_empty(), "{}: empty stdout", out.command);
        found.extend(leaks(
            &secrets,
            &format!("stdout of `{}`", out.command),
            &out.stdout,
        ));
        found.extend(leaks(
            &secrets,
            &format!("stderr of `{}`", out.command),
            &out.stderr,
        ));
    }
    let written = files_under(reports);
    assert!(written.len() >= 3 + 2 * bundled().len(), "{written:?}");
    for file in written {
        let text = std::fs::read_to_string(&file).expect("a report");
        assert!(!text.is_empty(), "{} is empty", file.display());
        found.extend(leaks(&secrets, &file.display().to_string(), &text));
    }
    assert!(
        found.is_empty(),
        "{} leaks:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Answers every request with a 400 whose error message repeats the request:
/// its line, headers and body, raw, URL-decoded and in base64.
fn echo(mut stream: std::net::TcpStream, _: u16) {
    use std::io::{Read as _, Write as _};
    let head = crate::hostile_servers::read_head(&mut stream);
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    let _ = stream.read_exact(&mut body);
    let body = String::from_utf8_lossy(&body).into_owned();
    let decoded: String = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| format!("{k}: {v}; "))
        .collect();
    let everything = format!("{head}{body}");
    let reply = serde_json::json!({
        "error": "invalid_request",
        "error_description": format!("cannot accept {everything} (fields {decoded})"),
        "message": format!("echo {}", base64::engine::general_purpose::STANDARD.encode(&everything)),
    })
    .to_string();
    let _ = stream.write_all(
        format!(
            "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-echo: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{reply}",
            URL_SAFE_NO_PAD.encode(decoded.as_bytes()),
            reply.len()
        )
        .as_bytes(),
    );
}

#[test]
fn secrets_in_server_error_messages_are_redacted() {
    let server = crate::hostile_servers::Server::start(echo);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("echo.yaml");
    let api_key = "K3y-With/Special+Chars=&?é";
    std::fs::write(
        &file,
        format!(
            "name: A server that repeats secrets in its errors\n\
             secrets: [api_key]\n\
             vars:\n  api_key: \"{api_key}\"\n\
             steps:\n\
             \x20 - id: token\n    token:\n      url: \"{url}services/oauth2/token\"\n      form:\n\
             \x20       grant_type: password\n\
             \x20       client_id: \"{{{{ org.client_id }}}}\"\n\
             \x20       client_secret: \"{{{{ org.client_secret }}}}\"\n\
             \x20       username: \"{{{{ org.username }}}}\"\n\
             \x20       password: \"{{{{ org.password }}}}{{{{ org.security_token }}}}\"\n\
             \x20   expect: {{status: 400}}\n\
             \x20 - id: call\n    request:\n      url: \"{url}echo?key={{{{ api_key | urlencode }}}}\"\n\
             \x20     bearer: \"{{{{ api_key }}}}\"\n\
             \x20     headers: {{x-api-key: \"{{{{ api_key }}}}\"}}\n",
            url = server.url()
        ),
    )
    .expect("write");
    let file = file.to_string_lossy().into_owned();
    let mut secrets = Secrets::default();
    mock_credentials(&mut secrets);
    secrets.add("api_key", api_key);
    let combined: Vec<String> = {
        let password = secrets
            .0
            .iter()
            .find(|(_, r)| *r == "password")
            .map(|(v, _)| v.clone());
        let token = secrets
            .0
            .iter()
            .find(|(_, r)| *r == "security_token")
            .map(|(v, _)| v.clone());
        password.into_iter().chain(token).collect()
    };
    secrets.add("password and token", &combined.concat());

    // Revealed, the server's messages do carry the secrets.
    let (out, _) = run_limited(["run", &file, "--show-secrets", "--format", "json"], LIMIT);
    out.code(1);
    let shown = leaks(&secrets, "the revealed log", &out.stdout);
    for role in ["client_secret", "api_key", "password and token"] {
        assert!(
            shown.iter().any(|l| l.starts_with(role)),
            "{role}: {shown:#?}"
        );
    }

    let dir_reports = dir.path().join("reports");
    let mut found = Vec::new();
    for format in ["pretty", "markdown", "json", "junit", "snapshot"] {
        let report = dir_reports.join(format!("echo.{format}"));
        let (out, _) = run_limited(
            [
                "run",
                &file,
                "-v",
                "--format",
                format,
                "--report",
                &format!("{format}={}", report.display()),
            ],
            LIMIT,
        );
        out.code(1).no_panic();
        // The server did repeat the secrets: the step's error is its message.
        assert!(out.stdout.contains("cannot accept"), "{out}");
        found.extend(leaks(
            &secrets,
            &format!("stdout of `{}`", out.command),
            &out.stdout,
        ));
        found.extend(leaks(
            &secrets,
            &format!("stderr of `{}`", out.command),
            &out.stderr,
        ));
        let text = std::fs::read_to_string(&report).expect("the report");
        found.extend(leaks(&secrets, &report.display().to_string(), &text));
    }
    assert!(server.hits.load(std::sync::atomic::Ordering::SeqCst) >= 10);
    assert!(
        found.is_empty(),
        "{} leaks:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[cfg(unix)]
#[test]
fn reports_with_secrets_are_private_and_every_report_is_written_atomically() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let d = dir.path();
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;

    // --show-secrets: every report is the owner's alone, also one that was
    // world-readable before.
    std::fs::write(d.join("p.json"), "{}").expect("write");
    std::fs::set_permissions(d.join("p.json"), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let (out, _) = run_limited(
        [
            "run",
            "scenarios/pkce.yaml",
            "--show-secrets",
            "--report",
            &format!("json={}", d.join("p.json").display()),
            "--report",
            &format!("junit={}", d.join("p.xml").display()),
            "--report",
            &format!("markdown={}/", d.join("md").display()),
        ],
        LIMIT,
    );
    out.code(0).no_panic();
    let private = files_under(d);
    assert_eq!(private.len(), 3, "{private:?}");
    for file in &private {
        assert_eq!(mode(file), 0o600, "{} is not 0600", file.display());
    }

    // Without it the reports are ordinary files (the umask decides).
    let public = d.join("public.json");
    let (out, _) = run_limited(
        [
            "run",
            "scenarios/pkce.yaml",
            "--report",
            &format!("json={}", public.display()),
        ],
        LIMIT,
    );
    out.code(0);
    assert_ne!(mode(&public) & 0o600, 0, "the owner can read it");

    // A reader that looks while reports are written sees each one absent or
    // whole (the old one, then the new one), and never a temporary file left.
    let before = d.join("all.json");
    std::fs::write(&before, "{\"old\": true}").expect("write");
    let fresh = d.join("fresh.json");
    let args: Vec<String> = vec![
        "run".into(),
        "scenarios".into(),
        "--format".into(),
        "junit".into(),
        "--report".into(),
        format!("json={}", before.display()),
        "--report".into(),
        format!("json={}", fresh.display()),
    ];
    let done = std::sync::atomic::AtomicBool::new(false);
    let (reads, problems) = std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut reads = 0;
            let mut problems = Vec::new();
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                for path in [&before, &fresh] {
                    match std::fs::read_to_string(path) {
                        Ok(text) => {
                            reads += 1;
                            if serde_json::from_str::<Value>(&text).is_err() {
                                problems.push(format!(
                                    "{} was read incomplete ({} bytes)",
                                    path.display(),
                                    text.len()
                                ));
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => problems.push(format!("{}: {e}", path.display())),
                    }
                }
            }
            (reads, problems)
        });
        let (out, _) = run_limited(&args, LIMIT);
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        out.no_panic();
        reader.join().expect("the reader")
    });
    eprintln!("{reads} reads of reports being written");
    assert!(problems.is_empty(), "{problems:#?}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&before).expect("read"))
        .expect("the new report");
    assert!(report.is_array(), "the old report was replaced");
    let leftovers: Vec<String> = std::fs::read_dir(d)
        .expect("list")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.starts_with('.') || n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
