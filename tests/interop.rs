//! `sfscenario mock` as a server that real clients use: `sfscenario run
//! --org` over TLS with the printed CA, signals, bad arguments. The tests with
//! jsforce and simple-salesforce need those clients: they are in the `tools`
//! test binary (`tests/tools/interop.rs`).

pub mod process;

use std::path::Path;

use crate::harness::{Sfscenario, root};
use process::MockProcess;

/// Seed records and a small batch size, so queries page (see the file).
const CONFIG: &str = "tests/interop/mock.yaml";

#[test]
fn run_over_tls_with_the_printed_ca() {
    let mock = MockProcess::start(&["--tls", "--config", CONFIG]);
    assert!(
        mock.url.starts_with("https://127.0.0.1:"),
        "{}",
        mock.banner
    );
    let ca = mock.ca_file.clone().expect("a CA file is printed");
    assert!(ca.is_absolute() && ca.is_file(), "{}", ca.display());
    let app_key = mock.app_key.clone().expect("the app's key file is printed");
    let key = std::fs::read_to_string(&app_key).expect("the key file is readable");
    assert!(key.starts_with("-----BEGIN PRIVATE KEY-----"), "{key}");
    let org = format!("https://localhost:{}", mock.port());
    let scenario = "tests/interop/password-grant.yaml";
    let bin = Path::new(env!("CARGO_BIN_EXE_sfscenario"));
    let ca_arg = ca.to_string_lossy().into_owned();
    let args = ["run", scenario, "--org", &org, "--ca-cert", &ca_arg];
    let out = process::run(bin, &args, root(), &mock.org_env());
    out.code(0).no_panic().stdout_has("PASSED");
    assert!(
        out.stdout.contains(&org),
        "the instance is the TLS mock\n{out}"
    );

    // Without the CA the certificate is refused, and the server lives on.
    let out = process::run(bin, &args[..4], root(), &mock.org_env());
    out.code(1).no_panic().stdout_has("certificate");
    let out = process::run(bin, &args, root(), &mock.org_env());
    out.code(0);

    let secrets = [
        mock.password.clone(),
        mock.security_token.clone(),
        mock.client_secret.clone(),
    ];
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "SIGTERM ends the mock cleanly\n{log}");
    assert!(log.contains("POST /services/oauth2/token 200 "), "{log}");
    assert!(log.contains("TLS handshake failed"), "{log}");
    for secret in secrets {
        assert!(
            !log.contains(&secret),
            "the request log shows a secret\n{log}"
        );
    }
    assert!(
        !log.contains("00Dak"),
        "the request log shows a token\n{log}"
    );
    assert!(
        !ca.exists(),
        "the CA file made in the temp dir is removed at exit"
    );
    assert!(!app_key.exists(), "so is the app's key file");
}

#[test]
fn ctrl_c_stops_the_mock_and_plain_http_is_logged() {
    let mock = MockProcess::start(&["--config", CONFIG, "--seed", "3"]);
    assert!(mock.url.starts_with("http://127.0.0.1:"), "{}", mock.banner);
    assert!(mock.ca_file.is_none());
    assert_eq!(mock.username, "interop@example.com", "{}", mock.banner);
    let url = format!("{}/services/data/?secret=hidden", mock.url);
    let response = reqwest::blocking::get(url).expect("the mock answers");
    assert_eq!(response.status(), 200);
    let (code, log) = mock.stop("INT");
    assert_eq!(code, Some(0), "{log}");
    let line = log
        .lines()
        .find(|l| l.starts_with("GET "))
        .unwrap_or_default();
    assert!(
        is_log_line(line),
        "`METHOD PATH STATUS DURATIONms` expected, got {line:?}\n{log}"
    );
    assert!(
        !log.contains("hidden"),
        "query strings are never logged\n{log}"
    );
}

/// `GET /services/data/ 200 3ms`.
fn is_log_line(line: &str) -> bool {
    let parts: Vec<&str> = line.split(' ').collect();
    matches!(parts.as_slice(), ["GET", "/services/data/", "200", ms]
        if ms.strip_suffix("ms").is_some_and(|n| n.parse::<u64>().is_ok()))
}

