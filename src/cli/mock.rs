//! `sfscenario mock`: the built-in mock org as a standalone server that real
//! clients (jsforce, simple-salesforce, the Salesforce CLI, `sfscenario run
//! --org`) use. It prints its URL, credentials, files and switches (see
//! `banner.rs`), logs each request to stderr, and stops cleanly on Ctrl-C
//! or SIGTERM.

use std::path::Path;

use crate::cli::args::MockArgs;
use crate::cli::banner::{BannerFiles, banner};
use crate::cli::exit::{CliError, Exit};
use crate::location::Location;
use crate::mock::{
    APP_CERTIFICATE_PEM, APP_PRIVATE_KEY_PEM, MockConfig, MockFile, MockOptions, MockServer,
};
use crate::net::ServerLimits;
use crate::scenario::node::{Node, Value};

pub fn mock(args: &MockArgs) -> Result<Exit, CliError> {
    let apps = read_apps(&args.apps, args.seed).map_err(CliError::MockConfig)?;
    for warning in &apps.warnings {
        eprintln!("{warning}");
    }
    let mut config =
        load_config(args.config.as_deref(), &apps.org_settings).map_err(CliError::MockConfig)?;
    config.sources.components = apps.components;
    config.sources.seed = args.seed;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Start(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(serve(args, config))
}

async fn serve(args: &MockArgs, config: MockConfig) -> Result<Exit, CliError> {
    // Handlers first, so that a signal sent right after the banner is caught.
    let stop = Interrupt::install()
        .map_err(|e| CliError::Start(format!("cannot watch for Ctrl-C: {e}")))?;
    let options = MockOptions {
        host: args.host,
        port: args.port,
        seed: args.seed,
        tls: args.tls,
        log_requests: !args.quiet,
        announce_apps: true,
        limits: ServerLimits {
            max_connections: args.max_connections,
            ..ServerLimits::default()
        },
        max_tokens: args.max_tokens,
        clock: None,
    };
    let server = MockServer::start(config, options).await.map_err(|e| {
        CliError::Start(format!(
            "cannot start the mock org on {}: {e}",
            std::net::SocketAddr::from((args.host, args.port))
        ))
    })?;
    let files = match write_files(&server, args) {
        Ok(files) => files,
        Err(message) => {
            server.shutdown().await;
            return Err(CliError::Start(message));
        }
    };
    let shown = BannerFiles {
        ca: files.ca.as_ref().map(|f| f.path.as_path()),
        app_key: files.app_key.as_ref().map(|f| f.path.as_path()),
    };
    print!("{}", banner(&server, &public_url(&server), &shown));
    if let Some(warning) = exposure_warning(server.address()) {
        eprintln!("{warning}");
    }
    stop.wait().await;
    server.shutdown().await;
    for file in [files.ca, files.app_key].into_iter().flatten() {
        file.remove();
    }
    eprintln!("stopped");
    Ok(Exit::Passed)
}

/// What the `--app` paths hold.
struct Apps {
    /// Every component read: the org's metadata, its apps served from it.
    components: Vec<crate::apps::Component>,
    /// The org's switches their projects' `OauthOidc.settings` give, in the
    /// mock's `org_settings` keys (a later path's over an earlier one's).
    org_settings: serde_json::Map<String, serde_json::Value>,
    /// What the mock does not model or cannot serve, one line each.
    warnings: Vec<String>,
}

/// Reads each `--app` path: its apps and its project's OauthOidc settings.
fn read_apps(paths: &[std::path::PathBuf], seed: Option<u64>) -> Result<Apps, String> {
    let mut out = Apps {
        components: Vec::new(),
        org_settings: serde_json::Map::new(),
        warnings: Vec::new(),
    };
    for path in paths {
        let source = crate::apps::load(path).map_err(|e| e.to_string())?;
        if source.apps.is_empty() {
            return Err(format!("{}: no app found", path.display()));
        }
        for app in &source.apps {
            let mapped = crate::apps::mock_app::map(app, source.oauth_settings.as_ref(), seed)
                .map_err(|e| e.to_string())?;
            out.warnings.extend(mapped.warning());
            if let Some(reason) = &mapped.not_served {
                out.warnings.push(format!(
                    "warning: app `{}` is not served: {reason}",
                    app.name
                ));
            }
            out.components.extend(app.components().cloned());
        }
        if let Some(settings) = &source.oauth_settings {
            out.org_settings
                .extend(crate::apps::mock_app::org_settings(settings));
            out.components.push(settings.clone());
        }
    }
    Ok(out)
}

/// The files clients read, removed at exit.
struct Files {
    ca: Option<MockFile>,
    app_key: Option<MockFile>,
}

/// The CA certificate (with `--tls`), and the Connected App's private key
/// when the app has the mock's own certificate (so that `sf org login jwt
/// --jwt-key-file` and `SF_PRIVATE_KEY_FILE` have a file to read).
fn write_files(server: &MockServer, args: &MockArgs) -> Result<Files, String> {
    let ca = match server.ca_certificate_pem() {
        Some(pem) => Some(
            MockFile::write("ca.pem", pem, args.tls_dir.as_deref(), false)
                .map_err(|e| format!("cannot write the CA certificate: {e}"))?,
        ),
        None => None,
    };
    let own_certificate =
        server.config().connected_app.certificate.as_deref() == Some(APP_CERTIFICATE_PEM);
    let app_key = if own_certificate {
        let written = MockFile::write("app_key.pem", APP_PRIVATE_KEY_PEM, None, true);
        match written {
            Ok(file) => Some(file),
            Err(e) => {
                if let Some(ca) = ca {
                    ca.remove();
                }
                return Err(format!("cannot write the app's private key: {e}"));
            }
        }
    } else {
        None
    };
    Ok(Files { ca, app_key })
}

/// Beyond loopback, anyone who can reach the port can use the mock's
/// credentials and keys: they are public constants (in this program's
/// source and its `--help`), not secrets.
fn exposure_warning(address: std::net::SocketAddr) -> Option<String> {
    if address.ip().to_canonical().is_loopback() {
        return None;
    }
    Some(format!(
        "warning: the mock org listens on {address}, beyond loopback. Its client secret, \
         user passwords, security tokens and the app's private key are public constants, \
         not secrets: anyone who can reach this port can log in and get tokens with them. \
         Use --host 127.0.0.1 unless other machines must reach it."
    ))
}

/// The base URL, with a loopback address when bound to all interfaces.
fn public_url(server: &MockServer) -> String {
    let mut address = server.address();
    match address.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => {
            address.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => {
            address.set_ip(std::net::Ipv6Addr::LOCALHOST.into());
        }
        _ => return server.base_url(),
    }
    let scheme = server.base_url();
    let scheme = scheme.split("://").next().unwrap_or("http");
    format!("{scheme}://{address}")
}

/// Ctrl-C (SIGINT) or SIGTERM.
struct Interrupt {
    #[cfg(unix)]
    signals: (tokio::signal::unix::Signal, tokio::signal::unix::Signal),
}

impl Interrupt {
    #[cfg(unix)]
    fn install() -> std::io::Result<Interrupt> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Interrupt {
            signals: (
                signal(SignalKind::interrupt())?,
                signal(SignalKind::terminate())?,
            ),
        })
    }

    #[cfg(not(unix))]
    fn install() -> std::io::Result<Interrupt> {
        Ok(Interrupt {})
    }

    #[cfg(unix)]
    async fn wait(self) {
        let (mut interrupt, mut terminate) = self.signals;
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    }

    #[cfg(not(unix))]
    async fn wait(self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `--config FILE`: YAML with the schema of a scenario's `mock:` section,
/// over the org settings the apps' source gives (`org`). Errors name the
/// file, the line and column when known, and the key path.
fn load_config(
    path: Option<&Path>,
    org: &serde_json::Map<String, serde_json::Value>,
) -> Result<MockConfig, String> {
    let Some(path) = path else {
        return MockConfig::from_overrides(&under_org_settings(
            serde_json::Value::Object(serde_json::Map::new()),
            org,
        ))
        .map_err(|e| format!("invalid mock configuration: {e}"));
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let node: Node = serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
    MockConfig::from_overrides(&under_org_settings(node.to_json(), org)).map_err(|e| {
        let at = locate(&node, &e.path);
        format!(
            "{shown}:{}:{}: invalid mock configuration: {e}",
            at.line, at.column
        )
    })
}

/// The configuration with `org` under its own `org_settings` keys (a key
/// the file sets wins). A file that is not a map is left for the
/// configuration's own error.
fn under_org_settings(
    file: serde_json::Value,
    org: &serde_json::Map<String, serde_json::Value>,
) -> serde_json::Value {
    use serde_json::Value as Json;
    if org.is_empty() {
        return file;
    }
    let mut map = match file {
        Json::Null => serde_json::Map::new(),
        Json::Object(map) => map,
        other => return other,
    };
    let mut merged = org.clone();
    match map.remove("org_settings") {
        Some(Json::Object(own)) => merged.extend(own),
        Some(other) => {
            map.insert("org_settings".into(), other);
            return Json::Object(map);
        }
        None => {}
    }
    map.insert("org_settings".into(), Json::Object(merged));
    Json::Object(map)
}

/// Where a key path (`mock.connected_app.client_id`, `mock.users.0`) stands
/// in the file: at its deepest part that exists.
fn locate(node: &Node, path: &str) -> Location {
    let mut here = node;
    let mut at = node.loc;
    for part in path.split('.').skip(1) {
        let found = match &here.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(key, _)| key.name == part)
                .map(|(key, value)| (key.loc, value)),
            Value::Seq(items) => part
                .parse::<usize>()
                .ok()
                .and_then(|i| items.get(i))
                .map(|item| (item.loc, item)),
            _ => None,
        };
        let Some((loc, next)) = found else { break };
        at = loc;
        here = next;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::{load_config, read_apps};

    #[test]
    fn the_apps_projects_oauth_settings_are_the_orgs_switches_under_the_config_file() {
        let dir = tempfile::tempdir().unwrap();
        let project = dir.path().join("force-app");
        for folder in ["connectedApps", "settings"] {
            std::fs::create_dir_all(project.join(folder)).unwrap();
        }
        let plain = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/apps/plain/connectedApps/Plain_App.connectedApp-meta.xml");
        std::fs::copy(
            plain,
            project.join("connectedApps/Plain_App.connectedApp-meta.xml"),
        )
        .unwrap();
        std::fs::write(
            project.join("settings/OauthOidc.settings-meta.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OauthOidcSettings xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <blockOAuthUnPwFlow>false</blockOAuthUnPwFlow>\n</OauthOidcSettings>\n",
        )
        .unwrap();
        let apps = read_apps(std::slice::from_ref(&project), Some(1)).unwrap();
        assert_eq!(
            apps.org_settings.get("allow_username_password_flows"),
            Some(&serde_json::json!(true))
        );
        assert!(apps.components.iter().any(|c| c.is_oauth_settings()));
        let config = load_config(None, &apps.org_settings).unwrap();
        assert!(config.org_settings.allow_username_password_flows);
        // A key the file sets wins; the others stay the source's.
        let file = dir.path().join("mock.yaml");
        std::fs::write(
            &file,
            "org_settings:\n  allow_username_password_flows: false\n  allow_soap_login: true\n",
        )
        .unwrap();
        let config = load_config(Some(&file), &apps.org_settings).unwrap();
        assert!(!config.org_settings.allow_username_password_flows);
        assert!(config.org_settings.allow_soap_login);
        std::fs::write(&file, "query_batch_size: 5\n").unwrap();
        let config = load_config(Some(&file), &apps.org_settings).unwrap();
        assert!(config.org_settings.allow_username_password_flows);
    }

    #[test]
    fn config_errors_name_the_line_and_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mock.yaml");
        let yaml = "connected_app:\n  client_id: abc\n  pkce_requird: true\n";
        std::fs::write(&file, yaml).unwrap();
        let error = load_config(Some(&file), &serde_json::Map::new()).unwrap_err();
        assert!(
            error.ends_with("mock.yaml:3:3: invalid mock configuration: mock.connected_app.pkce_requird: unknown key"),
            "{error}"
        );
        std::fs::write(
            &file,
            "query_batch_size: 5\nusers:\n  - username: a\n    password: b\n",
        )
        .unwrap();
        assert_eq!(
            load_config(Some(&file), &serde_json::Map::new())
                .unwrap()
                .query_batch_size,
            5
        );
        std::fs::write(&file, "users: [ {username: a}, {username: A} ]\n").unwrap();
        let error = load_config(Some(&file), &serde_json::Map::new()).unwrap_err();
        assert!(
            error.contains(":1:26: invalid mock configuration: mock.users.1.username"),
            "{error}"
        );
        assert!(
            load_config(
                Some(&dir.path().join("missing.yaml")),
                &serde_json::Map::new()
            )
            .is_err()
        );
        std::fs::write(&file, "a: [").unwrap();
        assert!(
            load_config(Some(&file), &serde_json::Map::new())
                .unwrap_err()
                .contains("mock.yaml")
        );
    }
}
