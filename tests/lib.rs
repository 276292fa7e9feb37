//! Integration tests: one binary (`cargo test --test integration`) that runs
//! the `sfscenario` executable against its built-in mock org. Tests that need
//! an outside tool (a browser, a Salesforce client, a validator, a shell) are
//! in the `tools` binary (`tests/tools/main.rs`).

mod apps;
mod bad_file;
mod bundled;
mod cli;
mod docs;
mod doctor;
mod documented_commands;
mod env_file;
mod formats;
mod harness;
mod hostile_input;
mod hostile_servers;
mod interactive;
mod interop;
mod junit;
mod mock_under_load;
mod negative;
mod secrets;
mod secrets_all;
mod secrets_hostile;
mod security;
mod server_limits;
mod shard;
mod snapshots_cli;
mod target_org;
mod validation;
mod validation_runs;
