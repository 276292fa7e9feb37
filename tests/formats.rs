//! Every output format of `scenarios/pkce.yaml`, snapshotted in the top-level
//! `snapshots/` directory, and each format's basic shape.
//!
//! With `--seed` every random value is fixed; what still varies between runs
//! (durations, loopback ports, `issued_at`, the signature over it, dates) is
//! normalised here. The `snapshot` format must need no normalisation at all.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use crate::harness::{Output, Sfscenario};

const PKCE: &str = "scenarios/pkce.yaml";

/// The step titles of `scenarios/pkce.yaml`, in order.
const STEPS: [&str; 5] = [
    "PKCE Generated",
    "Authorization URL Built",
    "Authorization Code Received",
    "Token Response Received",
    "Account Described",
];

/// `run scenarios/pkce.yaml --seed 42 --format FORMAT`, which must pass.
fn pkce(format: &str) -> Output {
    let out = Sfscenario::new()
        .args(["run", PKCE, "--seed", "42", "--format", format])
        .run();
    out.success().no_panic();
    out
}

/// Stores `text` as the insta snapshot `tests/snapshots/NAME.snap`.
fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// One rule of [`normalise`]: a pattern and its replacement.
struct Rule(Regex, &'static str);

static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    let rule = |re: &str, with: &'static str| Rule(Regex::new(re).expect("a valid regex"), with);
    vec![
        // Durations, in pretty (`12 ms`, `1.25 s`) and json.
        rule(r"\b\d+ ms\b|\b\d+\.\d\d s\b", "[duration]"),
        rule(r#""duration_ms": \d+"#, r#""duration_ms": "[duration]""#),
        // Loopback ports: the mock's and free_port()'s, plain and URL-encoded.
        rule(r"\b(127\.0\.0\.1|localhost):\d+", "$1:[port]"),
        rule(r"%3A\d+", "%3A[port]"),
        // `issued_at` (epoch milliseconds) and the HMAC signature over it.
        rule(r"\b\d{13}\b", "[issued_at]"),
        // The signature also shows inside a raw body, a JSON string.
        rule(r#"(\\?"signature\\?":\s*\\?")[^"\\]+"#, "$1[signature]"),
        // JUnit times.
        rule(r#"\b(time|timestamp)="[^"]*""#, r#"$1="[$1]""#),
        // The `date` header (RFC 7231).
        rule(
            r"\b[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\b",
            "[date]",
        ),
        // Bodies carry the ports above, so their lengths follow the number
        // of digits of a port, which the OS picks.
        rule(
            r#"("content-length"(,\s*|: ))"\d+""#,
            r#"$1"[content-length]""#,
        ),
    ]
});

/// Replaces what legitimately varies between two runs with the same seed.
fn normalise(text: &str) -> String {
    RULES.iter().fold(text.to_owned(), |text, Rule(re, with)| {
        re.replace_all(&text, *with).into_owned()
    })
}

#[test]
fn normalise_replaces_only_what_varies() {
    let text = concat!(
        "✓ 2. Authorization URL Built (authorize) 172 ms · 1.25 s\n",
        "\"duration_ms\": 149,\n",
        "http://127.0.0.1:41249/x?redirect_uri=http%3A%2F%2Flocalhost%3A37007%2Fcb",
        " http://localhost:37007/callback\n",
        "\"issued_at\": \"1795764019507\", \"signature\": \"nAAD+wX=\",\n",
        r#""body": "{\"signature\":\"K3Vr/U+8=\",\"scope\":\"api\"}""#,
        "\n\"content-length\": \"540\",\n",
        "<testsuite time=\"0.140\" timestamp=\"2026-11-27T07:20:19Z\">\n",
        "\"date\",\n  \"Fri, 27 Nov 2026 07:20:19 GMT\"\n",
        "\"content-length\",\n  \"2716\"\n",
        "00Dak0000000001EAA 005ak0000000001AAA v62.0 api-usage=1/15000\n",
    );
    let expected = concat!(
        "✓ 2. Authorization URL Built (authorize) [duration] · [duration]\n",
        "\"duration_ms\": \"[duration]\",\n",
        "http://127.0.0.1:[port]/x?redirect_uri=http%3A%2F%2Flocalhost%3A[port]%2Fcb",
        " http://localhost:[port]/callback\n",
        "\"issued_at\": \"[issued_at]\", \"signature\": \"[signature]\",\n",
        r#""body": "{\"signature\":\"[signature]\",\"scope\":\"api\"}""#,
        "\n\"content-length\": \"[content-length]\",\n",
        "<testsuite time=\"[time]\" timestamp=\"[timestamp]\">\n",
        "\"date\",\n  \"[date]\"\n",
        "\"content-length\",\n  \"[content-length]\"\n",
        "00Dak0000000001EAA 005ak0000000001AAA v62.0 api-usage=1/15000\n",
    );
    assert_eq!(normalise(text), expected);
}

/// Fails with a unified diff when `a` and `b` differ.
#[track_caller]
fn assert_same(a: &str, b: &str, what: &str) {
    if a != b {
        let diff = similar::TextDiff::from_lines(a, b)
            .unified_diff()
            .context_radius(2)
            .to_string();
        panic!("{what} differ:\n{diff}");
    }
}

/// Two seeded runs differ only in what [`normalise`] replaces.
#[track_caller]
fn stable(format: &str) -> String {
    let first = normalise(&pkce(format).stdout);
    let second = normalise(&pkce(format).stdout);
    assert_same(
        &first,
        &second,
        &format!("two `--seed 42 --format {format}` runs, normalised"),
    );
    first
}

#[test]
fn pretty() {
    let text = stable("pretty");
    for (i, title) in STEPS.iter().enumerate() {
        let line = format!("  ✓ {}. {title} (", i + 1);
        assert!(text.contains(&line), "no line {line:?} in\n{text}");
    }
    assert_eq!(text.matches('✓').count(), 5, "{text}");
    assert!(!text.contains('✗'), "{text}");
    assert!(
        text.lines()
            .last()
            .is_some_and(|l| l.starts_with("PASSED OAuth 2.0 Web Server Flow with PKCE")),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "NO_COLOR=1, yet colours:\n{text}");
    snapshot("pkce_pretty", &text);
}

#[test]
fn markdown() {
    let text = stable("markdown");
    assert!(
        text.starts_with("# OAuth 2.0 Web Server Flow with PKCE\n"),
        "{text}"
    );
    // `## 1.` is the flow's start; the scenario's steps follow from `## 2.`.
    let mut from = text
        .find("## 1. Flow Started\n")
        .expect("a Flow Started section");
    for (i, title) in STEPS.iter().enumerate() {
        let heading = format!("\n## {}. {title}\n", i + 2);
        let at = text[from..]
            .find(&heading)
            .unwrap_or_else(|| panic!("no {heading:?} after byte {from} in\n{text}"));
        from += at + heading.len();
    }
    let mermaid = text
        .find("```mermaid\nsequenceDiagram\n")
        .expect("a mermaid block");
    assert!(
        mermaid < text.find("## 1. ").expect("sections"),
        "the diagram comes before the steps"
    );
    let what = text
        .find("\n# What You Get\n")
        .expect("a What You Get section");
    assert!(what > from, "What You Get follows the last step");
    assert!(text.contains("| `access_token` |"), "{text}");
    assert!(text.contains("\"client_secret\": \"********\""), "{text}");
    snapshot("pkce_markdown", &text);
}

#[test]
fn json() {
    let out = pkce("json");
    let log: Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(log["file"], PKCE);
    assert_eq!(log["status"], "passed");
    let steps = log["steps"].as_array().expect("a steps array");
    assert_eq!(steps.len(), 5);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["index"], i + 1);
        assert_eq!(step["name"], STEPS[i]);
        assert_eq!(step["status"], "passed", "step {}", i + 1);
        assert_eq!(step["error"], Value::Null, "step {}", i + 1);
    }
    let kinds: Vec<&str> = steps.iter().filter_map(|s| s["kind"].as_str()).collect();
    assert_eq!(kinds, ["pkce", "authorize", "callback", "token", "request"]);
    let text = stable("json");
    snapshot("pkce_json", &text);
}

