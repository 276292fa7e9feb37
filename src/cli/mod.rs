//! The command line: parse, dispatch, exit status.

pub mod args;
pub mod banner;
pub mod files;
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

/// Runs sfscenario with these arguments.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let code = match cli.command {
        Command::Run(a) => run::run(*a),
        Command::Validate(a) => validate::validate(&a),
        Command::Mock(a) => mock::mock(&a),
        Command::Schema => {
            let schema = crate::scenario::jsonschema::json_schema();
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).unwrap_or_default()
            );
            0
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "sfscenario",
                &mut std::io::stdout(),
            );
            0
        }
    };
    ExitCode::from(code)
}
