//! What a careful attacker would try: secrets in places the redactor did not
//! know, untrusted text from servers, values too large to hold, and reports
//! or snapshots that overwrite each other.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::hostile_servers::{Server, read_head};

/// Runs the binary in `dir` with extra environment variables.
fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sfscenario"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SF_LOGIN_URL")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run sfscenario");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create a directory");
    }
    std::fs::write(path, text).expect("write a file");
}

/// Every output of one run: stdout in each format, stderr.
fn every_format(dir: &Path, file: &str, env: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all = Vec::new();
    for format in ["pretty", "markdown", "json", "junit", "snapshot"] {
        let (_, out, err) = run_in(
            dir,
            &["run", file, "--seed", "3", "-v", "--format", format],
            env,
        );
        all.push((format!("stdout {format}"), out));
        all.push((format!("stderr {format}"), err));
    }
    all
}

// ---- 3. tokens that arrive in a `request` step's response ----

#[test]
fn tokens_in_a_request_steps_response_are_secrets() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "request-tokens.yaml",
        r#"name: Tokens through request steps
mock:
  org_settings: { allow_soap_login: true }
  connected_app:
    client_credentials_user: mock.user@example.com
steps:
  - id: token
    request:
      method: POST
      url: "{{ org.login_url }}/services/oauth2/token"
      headers:
        authorization: "Basic {{ (org.client_id ~ ':' ~ org.client_secret) | b64encode }}"
      form: { grant_type: client_credentials }
  - id: soap
    request:
      method: POST
      url: "{{ org.login_url }}/services/Soap/u/62.0"
      headers: { content-type: text/xml, soapaction: login }
      body: |
        <se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/">
          <se:Body><login xmlns="urn:partner.soap.sforce.com">
            <username>{{ org.username }}</username>
            <password>{{ org.password }}{{ org.security_token }}</password>
          </login></se:Body>
        </se:Envelope>
"#,
    );
    let (code, json, err) = run_in(
        dir.path(),
        &[
            "run",
            "request-tokens.yaml",
            "--seed",
            "3",
            "--format",
            "json",
            "--show-secrets",
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{json}\n{err}");
    let log: Value = serde_json::from_str(&json).expect("a JSON log");
    let access = log["steps"][0]["result"]["json"]["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned();
    let body = log["steps"][1]["result"]["body"].as_str().expect("a body");
    let session = body
        .split("sessionId>")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a sessionId")
        .to_owned();
    assert!(access.len() >= 20 && session.len() >= 20);
    for (what, text) in every_format(dir.path(), "request-tokens.yaml", &[]) {
        for secret in [&access, &session] {
            assert!(
                !text.contains(secret.as_str()),
                "{secret} shows in {what}:\n{text}"
            );
        }
    }
}

#[test]
fn a_session_cookie_set_by_any_server_is_a_secret() {
    const COOKIE: &str = "SESSIONvalue0123456789abcdef";
    fn answer(mut stream: TcpStream, _port: u16) {
        read_head(&mut stream);
        let body = "{}";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: sid={COOKIE}; Path=/; HttpOnly\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
    }
    let server = Server::start(answer);
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "cookie.yaml",
        &format!(
            "name: Cookie\nsteps:\n  - request:\n      url: \"{}x\"\n",
            server.url()
        ),
    );
    for (what, text) in every_format(dir.path(), "cookie.yaml", &[]) {
        assert!(
            !text.contains(COOKIE),
            "the cookie shows in {what}:\n{text}"
        );
    }
}

// ---- 4. environment values named in `secrets:` ----

#[test]
fn an_environment_value_named_in_secrets_is_redacted() {
    const VALUE: &str = "env-secret-value-4242";
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "env.yaml",
        "name: Env secret\nsecrets: [MY_TOKEN]\nsteps:\n  - set:\n      header: \"Bearer {{ env.MY_TOKEN }}\"\n",
    );
    let env = [("MY_TOKEN", VALUE)];
    let (code, _, _) = run_in(dir.path(), &["run", "env.yaml"], &env);
    assert_eq!(code, Some(0));
    for (what, text) in every_format(dir.path(), "env.yaml", &env) {
        assert!(!text.contains(VALUE), "the value shows in {what}:\n{text}");
        if what == "stdout json" {
            assert!(text.contains("Bearer ********"), "{text}");
        }
    }
}

