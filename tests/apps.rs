//! Apps as code, end to end: mock-only scenarios, the mock serving apps
//! from source, the Metadata API's deploy and retrieve, `init`.

use std::path::PathBuf;

use crate::harness::{Sfscenario, root};

/// The example apps register `http://localhost:8000/callback`, the
/// callback their scenarios listen on: one test at a time runs them.
static EXAMPLE_CALLBACK: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn example_callback() -> std::sync::MutexGuard<'static, ()> {
    EXAMPLE_CALLBACK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

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
fn a_deployed_app_is_served_at_once() {
    // Before the deploy the app's consumer key is unknown to the mock; after
    // it, the client credentials flow succeeds with the app's key and secret.
    let file = fixture("deploy_changes_the_mock.yaml");
    let out = Sfscenario::new().args(["run", "-v"]).arg(&file).run();
    out.success()
        .stdout_has("invalid_client_id")
        .stdout_has("Served after the deploy");
    assert!(
        !out.stdout.contains("DEPLOYEDAPPSECRET0123456789ABCDEF"),
        "the deployed app's secret is redacted:\n{}",
        out.stdout
    );
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
fn init_from_source_writes_scenarios_per_flow_and_policy_that_pass_on_the_mock() {
    let _port = example_callback();
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
        "suite/Billing_Portal/negative/secret-required.yaml",
        "suite/Billing_Portal/negative/not-permitted.yaml",
        "suite/Partner_Api/client-credentials.yaml",
        "suite/Partner_Api/jwt-bearer.yaml",
        "suite/Partner_Api/device.yaml",
        "suite/Partner_Api/negative/not-permitted.yaml",
        "suite/Partner_Api/negative/username-password.yaml",
    ] {
        out.stdout_has(file);
    }
    // Permitted users, the device flow and the org's username-password
    // switch are enforced: the example's apps warrant no warning.
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    // Every one passes on the mock at once.
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "suite"])
        .run()
        .success()
        .stdout_has("PASSED Billing Portal: web server flow with PKCE")
        .stdout_has("PASSED Partner API: client credentials")
        .stdout_has("PASSED Billing Portal: only permitted users")
        .stdout_has("PASSED Partner API: no username-password flow");
    Sfscenario::new()
        .args(["init", "--from"])
        .arg(fixture("mock_only.yaml"))
        .run()
        .code(2)
        .stderr_has("not an app");
}

#[test]
fn the_example_projects_scenarios_are_what_init_writes_and_pass_on_the_mock() {
    let _port = example_callback();
    let example = root().join("examples/sfdx-project");
    let copy = tempfile::tempdir().unwrap();
    for file in ["sfdx-project.json", ".forceignore"] {
        std::fs::copy(example.join(file), copy.path().join(file)).unwrap();
    }
    copy_dir(&example.join("force-app"), &copy.path().join("force-app"));
    Sfscenario::new()
        .current_dir(copy.path())
        .args(["init", "--from", ".", "--out", "scenarios"])
        .run()
        .success();
    let written = files_under(&copy.path().join("scenarios"));
    let kept = files_under(&example.join("scenarios"));
    let names = |files: &[(String, String)]| files.iter().map(|f| f.0.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&kept),
        names(&written),
        "examples/sfdx-project/scenarios: run `sfscenario init --from . --out scenarios --force` there"
    );
    for ((name, kept), (_, written)) in kept.iter().zip(&written) {
        assert_eq!(kept, written, "{name} differs from what init writes");
    }
    Sfscenario::new()
        .arg("run")
        .arg(example.join("scenarios"))
        .run()
        .success()
        .stdout_has("PASSED Partner API: device flow");
}

