//! Apps as code with the Salesforce CLI's own deploy and retrieve library
//! (`@salesforce/source-deploy-retrieve`, installed with the CLI in
//! `tests/sf`): the example project is deployed to `sfscenario mock`, its
//! apps are retrieved back and equal the source once both are canonical
//! (element order, explicit defaults), consumer secrets aside; then the
//! example's client credentials scenario runs against the deployed app with
//! the credentials the mock printed for it.

use std::path::{Path, PathBuf};

use sfscenario::apps::canonical::canonical;
use sfscenario::apps::{AppKind, load};

use crate::gate::{Tool, ToolTest};
use crate::harness::root;
use crate::process::{self, MockProcess};

pub fn tests() -> Vec<ToolTest> {
    crate::tool_tests![&[Tool::Sf] =>
        the_cli_library_deploys_the_example_project_and_retrieves_its_apps,
    ]
}

fn project() -> PathBuf {
    root().join("examples/sfdx-project")
}

/// An access token of the mock's default app, by its client credentials
/// flow (it runs as the first user, `tests/sf/apps.yaml`): no browser.
fn token(mock: &MockProcess) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", mock.client_id.as_str()),
        ("client_secret", mock.client_secret.as_str()),
    ];
    let body: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/services/oauth2/token", mock.url))
        .form(&form)
        .send()
        .and_then(reqwest::blocking::Response::json)
        .expect("a token response");
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token: {body}"))
        .to_owned()
}

fn the_cli_library_deploys_the_example_project_and_retrieves_its_apps() {
    let mock = MockProcess::start(&["--config", "tests/sf/apps.yaml"]);
    let out = tempfile::tempdir().expect("a temporary folder");
    let env = vec![
        ("MOCK_URL", mock.url.clone()),
        ("MOCK_TOKEN", token(&mock)),
        ("PROJECT", project().display().to_string()),
        ("OUT", out.path().display().to_string()),
        ("HOME", out.path().display().to_string()),
        ("SF_DISABLE_TELEMETRY", "true".into()),
        ("SF_AUTOUPDATE_DISABLE", "true".into()),
    ];
    let node = Path::new("node");
    let run = process::run(
        node,
        &["deploy_retrieve.cjs"],
        &root().join("tests/sf"),
        &env,
    );
    run.code(0)
        .stdout_has("deploy: Succeeded")
        .stdout_has("retrieve: Succeeded");
    for component in [
        "ConnectedApp Billing_Portal",
        "ExternalClientApplication Partner_Api",
        "ExtlClntAppGlobalOauthSettings Partner_Api_glbloauth",
        "ExtlClntAppOauthSettings Partner_Api_oauth",
        "ExtlClntAppOauthConfigurablePolicies Partner_Api_oauth_defaultPolicy",
        "ExtlClntAppConfigurablePolicies Partner_Api_policies",
    ] {
        run.stdout_has(&format!("deployed: Created {component}"));
        run.stdout_has(&format!("retrieved: Created {component}"));
    }
    run.stdout_has("retrieved: Failed ConnectedApp Nope")
        .stdout_has("Entity of type 'ConnectedApp' named 'Nope' cannot be found");
    let source = load(&project()).expect("the example project");
    let back = load(out.path()).expect("the retrieved files read as source");
    assert_eq!(back.apps.len(), 2);
    for app in &source.apps {
        let theirs = back
            .apps
            .iter()
            .find(|a| a.name == app.name)
            .unwrap_or_else(|| panic!("{} was not retrieved", app.name));
        assert_eq!(theirs.kind, app.kind);
        for component in app.components() {
            let fields = component.kind.fields.expect("an app type");
            let retrieved = theirs
                .components()
                .find(|c| c.kind == component.kind)
                .unwrap_or_else(|| panic!("{} was not retrieved", component.full_name));
            let text = std::fs::read_to_string(&retrieved.path).expect("a retrieved file");
            assert!(!text.contains("consumerSecret"), "{text}");
            let mut ours = canonical(&component.root, fields, false);
            let theirs = canonical(&retrieved.root, fields, false);
            // The org gives every app a consumer key; the source may not.
            if app.kind == AppKind::ExternalClientApp
                || component.root.child("oauthConfig").is_some()
            {
                ours = with_key_of(&ours, &theirs);
            }
            assert_eq!(
                ours.to_document(),
                theirs.to_document(),
                "{}",
                component.path
            );
        }
    }
    run_against_the_deployed_app(&mock);
    let (code, log) = mock.stop("TERM");
    assert_eq!(code, Some(0), "{log}");
}

/// The example's client credentials scenario, with `--org` and the
/// consumer key and secret `sfscenario mock` printed for the deployed app.
fn run_against_the_deployed_app(mock: &MockProcess) {
    let printed = mock.printed_until("deployed app `Partner_Api` served");
    let line = printed
        .lines()
        .find(|l| l.starts_with("deployed app `Partner_Api` served"))
        .unwrap_or_else(|| panic!("no credentials printed for Partner_Api:\n{printed}"));
    let word_after = |name: &str| -> String {
        line.split_whitespace()
            .skip_while(|w| *w != name)
            .nth(1)
            .unwrap_or_else(|| panic!("no {name} in `{line}`"))
            .to_owned()
    };
    let env = vec![
        ("SF_CLIENT_ID", word_after("client_id")),
        ("SF_CLIENT_SECRET", word_after("client_secret")),
    ];
    let scenario = project().join("scenarios/Partner_Api/client-credentials.yaml");
    let scenario = scenario.display().to_string();
    let bin = Path::new(env!("CARGO_BIN_EXE_sfscenario"));
    let out = process::run(bin, &["run", &scenario, "--org", &mock.url], root(), &env);
    out.code(0)
        .stdout_has("PASSED Partner API: client credentials");
}

/// `ours` with the consumer key `theirs` holds, where ours has none.
fn with_key_of(
    ours: &sfscenario::apps::xml::Element,
    theirs: &sfscenario::apps::xml::Element,
) -> sfscenario::apps::xml::Element {
    let mut ours = ours.clone();
    let mut stack = vec![(&mut ours, theirs)];
    while let Some((mine, other)) = stack.pop() {
        if mine.child("consumerKey").is_none()
            && let Some(key) = other.child("consumerKey")
        {
            let at = other
                .children
                .iter()
                .position(|c| c.name == "consumerKey")
                .unwrap_or(0);
            mine.children
                .insert(at.min(mine.children.len()), key.clone());
        }
        let pairs: Vec<_> = mine
            .children
            .iter_mut()
            .filter(|c| !c.children.is_empty())
            .filter_map(|c| other.child(&c.name).map(|o| (c, o)))
            .collect();
        stack.extend(pairs);
    }
    ours
}
