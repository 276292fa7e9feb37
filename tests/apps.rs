//! Apps as code, end to end: mock-only scenarios, the mock serving apps
//! from source, the Metadata API's deploy and retrieve, `init`.

use std::path::PathBuf;

use crate::harness::{Sfscenario, root};

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/apps").join(name)
}

#[test]
fn a_mock_only_scenario_is_skipped_against_a_real_org_and_run_on_the_mock() {
    let file = fixture("mock_only.yaml");
    let out = Sfscenario::new()
        .args(["run", "--org", "http://127.0.0.1:9", "--browser", "print"])
        .arg(&file)
        .run();
    out.success()
        .stdout_has("SKIPPED A mock-only scenario")
        .stdout_has("mock only: it needs what only the mock org can arrange");
    let json = Sfscenario::new()
        .args(["run", "--org", "http://127.0.0.1:9", "--format", "json"])
        .arg(&file)
        .run();
    json.success().stdout_has("\"status\": \"skipped\"");
    let junit = Sfscenario::new()
        .args(["run", "--org", "http://127.0.0.1:9", "--format", "junit"])
        .arg(&file)
        .run();
    junit.success().stdout_has("<skipped message=\"mock only:");
    let markdown = Sfscenario::new()
        .args(["run", "--org", "http://127.0.0.1:9", "--format", "markdown"])
        .arg(&file)
        .run();
    markdown.success().stdout_has("*Skipped: mock only:");
    // On the mock it runs (and here fails: the default app has no run-as user).
    Sfscenario::new().arg("run").arg(&file).run().code(1);
}

#[test]
fn the_metadata_step_deploys_retrieves_and_compares() {
    let file = fixture("deploy_retrieve_compare.yaml");
    let out = Sfscenario::new().arg("run").arg("-v").arg(&file).run();
    out.success()
        .stdout_has("[zip: package.xml, connectedApps/Billing_Portal.connectedApp")
        .stdout_has("[zip: unpackaged/package.xml");
    let json = Sfscenario::new()
        .args(["run", "--format", "json"])
        .arg(&file)
        .run();
    json.success();
    assert!(!json.stdout.contains("UEsDB"), "no zip bytes in the log");
}

#[test]
fn from_an_empty_folder_init_writes_a_starter_that_runs_and_documents_itself() {
    let dir = tempfile::tempdir().unwrap();
    Sfscenario::new()
        .current_dir(dir.path())
        .arg("init")
        .run()
        .success()
        .stdout_has("pkce.yaml");
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "pkce.yaml"])
        .run()
        .success()
        .stdout_has("PASSED");
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "pkce.yaml", "--format", "markdown"])
        .run()
        .success()
        .stdout_has("# OAuth 2.0 Web Server Flow with PKCE");
    // A second init does not overwrite the file.
    Sfscenario::new()
        .current_dir(dir.path())
        .arg("init")
        .run()
        .code(2)
        .stderr_has("pkce.yaml exists; --force replaces it");
}

#[test]
fn init_from_source_writes_valid_scenarios_per_flow_and_policy() {
    let dir = tempfile::tempdir().unwrap();
    let project = root().join("examples/sfdx-project");
    let out = Sfscenario::new()
        .current_dir(dir.path())
        .args(["init", "--out", "suite", "--from"])
        .arg(&project)
        .run();
    out.success();
    for file in [
        "suite/Billing_Portal/web-server-pkce.yaml",
        "suite/Billing_Portal/refresh-token.yaml",
        "suite/Billing_Portal/negative/pkce-required.yaml",
        "suite/Billing_Portal/negative/not-permitted.yaml",
        "suite/Partner_Api/client-credentials.yaml",
        "suite/Partner_Api/jwt-bearer.yaml",
        "suite/Partner_Api/device.yaml",
        "suite/Partner_Api/negative/username-password.yaml",
    ] {
        out.stdout_has(file);
    }
    let not_permitted = std::fs::read_to_string(
        dir.path()
            .join("suite/Billing_Portal/negative/not-permitted.yaml"),
    )
    .unwrap();
    assert!(not_permitted.contains("mock_only: true"), "{not_permitted}");
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["validate", "suite"])
        .run()
        .success();
    Sfscenario::new()
        .args(["init", "--from"])
        .arg(fixture("mock_only.yaml"))
        .run()
        .code(2)
        .stderr_has("not an app");
}

#[test]
fn a_consumer_secret_read_from_an_app_file_is_redacted_everywhere() {
    let file = fixture("secret_in_source.yaml");
    for format in ["pretty", "json", "markdown", "junit", "snapshot"] {
        let out = Sfscenario::new()
            .args(["run", "-v", "--format", format])
            .arg(&file)
            .run();
        out.success();
        assert!(
            !out.stdout.contains("ECAFILESECRET7F3A9C1D2E4B")
                && !out.stderr.contains("ECAFILESECRET7F3A9C1D2E4B"),
            "{format} shows the secret:\n{}",
            out.stdout
        );
    }
}

#[test]
fn a_malformed_app_file_is_exit_2_with_its_file_line_and_column() {
    let out = Sfscenario::new()
        .arg("run")
        .arg(fixture("bad_app.yaml"))
        .run();
    out.code(2)
        .no_panic()
        .stderr_has("bad/connectedApps/Bad.connectedApp-meta.xml:5:9: `isPkceRequird` is not a field of ConnectedApp.oauthConfig (did you mean `isPkceRequired`?)")
        .stderr_has("bad_app.yaml:3:8");
    let mock = Sfscenario::new()
        .args(["mock", "--app"])
        .arg(fixture("bad"))
        .run();
    mock.code(2)
        .no_panic()
        .stderr_has("Bad.connectedApp-meta.xml:5:9: `isPkceRequird` is not a field");
    let init = Sfscenario::new()
        .args(["init", "--out"])
        .arg(tempfile::tempdir().unwrap().path())
        .arg("--from")
        .arg(fixture("bad"))
        .run();
    init.code(2).stderr_has("Bad.connectedApp-meta.xml:5:9");
}
