//! `sfscenario run`: load the files, run each scenario, print the chosen
//! format, write reports and snapshots, and decide the exit status.

use std::path::{Path, PathBuf};

use crate::cli::args::{RunArgs, Shard};
use crate::cli::exit::{CliError, Exit};
use crate::cli::{files, live, output, schedule, target_org};
use crate::log::ScenarioLog;
use crate::net::client::Http;
use crate::render::{self, Format, RenderOptions};
use crate::runner::Outcome;
use crate::runner::run_config::{RunConfig, Target, org_url};
use crate::scenario::diag::Diagnostic;
use crate::scenario::load::load;
use crate::scenario::model::Scenario;
use crate::secret::{Mode, Redactor};

/// A `--report FORMAT=PATH`.
pub struct Report {
    pub format: Format,
    pub path: PathBuf,
}

/// Everything `run` was asked, checked.
pub struct Plan {
    pub config: RunConfig,
    pub format: Format,
    pub reports: Vec<Report>,
    pub opts: RenderOptions,
    pub mode: Mode,
    pub snapshots: Option<PathBuf>,
    pub update_snapshots: bool,
    pub files: Vec<PathBuf>,
    /// Reports and snapshots are named relative to this directory.
    pub base: PathBuf,
    pub jobs: usize,
}

/// A scenario that ran (its log and the values to redact in it).
pub struct Done {
    pub log: ScenarioLog,
    pub redactor: Redactor,
    pub file: PathBuf,
}

impl Plan {
    /// Whether an output needs the steps of scenarios that ran: a format or
    /// report that shows them, or snapshots. The terminal's summary needs
    /// only each scenario's status.
    pub fn keeps_logs(&self) -> bool {
        self.format != Format::Pretty || !self.reports.is_empty() || self.snapshots.is_some()
    }

    /// What is kept of a finished scenario's outcome.
    pub fn kept(&self, outcome: Outcome, file: PathBuf) -> Done {
        let mut log = outcome.log;
        if !self.keeps_logs() {
            log.steps = Vec::new();
            log.vars = Default::default();
        }
        Done {
            log,
            redactor: if self.keeps_logs() {
                outcome.redactor
            } else {
                Redactor::new()
            },
            file,
        }
    }
}

/// Runs the `run` subcommand.
pub fn run(args: RunArgs) -> Result<Exit, CliError> {
    let plan = plan(&args)?;
    // Scenarios run on one single-threaded runtime per core (see
    // `schedule::run_scenarios`); this one prints their output in order and
    // runs one share of them itself.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Start(format!("cannot start the async runtime: {e}")))?;
    let plan = std::sync::Arc::new(plan);
    let exit = runtime.block_on(run_all(plan));
    // After Ctrl-C, tasks may still wait (a callback listener, a request):
    // they are dropped, not waited for.
    runtime.shutdown_background();
    exit
}

fn plan(args: &RunArgs) -> Result<Plan, CliError> {
    let reports = args
        .reports
        .iter()
        .map(|r| Report {
            format: r.format,
            path: r.path.clone(),
        })
        .collect();
    let target = match (&args.target_org, &args.org) {
        (Some(_), Some(_)) if !args.org_from_env => {
            return Err(CliError::Option {
                option: "--target-org",
                message: "cannot be used with --org: give the org as an alias of the Salesforce CLI or as a login URL, not both".into(),
            });
        }
        (Some(alias), _) => {
            Target::CliOrg(
                target_org::resolve(alias).map_err(|message| CliError::Option {
                    option: "--target-org",
                    message,
                })?,
            )
        }
        (None, Some(o)) => Target::Org(org_url(o).map_err(|message| CliError::Option {
            option: "--org",
            message,
        })?),
        (None, None) => Target::Mock,
    };
    let mut config = RunConfig::new(target);
    config.seed = args.seed;
    config.vars = args
        .vars
        .iter()
        .map(|a| (a.name.clone(), a.value.clone()))
        .collect();
    config.browser = args.browser;
    config.timeout = args.timeout.map(|d| d.0);
    if let Some(path) = &args.ca_cert {
        config.ca_cert = Some(std::fs::read(path).map_err(|e| CliError::Option {
            option: "--ca-cert",
            message: format!("{}: {e}", path.display()),
        })?);
    }
    config.env = files::environment(args.env_file.as_deref()).map_err(CliError::EnvFile)?;
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let files = files::scenario_files(&args.paths).map_err(CliError::Paths)?;
    Ok(Plan {
        config,
        format: args.format,
        reports,
        opts: RenderOptions {
            color,
            verbose: args.verbose,
            quiet: args.quiet,
        },
        mode: if args.show_secrets {
            Mode::Reveal
        } else {
            Mode::Display
        },
        snapshots: args.snapshots.clone(),
        update_snapshots: args.update_snapshots,
        files: match args.shard {
            Some(s) => shard(files, s),
            None => files,
        },
        base: output::common_base(&args.paths),
        jobs: args.jobs.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        }),
    })
}

