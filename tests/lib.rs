//! Integration tests: one binary (`cargo test --test integration`) that runs
//! the `sfscenario` executable against its built-in mock org.

mod bad_file;
mod browser;
mod bundled;
mod cli;
mod docs;
mod formats;
mod harness;
mod hostile_input;
mod hostile_servers;
mod interop;
mod interop_sf;
mod junit;
mod load;
mod negative;
mod schema_check;
mod secrets;
mod secrets_all;
mod secrets_hostile;
mod security;
mod server_limits;
mod snapshots_cli;
mod validation;
mod validation_runs;
mod webdriver;
