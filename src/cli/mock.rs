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
    let mut config = load_config(args.config.as_deref()).map_err(CliError::MockConfig)?;
    for warning in add_apps(&mut config, &args.apps, args.seed).map_err(CliError::MockConfig)? {
        eprintln!("{warning}");
    }
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

/// The apps of each `--app` path join the org's metadata (served from it);
/// the warning lines about what the mock does not model or cannot serve.
fn add_apps(
    config: &mut MockConfig,
    paths: &[std::path::PathBuf],
    seed: Option<u64>,
) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    for path in paths {
        let source = crate::apps::load(path).map_err(|e| e.to_string())?;
        if source.apps.is_empty() {
            return Err(format!("{}: no app found", path.display()));
        }
        for app in &source.apps {
            let mapped = crate::apps::mock_app::map(app, source.oauth_settings.as_ref(), seed)
                .map_err(|e| e.to_string())?;
            warnings.extend(mapped.warning());
            if let Some(reason) = &mapped.not_served {
                warnings.push(format!(
                    "warning: app `{}` is not served: {reason}",
                    app.name
                ));
            }
            config.sources.components.extend(app.components().cloned());
        }
        config
            .sources
            .components
            .extend(source.oauth_settings.iter().cloned());
    }
    config.sources.seed = seed;
    Ok(warnings)
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

/// `--config FILE`: YAML with the schema of a scenario's `mock:` section.
/// Errors name the file, the line and column when known, and the key path.
fn load_config(path: Option<&Path>) -> Result<MockConfig, String> {
    let Some(path) = path else {
        return MockConfig::from_overrides(&serde_json::Value::Object(serde_json::Map::new()))
            .map_err(|e| format!("invalid mock configuration: {e}"));
    };
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: {e}"))?;
    let node: Node = serde_saphyr::from_str(&text).map_err(|e| format!("{shown}: {e}"))?;
    MockConfig::from_overrides(&node.to_json()).map_err(|e| {
        let at = locate(&node, &e.path);
        format!(
            "{shown}:{}:{}: invalid mock configuration: {e}",
            at.line, at.column
        )
    })
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
    use super::load_config;

    #[test]
    fn config_errors_name_the_line_and_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("mock.yaml");
        let yaml = "connected_app:\n  client_id: abc\n  pkce_requird: true\n";
        std::fs::write(&file, yaml).unwrap();
        let error = load_config(Some(&file)).unwrap_err();
        assert!(
            error.ends_with("mock.yaml:3:3: invalid mock configuration: mock.connected_app.pkce_requird: unknown key"),
            "{error}"
        );
        std::fs::write(
            &file,
            "query_batch_size: 5\nusers:\n  - username: a\n    password: b\n",
        )
        .unwrap();
        assert_eq!(load_config(Some(&file)).unwrap().query_batch_size, 5);
        std::fs::write(&file, "users: [ {username: a}, {username: A} ]\n").unwrap();
        let error = load_config(Some(&file)).unwrap_err();
        assert!(
            error.contains(":1:26: invalid mock configuration: mock.users.1.username"),
            "{error}"
        );
        assert!(load_config(Some(&dir.path().join("missing.yaml"))).is_err());
        std::fs::write(&file, "a: [").unwrap();
        assert!(load_config(Some(&file)).unwrap_err().contains("mock.yaml"));
    }
}