/// `--shard K/N`: the K-th of N slices of the sorted files.
fn shard(mut files: Vec<PathBuf>, shard: Shard) -> Vec<PathBuf> {
    files.sort();
    files
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % shard.n == shard.k - 1)
        .map(|(_, f)| f)
        .collect()
}

/// Runs every planned scenario, then writes outputs.
async fn run_all(plan: std::sync::Arc<Plan>) -> Result<Exit, CliError> {
    let http = Http::new(plan.config.ca_cert.as_deref()).map_err(|e| CliError::Option {
        option: "--ca-cert",
        message: e.to_string(),
    })?;
    // Ctrl-C: the reports of what ran so far (the running scenario up to its
    // last finished step) are written, then the exit status is 130.
    let gathered = live::Gathered::default();
    let running = schedule::run_scenarios(std::sync::Arc::clone(&plan), http, gathered.clone());
    let (done, worst, interrupted) = tokio::select! {
        (done, worst) = running => (done, Exit::from(worst), false),
        _ = tokio::signal::ctrl_c() => {
            eprintln!("\ninterrupted: writing what ran so far");
            (gathered.take(), Exit::Failed, true)
        }
    };
    let mut worst = worst;
    if plan.format == Format::Pretty {
        if done.len() + usize::from(worst == Exit::Unusable) > 1 {
            let logs: Vec<ScenarioLog> = done.iter().map(|d| d.log.clone()).collect();
            live::print(&render::pretty::summary(&logs, &plan.opts));
        }
    } else {
        live::print(&output::render_all(plan.format, &done, &plan));
    }
    for report in &plan.reports {
        if let Err(e) = output::write_report(report, &done, &plan) {
            worst = worst.max(CliError::Write(e).report());
        }
    }
    if interrupted {
        return Ok(Exit::Interrupted);
    }
    if let Some(dir) = &plan.snapshots
        && !output::compare_snapshots(dir, &done, &plan)
    {
        worst = worst.max(Exit::Failed);
    }
    Ok(worst)
}

/// A file that could not be used; its diagnostics were printed.
#[derive(Debug)]
pub struct Unusable;

/// Reads and loads a file, printing its diagnostics.
pub fn read_scenario(file: &Path, display: &str) -> Result<Scenario, Unusable> {
    printed(load_file(file, display))
}

/// A file's diagnostics, printed.
fn printed(loaded: Result<Scenario, String>) -> Result<Scenario, Unusable> {
    loaded.map_err(|text| {
        eprint!("{text}");
        Unusable
    })
}

/// Reads and loads a file; the error is its diagnostics, rendered.
fn load_file(file: &Path, display: &str) -> Result<Scenario, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("error: cannot read {display}: {e}\n"))?;
    load(display, &bytes).map_err(|diags| render_diagnostics(display, &bytes, &diags))
}

/// Reads and loads files on up to `threads` threads; diagnostics are
/// printed in file order, the scenarios returned in file order.
pub fn read_scenarios(files: &[PathBuf], threads: usize) -> Vec<Result<Scenario, Unusable>> {
    let chunk = files.len().div_ceil(threads.max(1)).max(1);
    let read = |f: &PathBuf| load_file(f, &f.display().to_string());
    let loaded: Vec<Result<Scenario, String>> = if threads <= 1 {
        files.iter().map(read).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = files
                .chunks(chunk)
                .map(|part| {
                    let handle = scope.spawn(move || part.iter().map(read).collect::<Vec<_>>());
                    (part, handle)
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|(part, h)| {
                    // One result per file whatever happens, so that they stay in step.
                    h.join().unwrap_or_else(|_| {
                        part.iter()
                            .map(|f| Err(format!("error: {} could not be loaded\n", f.display())))
                            .collect()
                    })
                })
                .collect()
        })
    };
    loaded.into_iter().map(printed).collect()
}

pub fn print_diagnostics(display: &str, bytes: &[u8], diags: &[Diagnostic]) {
    eprint!("{}", render_diagnostics(display, bytes, diags));
}

fn render_diagnostics(display: &str, bytes: &[u8], diags: &[Diagnostic]) -> String {
    let source = String::from_utf8_lossy(bytes);
    diags.iter().map(|d| d.render(display, &source)).collect()
}
