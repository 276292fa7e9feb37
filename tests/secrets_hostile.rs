//! Hostile secrets through every output: a property test over the binary.
//!
//! A secret is a random alphanumeric core (its fingerprint) wrapped in the
//! characters each output format escapes or that break its structure:
//! `| & ; # < > " ' \` backtick, newlines, tabs, spaces and non-ASCII. It is
//! declared in `secrets:` and placed in a `set` variable, an HTTP header, a
//! query string, a form, a JSON body that the mock stores and sends back, a
//! URL-encoded header (a header cannot hold line breaks), a
//! Basic credential (base64), the authorize URL (printed on stderr by
//! `--browser print`) and a `jwt` step's key. Every output — stdout in each
//! `--format`, a report of each format, a written snapshot, stderr — must
//! show neither the core nor any base64 encoding of it. The text around it
//! must survive: the scenario's name and a literal next to the secret.

use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};

const FORMATS: [&str; 5] = ["pretty", "markdown", "json", "junit", "snapshot"];

const SCENARIO: &str = r#"name: Hostile secret survives every format
secrets: [s]
vars:
  s: replaced by --var
mock:
  connected_app:
    client_credentials_user: mock.user@example.com
steps:
  - id: token
    token:
      headers:
        authorization: "Basic {{ (org.client_id ~ ':' ~ org.client_secret) | b64encode }}"
      form:
        grant_type: client_credentials
  - id: created
    request:
      method: POST
      url: "{{ token.instance_url }}/services/data/v62.0/sobjects/Account"
      bearer: "{{ token.access_token }}"
      query: { note: "{{ s }}" }
      headers: { x-note: "before {{ s | urlencode }} after" }
      json: { Name: "{{ s }}" }
    expect: { status: 201 }
  - id: read
    request:
      url: "{{ token.instance_url }}/services/data/v62.0/sobjects/Account/{{ created.json.id }}"
      bearer: "{{ token.access_token }}"
    expect:
      json: { Name: "{{ s }}" }
  - id: refused
    token:
      headers:
        authorization: "Basic {{ (org.client_id ~ ':' ~ s) | b64encode }}"
      form:
        grant_type: client_credentials
        password: "{{ s }}"
    expect: { status: [400, 401] }
  - id: kept
    set:
      around: "KEEP-LEFT {{ s }} KEEP-RIGHT"
  - id: login
    authorize:
      params:
        client_id: "{{ org.client_id }}"
        redirect_uri: http://localhost:8765/callback
        response_type: code
        login_hint: "{{ s }}"
  - id: signed
    jwt:
      claims: { iss: "{{ org.client_id }}", sub: "{{ s }}" }
      key: "{{ s }}"
"#;

/// Characters that formats escape or that change a document's structure.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "|", "&", ";", "#", "<", ">", "\"", "'", "\\", "`", "\n", "\r", "\t", " ", "é", "日",
            "🔑", "%", "+", "=", "/", "{", "}", "*", "_", "[", "]", "!",
        ]),
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

fn secret() -> impl Strategy<Value = (String, String)> {
    (hostile(), "[A-Za-z0-9]{10,16}", hostile()).prop_map(|(before, core, after)| {
        // The core is marked so that it cannot appear anywhere by chance.
        let core = format!("Zq{core}");
        (format!("{before}{core}{after}"), core)
    })
}

/// Every base64 run of `text`, decoded at each offset in both alphabets.
fn decoded_runs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for run in text.split(|c: char| !(c.is_ascii_alphanumeric() || "+/-_".contains(c))) {
        if run.len() < 12 {
            continue;
        }
        for skip in 0..4 {
            let Some(part) = run.get(skip..) else {
                continue;
            };
            let part = &part[..part.len() - part.len() % 4];
            for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
                if let Ok(bytes) = engine.decode(part) {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str], secret: &str) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_sfscenario"))
        .args(args)
        .arg(format!("--var=s={secret}"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("SF_LOGIN_URL")
        .stdin(Stdio::null())
        .output()
        .expect("run sfscenario");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs the scenario with `secret` in every format; returns each output by name.
fn outputs(secret: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hostile.yaml"), SCENARIO).expect("write scenario");
    let mut outputs = Vec::new();
    for format in FORMATS {
        let mut args = vec![
            "run",
            "hostile.yaml",
            "--seed",
            "5",
            "--browser",
            "print",
            "--format",
            format,
        ];
        let reports: Vec<String> = FORMATS
            .iter()
            .map(|f| format!("{f}=reports-{format}/report.{f}"))
            .collect();
        for r in &reports {
            args.push("--report");
            args.push(r);
        }
        if format == "snapshot" {
            args.extend(["--snapshots", "snaps", "--update-snapshots"]);
        }
        let (code, stdout, stderr) = run(dir.path(), &args, secret);
        assert_eq!(
            code,
            Some(1),
            "the jwt step with a bogus key fails the scenario ({format})\n{stdout}\n{stderr}"
        );
        outputs.push((format!("stdout --format {format}"), stdout));
        outputs.push((format!("stderr --format {format}"), stderr));
        for f in FORMATS {
            let path = dir.path().join(format!("reports-{format}/report.{f}"));
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            outputs.push((format!("--report {f} (with --format {format})"), text));
        }
    }
    let snap = dir.path().join("snaps/hostile.snap");
    let text = std::fs::read_to_string(&snap).unwrap_or_else(|e| panic!("{}: {e}", snap.display()));
    outputs.push(("written snapshot".into(), text));
    outputs
}

fn check(secret: &str, core: &str) -> Result<(), TestCaseError> {
    for (what, text) in outputs(secret) {
        prop_assert!(
            !text.contains(core),
            "the secret {secret:?} shows in {what}:\n{text}"
        );
        for decoded in decoded_runs(&text) {
            prop_assert!(
                !decoded.contains(core),
                "the secret {secret:?} shows base64-encoded in {what}:\n{text}"
            );
        }
        // The text around the secret survives: a redactor that blanked whole
        // values or whole documents would fail here.
        let document = ["snapshot", "json", "markdown"].iter().any(|f| {
            what.starts_with(&format!("--report {f}")) || what == format!("stdout --format {f}")
        });
        if document {
            prop_assert!(
                text.contains("KEEP-LEFT") && text.contains("KEEP-RIGHT"),
                "the text around the secret is lost in {what}:\n{text}"
            );
        }
        if !what.starts_with("stderr") {
            prop_assert!(
                text.contains("Hostile secret survives every format"),
                "the scenario's name is lost in {what}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_hostile_secret_shows_in_no_format_report_or_snapshot() {
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/secrets_hostile.proptest-regressions"
        )))),
        ..Config::default()
    });
    let result = runner.run(&secret(), |(secret, core)| check(&secret, &core));
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// The cases that leaked before the redactor worked on the step log: a
/// multi-line key, and each character a format escapes.
#[test]
fn secrets_that_formats_escape_do_not_show() {
    for secret in [
        "-----BEGIN PRIVATE KEY-----\nZqMultiLineKey01\nZqMultiLineKey02\n-----END PRIVATE KEY-----\n",
        "a|ZqPipeInTable1|b",
        "x&ZqAmpersand001&y",
        "c;ZqSemicolon001#d",
        "<ZqAngles000001>\"'",
    ] {
        let cores: Vec<&str> = secret
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| w.starts_with("Zq"))
            .collect();
        for core in cores {
            if let Err(e) = check(secret, core) {
                panic!("{e}");
            }
        }
    }
}