/// Every file under `dir` (relative path, text), sorted.
fn files_under(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
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
    Sfscenario::new()
        .arg("validate")
        .arg(fixture("bad_app.yaml"))
        .run()
        .code(2)
        .stderr_has("Bad.connectedApp-meta.xml:5:9: `isPkceRequird` is not a field")
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

#[test]
fn mock_app_takes_an_app_file_an_eca_header_or_a_directory_with_keys_on_top() {
    for name in [
        "connected_app_file.yaml",
        "eca_file.yaml",
        "one_app_directory.yaml",
    ] {
        let out = Sfscenario::new()
            .arg("run")
            .arg(fixture("forms").join(name))
            .run();
        out.success().stdout_has("PASSED");
        assert!(
            !out.stdout.contains("SECRETKEPTOUTOFGIT"),
            "{name}: the secret is redacted\n{}",
            out.stdout
        );
    }
    // The mock does all the example's External Client App says: no warning.
    let eca = Sfscenario::new()
        .arg("run")
        .arg(fixture("forms/eca_file.yaml"))
        .run();
    assert!(!eca.stderr.contains("warning"), "{}", eca.stderr);
    // A setting the mock does not enforce is named once, before the run.
    let project = tempfile::tempdir().unwrap();
    copy_dir(&fixture("plain"), &project.path().join("force-app"));
    std::fs::create_dir(project.path().join("force-app/settings")).unwrap();
    std::fs::write(
        project.path().join("force-app/settings/OauthOidc.settings-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OauthOidcSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <blockOAuthUsrAgtFlow>true</blockOAuthUsrAgtFlow>\n</OauthOidcSettings>\n",
    )
    .unwrap();
    let scenario = project.path().join("plain.yaml");
    std::fs::write(
        &scenario,
        "name: Plain\nmock:\n  app: force-app\nsteps:\n  - pkce: {}\n",
    )
    .unwrap();
    let warned = Sfscenario::new().arg("run").arg(&scenario).run();
    warned.success().stderr_has(
        "warning: app `Plain_App`: the mock does not model OauthOidc.blockOAuthUsrAgtFlow (the mock allows the user-agent flow)",
    );
    assert_eq!(
        warned.stderr.matches("warning:").count(),
        1,
        "{}",
        warned.stderr
    );
    Sfscenario::new()
        .arg("run")
        .arg(fixture("forms/several_apps.yaml"))
        .run()
        .code(2)
        .stderr_has("several apps found (`Billing_Portal`, `Partner_Api`): name one with `app: { source: …, name: … }`")
        .stderr_has("several_apps.yaml:3:8");
}

#[test]
fn drift_fails_the_step_and_names_each_difference() {
    let out = Sfscenario::new()
        .arg("run")
        .arg(fixture("drift_fails.yaml"))
        .run();
    out.code(1)
        .stdout_has("✓ 5. The project's External Client App is not in the org")
        .stdout_has("✓ 6. The org matches the Connected App's file")
        .stdout_has("drift: 1 difference between the org and the source: ConnectedApp:Billing_Portal oauthConfig.isPkceRequired: org true, source false");
}

#[test]
fn init_writes_the_web_server_and_user_agent_flows_of_an_app_without_pkce() {
    let dir = tempfile::tempdir().unwrap();
    let out = Sfscenario::new()
        .current_dir(dir.path())
        .args(["init", "--out", "suite", "--from"])
        .arg(fixture("plain"))
        .run();
    out.success()
        .stdout_has("suite/Plain_App/web-server.yaml")
        .stdout_has("suite/Plain_App/user-agent.yaml");
    assert!(!out.stdout.contains("negative/"), "{}", out.stdout);
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "suite"])
        .run()
        .success()
        .stdout_has("PASSED Plain App: web server flow ·")
        .stdout_has("PASSED Plain App: user-agent flow");
    // An org that blocks the user-agent flow gets no scenario of it.
    let project = tempfile::tempdir().unwrap();
    copy_dir(&fixture("plain"), project.path());
    std::fs::create_dir(project.path().join("settings")).unwrap();
    std::fs::write(
        project.path().join("settings/OauthOidc.settings-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OauthOidcSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <blockOAuthUsrAgtFlow>true</blockOAuthUsrAgtFlow>\n</OauthOidcSettings>\n",
    )
    .unwrap();
    let blocked = Sfscenario::new()
        .current_dir(dir.path())
        .args(["init", "--out", "blocked", "--from"])
        .arg(project.path())
        .run();
    blocked
        .success()
        .stdout_has("blocked/Plain_App/web-server.yaml")
        .stderr_has("OauthOidc.blockOAuthUsrAgtFlow");
    assert!(!blocked.stdout.contains("user-agent"), "{}", blocked.stdout);
}

#[test]
fn init_has_a_user_approve_a_self_authorize_app_before_its_jwt_bearer_flow() {
    // Plain_App with a certificate: JWT bearer, and every user self-authorizes.
    let project = tempfile::tempdir().unwrap();
    copy_dir(&fixture("plain"), project.path());
    let file = project
        .path()
        .join("connectedApps/Plain_App.connectedApp-meta.xml");
    let xml = std::fs::read_to_string(&file).unwrap().replace(
        "        <consumerKey>",
        &format!(
            "        <certificate>{}</certificate>\n        <consumerKey>",
            sfscenario::mock::APP_CERTIFICATE_PEM.trim()
        ),
    );
    std::fs::write(&file, xml).unwrap();
    let dir = tempfile::tempdir().unwrap();
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["init", "--out", "suite", "--from"])
        .arg(project.path())
        .run()
        .success()
        .stdout_has("suite/Plain_App/jwt-bearer.yaml");
    let jwt = std::fs::read_to_string(dir.path().join("suite/Plain_App/jwt-bearer.yaml")).unwrap();
    let login = jwt
        .find("  - id: login")
        .expect("a login before the assertion");
    let assertion = jwt.find("  - id: assertion").expect("an assertion");
    assert!(login < assertion, "{jwt}");
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "suite/Plain_App/jwt-bearer.yaml"])
        .run()
        .success()
        .stdout_has("PASSED Plain App: JWT bearer");
    // Without the approval, the same assertion is refused: the login is
    // what the scenario needs.
    let cut = jwt[..login].to_owned() + &jwt[assertion..];
    std::fs::write(dir.path().join("suite/Plain_App/jwt-bearer.yaml"), cut).unwrap();
    Sfscenario::new()
        .current_dir(dir.path())
        .args(["run", "suite/Plain_App/jwt-bearer.yaml"])
        .run()
        .code(1)
        .stdout_has("`mock.user@example.com` has not approved it");
}
