//! The command line: parse, dispatch, exit status.

pub mod args;
pub mod banner;
pub mod exit;
pub mod files;
pub mod init;
pub mod live;
pub mod mock;
pub mod output;
pub mod run;
pub mod schedule;
pub mod target_org;
pub mod validate;
pub mod walkthroughs;
pub mod write;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::CommandFactory as _;

use args::{Cli, Command};
use exit::Exit;

/// Runs sfscenario with these arguments; `version` is what `--version`
/// prints after the name.
pub fn main(args: impl IntoIterator<Item = OsString>, version: &'static str) -> ExitCode {
    let cli = match parse(args, version) {
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

/// The command line, and where `run --org` came from.
fn parse(
    args: impl IntoIterator<Item = OsString>,
    version: &'static str,
) -> Result<Cli, clap::Error> {
    use clap::FromArgMatches as _;
    let matches = Cli::command().version(version).try_get_matches_from(args)?;
    let mut cli = Cli::from_arg_matches(&matches)?;
    if let Command::Run(run) = &mut cli.command {
        run.org_from_env = matches
            .subcommand_matches("run")
            .and_then(|m| m.value_source("org"))
            == Some(clap::parser::ValueSource::EnvVariable);
    }
    Ok(cli)
}