#[test]
fn bad_mock_arguments_exit_2() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = dir.path().join("bad-config.yaml");
    std::fs::write(&bad, "connected_app:\n  pkce_requird: true\n").expect("write");
    let out = Sfscenario::new()
        .args(["mock", "--config", &bad.to_string_lossy()])
        .run();
    out.code(2).no_panic().stderr_has(
        "bad-config.yaml:2:3: invalid mock configuration: mock.connected_app.pkce_requird: unknown key",
    );
    Sfscenario::new()
        .args(["mock", "--config", "tests/interop/missing.yaml"])
        .run()
        .code(2)
        .stderr_has("missing.yaml");
    Sfscenario::new()
        .args(["mock", "--tls-dir", "x"])
        .run()
        .code(2);
}

#[test]
fn an_app_deployed_to_a_running_mock_is_served_and_its_credentials_printed() {
    let mock = MockProcess::start(&["--config", CONFIG]);
    let scenario = "tests/fixtures/apps/deploy_to_a_running_mock.yaml";
    let bin = Path::new(env!("CARGO_BIN_EXE_sfscenario"));
    let out = process::run(
        bin,
        &["run", scenario, "--org", &mock.url],
        root(),
        &mock.org_env(),
    );
    out.code(0).no_panic().stdout_has("PASSED");
    let printed = mock.printed_until("deployed app");
    assert!(
        printed.contains(
            "deployed app `Deployed_App` served: client_id 3MVG9DeployedAppConsumerKey0123456789 client_secret DEPLOYEDAPPSECRET0123456789ABCDEF callback URLs http://localhost:8000/callback"
        ),
        "{printed}"
    );
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    assert!(
        !log.contains("DEPLOYEDAPPSECRET"),
        "the request log shows the app's secret\n{log}"
    );
}

#[test]
fn mock_app_serves_each_app_and_its_banner_lists_them() {
    let example = "examples/sfdx-project/force-app/main/default";
    let ca = format!("{example}/connectedApps/Billing_Portal.connectedApp-meta.xml");
    let eca = format!("{example}/externalClientApps/Partner_Api.eca-meta.xml");
    let start = |seed: &str| MockProcess::start(&["--app", &ca, "--app", &eca, "--seed", seed]);
    let partner_key = |mock: &MockProcess| -> String {
        let banner = &mock.banner;
        let at = banner
            .find("app             Partner API")
            .expect("Partner API listed");
        banner[at..]
            .lines()
            .find_map(|l| l.trim().strip_prefix("client_id"))
            .map(|k| k.trim().to_owned())
            .unwrap_or_else(|| panic!("no client_id for Partner API\n{banner}"))
    };
    let mock = start("7");
    for line in [
        "app             Billing Portal",
        "client_id     3MVG9BillingPortalExampleConsumerKey0123456789abcdefghijklmnopqrstuvwxyzAB",
        "callback URL  https://billing.example.com/oauth/callback",
        "app             Partner API",
    ] {
        assert!(mock.banner.contains(line), "{line}\n{}", mock.banner);
    }
    // The ECA's key is generated: the same for the same seed, not for another.
    let key = partner_key(&mock);
    assert!(key.starts_with("3MVG9"), "{key}");
    let url = format!(
        "{}/services/oauth2/authorize?response_type=code&client_id={key}&redirect_uri=http://localhost:8000/callback&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        mock.url
    );
    let page = reqwest::blocking::get(url).and_then(reqwest::blocking::Response::text);
    assert!(page.expect("the mock answers").contains("Partner API"));
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
    // The mock does what both apps' files say: no warning names a setting.
    assert!(!log.contains("warning: app"), "{log}");
    let again = start("7");
    assert_eq!(partner_key(&again), key);
    drop(again);
    let other = start("8");
    assert_ne!(partner_key(&other), key);
}
