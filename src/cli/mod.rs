//! The command line: parse, dispatch, exit status.

pub mod args;
pub mod exit;
pub mod files;
pub mod init;
pub mod live;
pub mod mock;
pub mod output;
pub mod run;
pub mod schedule;
pub mod validate;
pub mod write;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

use args::{Cli, Command};
use exit::Exit;

/// Runs sfscenario with these arguments.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // Help and version are answers, not errors.
            let exit = if e.use_stderr() {
                Exit::Unusable
            } else {
                Exit::Passed
            };
            return exit.into();
        }
    };
    let ended = match cli.command {
        Command::Run(a) => run::run(*a),
        Command::Validate(a) => validate::validate(&a),
        Command::Mock(a) => mock::mock(&a),
        Command::Init(a) => init::init(&a),
        Command::Schema => {
            let schema = crate::scenario::jsonschema::json_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            Ok(Exit::Passed)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "sfscenario",
                &mut std::io::stdout(),
            );
            Ok(Exit::Passed)
        }
    };
    ended.unwrap_or_else(|e| e.report()).into()
}