#[test]
fn a_secret_name_that_nothing_defines_is_an_input_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "typo.yaml",
        "name: Typo\nsecrets: [api_key, MY_TOKN]\nvars:\n  api_key: abcdefghij\nsteps:\n  - set:\n      x: \"{{ env.MY_TOKEN }}\"\n",
    );
    for command in ["run", "validate"] {
        let (code, out, err) = run_in(dir.path(), &[command, "typo.yaml"], &[("MY_TOKEN", "x")]);
        assert_eq!(code, Some(2), "{command}\n{out}\n{err}");
        assert!(
            err.contains("`secrets` names `MY_TOKN`") && err.contains("typo.yaml:2:"),
            "{command}: {err}"
        );
        assert!(!err.contains("`api_key`,"), "{err}");
    }
    // A name supplied with --var counts as defined.
    write(
        dir.path(),
        "var.yaml",
        "name: Var\nsecrets: [given]\nsteps:\n  - set:\n      x: 1\n",
    );
    let (code, _, err) = run_in(dir.path(), &["validate", "var.yaml"], &[]);
    assert_eq!(code, Some(2), "`given` is not defined without --var: {err}");
    let (code, _, err) = run_in(
        dir.path(),
        &["validate", "var.yaml", "--var", "given=1"],
        &[],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run_in(dir.path(), &["run", "var.yaml", "--var", "given=1"], &[]);
    assert_eq!(code, Some(0), "{err}");
}

// ---- 2. Ctrl-C during the first step ----

#[cfg(unix)]
#[test]
fn ctrl_c_during_the_first_step_writes_no_secret() {
    const SECRET: &str = "first-step-secret-31337";
    let dir = tempfile::tempdir().expect("temp dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    write(
        dir.path(),
        "wait.yaml",
        &format!(
            "name: Wait\nsecrets: [s]\nvars:\n  s: {SECRET}\nsteps:\n  - callback:\n      listen: http://localhost:{port}/cb\n"
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_sfscenario"))
        .args([
            "run",
            "wait.yaml",
            "--browser",
            "print",
            "--format",
            "json",
            "--report",
            "markdown=out/wait.md",
        ])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sfscenario");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    loop {
        let line = lines.next().expect("the run waits").expect("a line");
        seen.push_str(&line);
        if line.contains("Waiting for the redirect") {
            break;
        }
        assert!(Instant::now() < deadline, "{seen}");
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(killed.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let out = child.wait_with_output().expect("the run ends");
    assert_eq!(out.status.code(), Some(130), "{seen}\n{rest:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = std::fs::read_to_string(dir.path().join("out/wait.md")).expect("the report");
    for (what, text) in [("stdout", stdout.as_ref()), ("the report", &report)] {
        assert!(text.contains("interrupted"), "{what}: {text}");
        assert!(
            !text.contains(SECRET),
            "the secret shows in {what}:\n{text}"
        );
    }
}

// ---- 7. untrusted text from servers ----

const HOSTILE_BODY: &str = r#"{"error":"invalid_grant\u001b]0;pwned\u0007\u001b[2J","error_description":"<img src=x onerror=alert(1)> [click](javascript:alert(1)) </details>\n```\n<script>alert(2)</script>\n```"}"#;

fn hostile_answer(mut stream: TcpStream, _port: u16) {
    read_head(&mut stream);
    let _ = write!(
        stream,
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nX-Note: <b>bold</b>\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{HOSTILE_BODY}",
        HOSTILE_BODY.len()
    );
}

fn hostile_outputs() -> Vec<(String, String)> {
    let server = Server::start(hostile_answer);
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "hostile.yaml",
        &format!(
            "name: Hostile text\nsteps:\n  - name: \"Ask <i>{{{{ 'x' }}}}</i>\"\n    token:\n      url: \"{}token\"\n      form: {{ grant_type: password }}\n",
            server.url()
        ),
    );
    every_format(dir.path(), "hostile.yaml", &[])
}

#[test]
fn terminal_output_shows_control_characters_instead_of_obeying_them() {
    for (what, text) in hostile_outputs() {
        if what.ends_with("pretty") {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "raw control characters in {what}:\n{text:?}"
            );
            if what.starts_with("stdout") {
                assert!(text.contains("\\x1b]0;pwned"), "{what}:\n{text}");
            }
        }
    }
}

#[test]
fn markdown_output_holds_no_raw_html_and_no_link_from_a_server() {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let outputs = hostile_outputs();
    let (_, md) = outputs
        .iter()
        .find(|(w, _)| w == "stdout markdown")
        .expect("markdown output");
    assert!(md.contains("onerror"), "the text itself is shown:\n{md}");
    for event in Parser::new_ext(md, Options::all()) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("raw HTML {html:?} in the walkthrough:\n{md}")
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                assert!(
                    !dest_url.to_ascii_lowercase().contains("javascript"),
                    "a link to {dest_url} in the walkthrough:\n{md}"
                );
            }
            _ => {}
        }
    }
}

