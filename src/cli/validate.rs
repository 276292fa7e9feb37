//! `sfscenario validate`: every check that needs no network, all problems at once.

use crate::cli::args::ValidateArgs;
use crate::cli::exit::{CliError, Exit};
use crate::cli::files;
use crate::cli::run::{print_diagnostics, read_scenario};
use crate::scenario::check;
use crate::scenario::template::Templates;

pub fn validate(args: &ValidateArgs) -> Result<Exit, CliError> {
    let files = files::scenario_files(&args.paths).map_err(CliError::Paths)?;
    let mut bad = 0;
    for file in &files {
        let display = file.display().to_string();
        let Ok(scenario) = read_scenario(file, &display) else {
            bad += 1;
            continue;
        };
        let supplied: Vec<&str> = args.vars.iter().map(|v| v.name.as_str()).collect();
        let mut diags = check::check(&scenario, &Templates::new());
        diags.extend(check::undeclared_secrets(&scenario, &supplied));
        diags.extend(crate::runner::source_app::check_app(&scenario));
        if diags.is_empty() {
            eprintln!("ok: {display}");
        } else {
            print_diagnostics(&display, scenario.source.as_bytes(), &diags);
            bad += 1;
        }
    }
    eprintln!("{} valid, {bad} invalid", files.len() - bad);
    Ok(if bad == 0 {
        Exit::Passed
    } else {
        Exit::Unusable
    })
}
