//! No secret reaches any output, report or snapshot without `--show-secrets`.
//!
//! A run with `--show-secrets` tells the secret values; the mock's values are
//! fixed by `--seed`, so a second run with the same seed but without
//! `--show-secrets` uses the very same values, and none of them may appear in
//! any format, in stderr or in a report: not whole, not URL-encoded, not in
//! base64.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use regex::Regex;
use serde_json::Value;

use crate::harness::Sfscenario;

const SEED: &str = "7";

/// A secret value and what it is.
#[derive(Debug)]
struct Secret {
    role: &'static str,
    value: String,
}

/// The step of `log` with this id.
fn step<'a>(log: &'a Value, id: &str) -> &'a Value {
    log["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step `{id}`"))
}

fn text(v: &Value, what: &str) -> String {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {v}"))
        .to_owned()
}

/// The secrets of the authorize step `login` and the callback: the password
/// posted with the login form, the session cookie, the authorization code.
fn browser_secrets(log: &Value) -> Vec<Secret> {
    let exchanges = step(log, "login")["exchanges"]
        .as_array()
        .expect("exchanges");
    let password = exchanges
        .iter()
        .filter_map(|e| e["request"]["body"]["form"].as_array())
        .flatten()
        .find(|pair| pair[0] == "pw")
        .map(|pair| text(&pair[1], "password"))
        .expect("the login form posts a password");
    let sid = Regex::new(r"^sid=([^;]+)").expect("regex");
    let session = exchanges
        .iter()
        .filter_map(|e| e["response"]["headers"].as_array())
        .flatten()
        .filter(|h| h[0] == "set-cookie")
        .find_map(|h| sid.captures(h[1].as_str()?).map(|c| c[1].to_owned()))
        .expect("the login sets a session cookie");
    vec![
        Secret {
            role: "password",
            value: password,
        },
        Secret {
            role: "sid",
            value: session,
        },
        Secret {
            role: "code",
            value: text(&step(log, "callback")["result"]["code"], "code"),
        },
    ]
}

/// Runs `file` with `--show-secrets --format json` and returns its log.
fn revealed(file: &str, code: i32) -> Value {
    let out = Sfscenario::new()
        .args([
            "run",
            file,
            "--seed",
            SEED,
            "--show-secrets",
            "--format",
            "json",
        ])
        .run();
    out.code(code).no_panic();
    serde_json::from_str(&out.stdout).expect("stdout is JSON")
}

/// Every way a value could leak: whole, URL-encoded (form style and `%20`
/// style) and base64 (standard and URL-safe; without padding, which also
/// finds the padded forms).
fn encodings(value: &str) -> Vec<(&'static str, String)> {
    let form: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
    let percent: String = value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    vec![
        ("whole", value.to_owned()),
        ("form-urlencoded", form),
        ("percent-encoded", percent),
        ("base64", STANDARD_NO_PAD.encode(value)),
        ("base64url", URL_SAFE_NO_PAD.encode(value)),
    ]
}

#[test]
fn encodings_cover_the_usual_forms() {
    let e = encodings("a b+c=/");
    let get = |name| &e.iter().find(|(n, _)| *n == name).expect("an encoding").1;
    assert_eq!(get("form-urlencoded"), "a+b%2Bc%3D%2F");
    assert_eq!(get("percent-encoded"), "a%20b%2Bc%3D%2F");
    assert_eq!(get("base64"), "YSBiK2M9Lw");
}

/// Fails if any secret shows in `text`, in any encoding.
#[track_caller]
fn assert_hidden(secrets: &[Secret], place: &str, text: &str) {
    for secret in secrets {
        for (how, encoded) in encodings(&secret.value) {
            assert!(
                !text.contains(&encoded),
                "{} ({how}: {encoded}) leaks in {place}",
                secret.role
            );
        }
    }
}