#[test]
fn junit() {
    let text = stable("junit");
    assert!(
        text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        "{text}"
    );
    assert_eq!(text.matches("<testsuites ").count(), 1, "{text}");
    assert_eq!(text.matches("<testsuite ").count(), 1, "{text}");
    assert_eq!(text.matches("<testcase ").count(), 5, "{text}");
    assert!(
        text.contains(r#"<testsuite name="OAuth 2.0 Web Server Flow with PKCE" tests="5" skipped="0" errors="0" failures="0""#),
        "{text}"
    );
    for (i, title) in STEPS.iter().enumerate() {
        let case = format!(r#"<testcase name="{}. {title}" classname="{PKCE}""#, i + 1);
        assert!(text.contains(&case), "no {case:?} in\n{text}");
    }
    assert!(
        !text.contains("<failure") && !text.contains("<skipped"),
        "{text}"
    );
    snapshot("pkce_junit", &text);
}

/// The snapshot format is stable by itself: same bytes with the same seed,
/// without a seed, and across the two.
#[test]
fn snapshot_format_needs_no_normalisation() {
    let seeded = [pkce("snapshot").stdout, pkce("snapshot").stdout];
    let unseeded: Vec<String> = (0..2)
        .map(|_| {
            let out = Sfscenario::new()
                .args(["run", PKCE, "--format", "snapshot"])
                .run();
            out.success().no_panic();
            out.stdout
        })
        .collect();
    assert_same(&seeded[0], &seeded[1], "two runs with --seed 42");
    assert_same(&unseeded[0], &unseeded[1], "two runs without a seed");
    assert_same(&seeded[0], &unseeded[0], "a seeded and an unseeded run");
    let text = &seeded[0];
    assert_same(
        text,
        &normalise(text),
        "the snapshot format and its normalisation (durations, ports, timestamps, dates)",
    );

    let log: Value = serde_saphyr::from_str(text).expect("the snapshot format is YAML");
    let steps = log["steps"].as_array().expect("a steps list");
    assert_eq!(steps.len(), 5);
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(step["name"], STEPS[i]);
        assert_eq!(step["status"], "passed", "step {}", i + 1);
    }
    for placeholder in [
        "[mock_url]",
        "[port]",
        "[timestamp]",
        "[code_verifier]",
        "[code]",
        "[client_secret]",
        "[password]",
        "[access_token]",
        "[refresh_token]",
    ] {
        assert!(text.contains(placeholder), "no {placeholder} in\n{text}");
    }
    snapshot("pkce_snapshot", text);
}

#[test]
fn snapshot_keeps_the_url_encoding_of_a_port() {
    let text = pkce("snapshot").stdout;
    assert!(
        text.contains("redirect_uri=http%3A%2F%2Flocalhost%3A[port]%2Fcallback&"),
        "{text}"
    );
    assert!(!text.contains("%2F%2Flocalhost:[port]"), "{text}");
}
