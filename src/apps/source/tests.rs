//! Tests of the parent module, on the example project and on made-up trees.

use std::path::{Path, PathBuf};

use super::{AppKind, load};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sfdx-project")
}

#[test]
fn the_example_project_has_a_connected_app_and_an_eca_with_all_its_files() {
    let source = load(&example()).unwrap();
    let names: Vec<(&str, AppKind)> = source
        .apps
        .iter()
        .map(|a| (a.name.as_str(), a.kind))
        .collect();
    assert_eq!(
        names,
        [
            ("Billing_Portal", AppKind::ConnectedApp),
            ("Partner_Api", AppKind::ExternalClientApp)
        ]
    );
    let eca = &source.apps[1];
    let parts: Vec<&str> = eca.parts.iter().map(|p| p.kind.name).collect();
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert!(eca.part("ExtlClntAppGlobalOauthSettings").is_some());
    assert!(source.oauth_settings.is_some());
    assert_eq!(
        source.pick("x", Some("Partner_Api")).unwrap().label(),
        "Partner API"
    );
    let several = source.pick("force-app", None).unwrap_err().to_string();
    assert!(
        several.contains("several apps found (`Billing_Portal`, `Partner_Api`)"),
        "{several}"
    );
    assert!(source.pick("x", Some("Nope")).is_err());
}

#[test]
fn an_eca_file_brings_its_sibling_files() {
    let header =
        example().join("force-app/main/default/externalClientApps/Partner_Api.eca-meta.xml");
    let source = load(&header).unwrap();
    assert_eq!(source.apps.len(), 1);
    assert_eq!(source.apps[0].parts.len(), 4);
    assert!(source.oauth_settings.is_some());
    let ca =
        example().join("force-app/main/default/connectedApps/Billing_Portal.connectedApp-meta.xml");
    let source = load(&ca).unwrap();
    assert_eq!(source.apps[0].kind, AppKind::ConnectedApp);
    assert!(source.apps[0].parts.is_empty());
}

fn write(dir: &Path, path: &str, text: &str) -> PathBuf {
    let file = dir.join(path);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, text).unwrap();
    file
}

const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

#[test]
fn problems_name_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let not_app = write(dir.path(), "notes.txt", "hello");
    let error = load(&not_app).unwrap_err().to_string();
    assert!(error.ends_with("notes.txt:1:1: not an app: expected a *.connectedApp-meta.xml or *.eca-meta.xml file, or a directory"), "{error}");
    let missing = load(&dir.path().join("nope.connectedApp-meta.xml")).unwrap_err();
    assert_eq!(missing.at.line, 1);
    write(
        dir.path(),
        "a/externalClientApps/X.eca-meta.xml",
        &format!("<ExternalClientApplication {NS}><label>X</label></ExternalClientApplication>"),
    );
    write(
        dir.path(),
        "a/extlClntAppOauthSettings/Y_oauth.ecaOauth-meta.xml",
        &format!(
            "<ExtlClntAppOauthSettings {NS}>\n  <externalClientApplication>Y</externalClientApplication>\n</ExtlClntAppOauthSettings>"
        ),
    );
    let error = load(dir.path()).unwrap_err().to_string();
    assert!(
        error.contains(
            "Y_oauth.ecaOauth-meta.xml:2:3: names the External Client App `Y`, which is not in"
        ),
        "{error}"
    );
    let empty = tempfile::tempdir().unwrap();
    let error = load(empty.path()).unwrap().pick("empty", None).unwrap_err();
    assert!(error.to_string().contains("no app found"));
}

#[test]
fn a_project_file_names_its_package_directories() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sfdx-project.json",
        "{ \"packageDirectories\": [ { \"path\": \"pkg\" } ] }",
    );
    write(
        dir.path(),
        "pkg/connectedApps/In.connectedApp-meta.xml",
        &format!("<ConnectedApp {NS}><label>In</label></ConnectedApp>"),
    );
    write(
        dir.path(),
        "elsewhere/connectedApps/Out.connectedApp-meta.xml",
        &format!("<ConnectedApp {NS}><label>Out</label></ConnectedApp>"),
    );
    let source = load(dir.path()).unwrap();
    assert_eq!(source.apps.len(), 1);
    assert_eq!(source.apps[0].name, "In");
    write(
        dir.path(),
        "sfdx-project.json",
        "{ \"packageDirectories\": [ \n  { \"path\": } ] }",
    );
    let error = load(dir.path()).unwrap_err();
    assert_eq!((error.at.line, error.at.column), (2, 13), "{error}");
}
