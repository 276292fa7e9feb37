//! `sfscenario mock`: the built-in mock org as a standalone server.

use crate::cli::args::MockArgs;
use crate::mock::{MockConfig, MockOptions, MockServer};
use crate::scenario::node::Node;

pub fn mock(args: &MockArgs) -> u8 {
    let overrides = match &args.config {
        Some(path) => match read_config(path) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("error: {e}");
                return 2;
            }
        },
        None => serde_json::Value::Object(serde_json::Map::new()),
    };
    let config = match MockConfig::from_overrides(&overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: invalid mock configuration: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(async {
        let options = MockOptions {
            host: args.host,
            port: args.port,
            seed: args.seed,
        };
        let server = match MockServer::start(config, options).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!(
                    "error: cannot start the mock org on {}:{}: {e}",
                    args.host, args.port
                );
                return 2;
            }
        };
        let cfg = server.config();
        println!("sfscenario mock org listening on {}", server.base_url());
        println!("  login URL      {}", server.base_url());
        println!("  client_id      {}", cfg.connected_app.client_id);
        println!("  client_secret  {}", cfg.connected_app.client_secret);
        for u in &cfg.users {
            println!(
                "  user           {} / {} (security token {})",
                u.username, u.password, u.security_token
            );
        }
        println!(
            "  callback URLs  {}",
            cfg.connected_app.callback_urls.join(", ")
        );
        println!("Press Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
        server.shutdown().await;
        eprintln!("stopped");
        0
    })
}

fn read_config(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let node: Node =
        serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(node.to_json())
}