// ---- 8. a value too large to hold ----

#[test]
fn a_lone_expression_is_capped_like_rendered_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "var.yaml",
        "name: Big var\nvars:\n  big: \"{{ 'x' * 20000000 }}\"\nsteps:\n  - set: { a: 1 }\n",
    );
    let (code, _, err) = run_in(dir.path(), &["run", "var.yaml"], &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("larger than the limit of 16 MiB") && err.contains("var.yaml:3:"),
        "{err}"
    );
    write(
        dir.path(),
        "step.yaml",
        "name: Big value\nsteps:\n  - id: big\n    set:\n      big: \"{{ 'x' * 20000000 }}\"\n",
    );
    let (code, out, err) = run_in(dir.path(), &["run", "step.yaml"], &[]);
    assert_eq!(code, Some(1), "{out}\n{err}");
    assert!(
        out.contains("✗ 1. Variables Set") && out.contains("larger than the limit of 16 MiB"),
        "{out}"
    );
}

// ---- 9. reports and snapshots named by their path ----

#[test]
fn files_of_the_same_name_in_two_folders_keep_apart() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (folder, n) in [("a", 1), ("b", 2)] {
        write(
            dir.path(),
            &format!("{folder}/dup.yaml"),
            &format!("name: Dup {n}\nsteps:\n  - set: {{ n: {n} }}\n"),
        );
    }
    let files = ["a/dup.yaml", "b/dup.yaml"];
    let mut args = vec!["run"];
    args.extend(files);
    args.extend([
        "--report",
        "markdown=md/",
        "--snapshots",
        "snaps",
        "--update-snapshots",
    ]);
    let (code, _, err) = run_in(dir.path(), &args, &[]);
    assert_eq!(code, Some(0), "{err}");
    for (folder, n) in [("a", 1), ("b", 2)] {
        let md = std::fs::read_to_string(dir.path().join(format!("md/{folder}/dup.md")))
            .expect("a report per file");
        assert!(md.contains(&format!("# Dup {n}")), "{md}");
        let snap = std::fs::read_to_string(dir.path().join(format!("snaps/{folder}/dup.snap")))
            .expect("a snapshot per file");
        assert!(snap.contains(&format!("Dup {n}")), "{snap}");
    }
    // The snapshots just written match.
    let mut args = vec!["run"];
    args.extend(files);
    args.extend(["--snapshots", "snaps"]);
    let (code, _, err) = run_in(dir.path(), &args, &[]);
    assert_eq!(code, Some(0), "{err}");
    // A directory argument keeps its subfolders.
    let (code, _, err) = run_in(dir.path(), &["run", ".", "--report", "json=all/"], &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(dir.path().join("all/a/dup.json").is_file());
    assert!(dir.path().join("all/b/dup.json").is_file());
}

// ---- 5. notices go through the redactor ----

#[test]
fn a_plain_pkce_challenge_is_not_printed_with_the_authorize_url() {
    let dir = tempfile::tempdir().expect("temp dir");
    write(
        dir.path(),
        "plain.yaml",
        r#"name: Plain PKCE
steps:
  - id: pkce
    pkce: { method: plain }
  - authorize:
      params:
        client_id: "{{ org.client_id }}"
        redirect_uri: http://localhost:8766/callback
        response_type: code
        code_challenge: "{{ pkce.code_challenge }}"
        code_challenge_method: plain
"#,
    );
    let (code, json, _) = run_in(
        dir.path(),
        &[
            "run",
            "plain.yaml",
            "--seed",
            "9",
            "--show-secrets",
            "--browser",
            "print",
            "--format",
            "json",
        ],
        &[],
    );
    assert_eq!(code, Some(0));
    let log: Value = serde_json::from_str(&json).expect("JSON");
    let verifier = log["steps"][0]["result"]["code_verifier"]
        .as_str()
        .expect("a verifier")
        .to_owned();
    let (code, _, err) = run_in(
        dir.path(),
        &["run", "plain.yaml", "--seed", "9", "--browser", "print"],
        &[],
    );
    assert_eq!(code, Some(0));
    assert!(err.contains("code_challenge_method=plain"), "{err}");
    assert!(
        !err.contains(&verifier),
        "the verifier shows on stderr:\n{err}"
    );
}
