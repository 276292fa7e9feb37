//! The login walks without a real browser: the built-in user agent
//! (`--browser auto`) through the mock's "Verify Your Identity" page, and
//! the checks made before the first request for `--browser system` in CI and
//! `--browser headless` without Chromium.

use serde_json::Value;

use crate::harness::{Output, Sfscenario};

const LOGIN: &str = "tests/fixtures/interactive/login.yaml";
const USER_AGENT: &str = "tests/fixtures/interactive/user-agent.yaml";
const DEVICE: &str = "tests/fixtures/interactive/device.yaml";
const KEY: &str = "JBSWY3DPEHPK3PXP";
const MFA: &str = "mfa_secret=JBSWY3DPEHPK3PXP";
const OTHER_KEY: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn json(out: &Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("no JSON log ({e})\n{out}"))
}

/// `sfscenario run SCENARIO --format json …` against the mock, with the
/// built-in user agent.
fn auto(scenario: &str, extra: &[&str]) -> Output {
    Sfscenario::new()
        .args(["run", scenario, "--format", "json"])
        .args(extra)
        .run()
}

fn exchanges(log: &Value, step: usize) -> impl Iterator<Item = &Value> {
    log["steps"][step]["exchanges"]
        .as_array()
        .into_iter()
        .flatten()
}

/// The titles of the pages the built-in user agent was shown in step `step`.
fn titles(log: &Value, step: usize) -> Vec<String> {
    exchanges(log, step)
        .filter_map(|e| e["response"]["body"]["text"].as_str())
        .filter_map(|t| {
            t.split("<title>")
                .nth(1)?
                .split(" | ")
                .next()
                .map(str::to_owned)
        })
        .collect()
}

/// The form fields the built-in user agent posted in step `step`.
fn posted(log: &Value, step: usize) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for exchange in exchanges(log, step) {
        for pair in exchange["request"]["body"]["form"]
            .as_array()
            .into_iter()
            .flatten()
        {
            fields.push((
                pair[0].as_str().unwrap_or_default().to_owned(),
                pair[1].as_str().unwrap_or_default().to_owned(),
            ));
        }
    }
    fields
}

/// Step `step` went login → verification (the code posted, shown as a
/// secret) → consent, and no key or code is in the output.
fn answered_the_verification_page(out: &Output, step: usize) {
    let log = json(out);
    assert_eq!(
        titles(&log, step)[..3],
        ["Login", "Verify Your Identity", "Allow Access"],
        "{log:#}"
    );
    let codes: Vec<String> = posted(&log, step)
        .into_iter()
        .filter(|(k, _)| k == "tc")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(codes, ["********"], "one code, shown as a secret");
    assert!(!out.stdout.contains(KEY) && !out.stderr.contains(KEY));
}

#[test]
fn the_built_in_user_agent_answers_the_verification_page() {
    let out = auto(LOGIN, &["--var", MFA]);
    out.success().no_panic();
    answered_the_verification_page(&out, 1);
}

#[test]
fn without_a_key_on_the_mock_user_no_code_is_asked() {
    for (scenario, step) in [(LOGIN, 1), (USER_AGENT, 0), (DEVICE, 1)] {
        let out = auto(scenario, &[]);
        out.success().no_panic();
        let log = json(&out);
        let titles = titles(&log, step);
        assert_eq!(
            titles[..2],
            ["Login", "Allow Access"],
            "{scenario}: {log:#}"
        );
        assert!(posted(&log, step).iter().all(|(k, _)| k != "tc"));
    }
}

#[test]
fn the_user_agent_flow_answers_the_verification_page() {
    let out = auto(USER_AGENT, &["--var", MFA]);
    out.success().no_panic();
    answered_the_verification_page(&out, 0);
}

#[test]
fn the_device_flow_answers_the_verification_page() {
    let out = auto(DEVICE, &["--var", MFA]);
    out.success().no_panic();
    answered_the_verification_page(&out, 1);
}

#[test]
fn a_deny_after_the_code_reaches_the_callback_as_access_denied() {
    let out = auto(LOGIN, &["--var", MFA, "--var", "consent=deny"]);
    out.code(1).no_panic();
    let log = json(&out);
    let statuses: Vec<&str> = log["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s["status"].as_str())
        .collect();
    assert_eq!(
        statuses,
        ["passed", "passed", "failed", "skipped"],
        "{log:#}"
    );
    assert_eq!(
        titles(&log, 1)[..3],
        ["Login", "Verify Your Identity", "Allow Access"]
    );
    assert_eq!(
        log["steps"][2]["result"]["error"], "access_denied",
        "{log:#}"
    );
}

#[test]
fn a_wrong_key_is_refused_with_salesforce_message() {
    let wrong = format!("totp_secret={OTHER_KEY}");
    let out = auto(LOGIN, &["--var", MFA, "--var", &wrong]);
    out.code(1).no_panic();
    let error = json(&out)["steps"][1]["error"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        error,
        "the verification code was refused: Error: Invalid or expired verification code. Try again."
    );
    for text in [&out.stdout, &out.stderr] {
        assert!(!text.contains(OTHER_KEY) && !text.contains(KEY));
    }
}

#[test]
fn without_a_key_the_verification_page_is_named() {
    let out = Sfscenario::new()
        .args(["run", LOGIN, "--var", MFA, "--var", "totp_secret="])
        .run();
    out.code(1)
        .no_panic()
        .stdout_has("asks for a verification code")
        .stdout_has("SF_TOTP_SECRET");
}

#[test]
fn codes_follow_the_mock_clock_under_a_seed() {
    let run = || {
        let out = Sfscenario::new()
            .args([
                "run", LOGIN, "--var", MFA, "--seed", "7", "--format", "snapshot",
            ])
            .run();
        out.success();
        out.stdout
    };
    let first = run();
    assert!(first.contains("Verify Your Identity"), "{first}");
    assert_eq!(first, run());
}

#[test]
fn system_in_ci_without_a_display_is_refused_before_any_request() {
    let out = Sfscenario::new()
        .args([
            "run",
            "scenarios/pkce.yaml",
            "--org",
            "https://login.salesforce.com",
        ])
        .env("CI", "true")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("BROWSER")
        .run();
    out.code(2)
        .no_panic()
        .stderr_has("--browser system cannot open a browser here")
        .stderr_has("--browser headless");
}

#[test]
fn headless_without_chromium_is_refused_before_any_request() {
    let empty = tempfile::tempdir().expect("a directory");
    let out = Sfscenario::new()
        .args(["run", LOGIN, "--browser", "headless"])
        .env("PATH", empty.path())
        .env_remove("SFSCENARIO_CHROMIUM")
        .env_remove("SFSCENARIO_CHROMEDRIVER")
        .run();
    out.code(2)
        .no_panic()
        .stderr_has("--browser headless needs Chromium")
        .stderr_has("apt-get install chromium chromium-driver");
}

#[test]
fn a_totp_secret_that_is_not_base32_is_an_input_error() {
    let out = Sfscenario::new()
        .args([
            "run",
            "scenarios/pkce.yaml",
            "--org",
            "https://login.salesforce.com",
        ])
        .args(["--browser", "print"])
        .env("SF_CLIENT_ID", "x")
        .env("SF_CLIENT_SECRET", "y")
        .env("SF_TOTP_SECRET", "not base32!")
        .run();
    out.code(2)
        .no_panic()
        .stderr_has("SF_TOTP_SECRET: the TOTP secret is not base32");
    assert!(
        !out.stderr.contains("not base32!"),
        "the value is not shown"
    );
}