/// Runs `file` without `--show-secrets` in every format, with a json and a
/// markdown report, and checks that no secret shows anywhere. Returns the
/// json and snapshot outputs.
fn check_every_output(file: &str, code: i32, secrets: &[Secret]) -> (Value, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let json_report = dir.path().join("report.json");
    let md_report = dir.path().join("report.md");
    let runs: [&[&str]; 5] = [
        &["--format", "pretty", "-v"],
        &["--format", "markdown"],
        &["--format", "json"],
        &["--format", "junit"],
        &["--format", "snapshot"],
    ];
    let mut json = None;
    let mut snapshot = None;
    for (i, extra) in runs.iter().enumerate() {
        let mut cmd = Sfscenario::new()
            .args(["run", file, "--seed", SEED])
            .args(*extra);
        if i == 0 {
            cmd = cmd
                .arg("--report")
                .arg(format!("json={}", json_report.display()))
                .arg("--report")
                .arg(format!("markdown={}", md_report.display()));
        }
        let out = cmd.run();
        out.code(code).no_panic();
        assert!(!out.stdout.is_empty(), "{}: empty stdout", out.command);
        assert_hidden(
            secrets,
            &format!("stdout of `{}`", out.command),
            &out.stdout,
        );
        assert_hidden(
            secrets,
            &format!("stderr of `{}`", out.command),
            &out.stderr,
        );
        match extra[1] {
            "json" => json = Some(serde_json::from_str(&out.stdout).expect("stdout is JSON")),
            "snapshot" => snapshot = Some(out.stdout.clone()),
            _ => {}
        }
    }
    for report in [&json_report, &md_report] {
        let text = std::fs::read_to_string(report)
            .unwrap_or_else(|e| panic!("cannot read the report {}: {e}", report.display()));
        assert!(!text.is_empty(), "{} is empty", report.display());
        assert_hidden(secrets, &report.display().to_string(), &text);
    }
    (json.expect("a json run"), snapshot.expect("a snapshot run"))
}

#[track_caller]
fn assert_revealed(secrets: &[Secret]) {
    for s in secrets {
        assert!(
            !s.value.is_empty() && !s.value.contains('…') && !s.value.contains("****"),
            "--show-secrets should reveal {}, got {:?}",
            s.role,
            s.value
        );
    }
}

#[test]
fn pkce_secrets_never_leak() {
    let log = revealed("scenarios/pkce.yaml", 0);
    let token = &step(&log, "token")["result"];
    let mut secrets = vec![
        Secret {
            role: "client_secret",
            value: text(
                &step(&log, "token")["inputs"]["form"]["client_secret"],
                "client_secret",
            ),
        },
        Secret {
            role: "code_verifier",
            value: text(
                &step(&log, "pkce")["result"]["code_verifier"],
                "code_verifier",
            ),
        },
        Secret {
            role: "access_token",
            value: text(&token["access_token"], "access_token"),
        },
        Secret {
            role: "refresh_token",
            value: text(&token["refresh_token"], "refresh_token"),
        },
    ];
    secrets.extend(browser_secrets(&log));
    assert_eq!(secrets.len(), 7);
    // An `id_token` comes with the `openid` scope once the mock signs one.
    if let Some(id_token) = token["id_token"].as_str() {
        secrets.push(Secret {
            role: "id_token",
            value: id_token.to_owned(),
        });
    }
    assert_revealed(&secrets);

    let (json, snapshot) = check_every_output("scenarios/pkce.yaml", 0, &secrets);

    // Same seed, same values: the redacted runs showed these very tokens.
    assert!(snapshot.contains("[access_token]"), "{snapshot}");
    assert!(snapshot.contains("[refresh_token]"), "{snapshot}");
    assert!(snapshot.contains("[code_verifier]"), "{snapshot}");
    let shown = text(
        &step(&json, "token")["result"]["access_token"],
        "access_token",
    );
    let prefix = shown
        .strip_suffix('…')
        .unwrap_or_else(|| panic!("the access token should show as a prefix and `…`: {shown}"));
    assert!(!prefix.is_empty(), "{shown}");
    let access_token = &secrets
        .iter()
        .find(|s| s.role == "access_token")
        .expect("the access token")
        .value;
    assert!(
        access_token.starts_with(prefix),
        "the redacted run shows {shown}, not a prefix of {access_token}"
    );
}

#[test]
fn declared_secret_never_leaks() {
    let file = "tests/fixtures/scenarios/wrong_secret.yaml";
    let log = revealed(file, 1);
    let wrong = text(&log["vars"]["wrong_secret"], "vars.wrong_secret");
    assert_eq!(wrong, "NOT-THE-SECRET-0123456789");
    assert_eq!(
        step(&log, "token")["inputs"]["form"]["client_secret"],
        wrong.as_str(),
        "the token request sends the wrong secret"
    );
    let mut secrets = vec![Secret {
        role: "wrong_secret",
        value: wrong,
    }];
    secrets.extend(browser_secrets(&log));
    assert_revealed(&secrets);

    let (json, snapshot) = check_every_output(file, 1, &secrets);
    assert!(
        snapshot.contains("wrong_secret: \"[wrong_secret]\""),
        "{snapshot}"
    );
    assert!(
        snapshot.contains("client_secret: \"[wrong_secret]\""),
        "{snapshot}"
    );
    assert_eq!(json["vars"]["wrong_secret"], "********");
}
