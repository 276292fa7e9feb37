//! `sfscenario run`: load the files, run each scenario, print the chosen
//! format, write reports and snapshots, and decide the exit status.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::cli::args::{RunArgs, split_assignment};
use crate::cli::files;
use crate::cli::write::write_atomic;
use crate::log::{ScenarioLog, StepLog};
use crate::render::{self, Format, RenderOptions};
use crate::runner::config::{BrowserMode, RunConfig, Target, org_url};
use crate::runner::http::Http;
use crate::runner::run::{Events, Verdict, run_scenario};
use crate::scenario::diag::Diagnostic;
use crate::scenario::load::load;
use crate::scenario::model::Scenario;
use crate::scenario::schema::parse_duration;
use crate::secret::{Mode, Redactor};

/// A `--report FORMAT=PATH`.
struct Report {
    format: Format,
    path: PathBuf,
}

/// Everything `run` was asked, checked.
struct Plan {
    config: RunConfig,
    format: Format,
    reports: Vec<Report>,
    opts: RenderOptions,
    mode: Mode,
    snapshots: Option<PathBuf>,
    update_snapshots: bool,
    files: Vec<PathBuf>,
    roots: Vec<PathBuf>,
}

/// Runs the `run` subcommand; returns the exit status.
pub fn run(args: RunArgs) -> u8 {
    let plan = match plan(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(run_all(&plan))
}

fn plan(args: &RunArgs) -> Result<Plan, String> {
    let format: Format = args.format.parse().map_err(|e| format!("--format: {e}"))?;
    let mut reports = Vec::new();
    for r in &args.reports {
        let (f, p) = split_assignment(r).map_err(|e| format!("--report {e}"))?;
        let format = f.parse().map_err(|e| format!("--report: {e}"))?;
        reports.push(Report {
            format,
            path: PathBuf::from(p),
        });
    }
    let target = match &args.org {
        Some(o) => Target::Org(org_url(o)?),
        None => Target::Mock,
    };
    let mut config = RunConfig::new(target);
    config.seed = args.seed;
    for v in &args.vars {
        config
            .vars
            .push(split_assignment(v).map_err(|e| format!("--var {e}"))?);
    }
    if let Some(b) = &args.browser {
        config.browser = Some(
            b.parse::<BrowserMode>()
                .map_err(|e| format!("--browser: {e}"))?,
        );
    }
    if let Some(t) = &args.timeout {
        let ms = parse_duration(t)
            .ok_or_else(|| format!("--timeout `{t}`: expected a duration like 30s, 2m or 500ms"))?;
        config.timeout = Some(std::time::Duration::from_millis(ms));
    }
    if let Some(path) = &args.ca_cert {
        config.ca_cert =
            Some(std::fs::read(path).map_err(|e| format!("--ca-cert {}: {e}", path.display()))?);
    }
    config.env = files::environment(args.env_file.as_deref())?;
    let color = std::io::IsTerminal::is_terminal(&std::io::stdout())
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Ok(Plan {
        config,
        format,
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
        files: files::scenario_files(&args.paths)?,
        roots: args.paths.clone(),
    })
}

/// Live terminal output for `--format pretty`.
struct Live<'a> {
    plan: &'a Plan,
    pretty: bool,
    out: Mutex<std::io::Stdout>,
}

impl Events for Live<'_> {
    fn started(&self, log: &ScenarioLog) {
        if self.pretty {
            let target = match &self.plan.config.target {
                Target::Mock => "built-in mock org".to_owned(),
                Target::Org(u) => u.clone(),
            };
            self.print(&render::pretty::header(
                &log.name,
                &log.file,
                &target,
                &self.plan.opts,
            ));
        }
    }
    fn step(&self, step: &StepLog, redactor: &Redactor) {
        if self.pretty {
            self.print(
                &redactor.redact(&render::pretty::step(step, &self.plan.opts), self.plan.mode),
            );
        }
    }
    fn notice(&self, message: &str) {
        eprintln!("{message}");
    }
}

impl Live<'_> {
    fn print(&self, text: &str) {
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
}

struct Done {
    log: ScenarioLog,
    redactor: Redactor,
    file: PathBuf,
}

async fn run_all(plan: &Plan) -> u8 {
    let http = match Http::new(plan.config.ca_cert.as_deref()) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let live = Live {
        plan,
        pretty: plan.format == Format::Pretty,
        out: Mutex::new(std::io::stdout()),
    };
    let mut done = Vec::new();
    let mut worst = Verdict::Passed;
    for file in &plan.files {
        let display = file.display().to_string();
        let scenario = match read_scenario(file, &display) {
            Ok(s) => s,
            Err(Unusable) => {
                worst = worst.max(Verdict::Unusable);
                continue;
            }
        };
        let outcome = run_scenario(&scenario, &plan.config, &http, &live).await;
        for d in &outcome.diagnostics {
            eprint!("{}", d.render(&display, &scenario.source));
        }
        if live.pretty && outcome.verdict != Verdict::Unusable {
            live.print(
                &outcome
                    .redactor
                    .redact(&render::pretty::footer(&outcome.log, &plan.opts), plan.mode),
            );
        }
        worst = worst.max(outcome.verdict);
        if outcome.verdict != Verdict::Unusable {
            done.push(Done {
                log: outcome.log,
                redactor: outcome.redactor,
                file: file.clone(),
            });
        }
    }
    if live.pretty && done.len() > 1 {
        let logs: Vec<ScenarioLog> = done.iter().map(|d| d.log.clone()).collect();
        live.print(&render::pretty::summary(&logs, &plan.opts));
    }
    if !live.pretty {
        live.print(&render_all(plan.format, &done, plan));
    }
    for report in &plan.reports {
        if let Err(e) = write_report(report, &done, plan) {
            eprintln!("error: {e}");
            worst = worst.max(Verdict::Unusable);
        }
    }
    if let Some(dir) = &plan.snapshots
        && !compare_snapshots(dir, &done, plan)
    {
        worst = worst.max(Verdict::Failed);
    }
    match worst {
        Verdict::Passed => 0,
        Verdict::Failed => 1,
        Verdict::Unusable => 2,
    }
}

/// A file that could not be used; its diagnostics were printed.
#[derive(Debug)]
pub struct Unusable;

/// Reads and loads a file, printing its diagnostics.
pub fn read_scenario(file: &Path, display: &str) -> Result<Scenario, Unusable> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {display}: {e}");
            return Err(Unusable);
        }
    };
    load(display, &bytes).map_err(|diags| {
        print_diagnostics(display, &bytes, &diags);
        Unusable
    })
}

pub fn print_diagnostics(display: &str, bytes: &[u8], diags: &[Diagnostic]) {
    let source = String::from_utf8_lossy(bytes);
    for d in diags {
        eprint!("{}", d.render(display, &source));
    }
}

/// One text for stdout or a report.
fn render_all(format: Format, done: &[Done], plan: &Plan) -> String {
    let mode = if format == Format::Snapshot {
        Mode::Snapshot
    } else {
        plan.mode
    };
    if matches!(format, Format::Json | Format::Junit) && done.len() != 1 {
        let logs: Vec<ScenarioLog> = done.iter().map(|d| d.log.clone()).collect();
        let mut all = Redactor::new();
        done.iter().for_each(|d| all.merge(&d.redactor));
        return all.redact(&render::render_run(format, &logs, &plan.opts), mode);
    }
    let opts = RenderOptions {
        color: false,
        ..plan.opts
    };
    done.iter()
        .map(|d| {
            d.redactor
                .redact(&render::render_scenario(format, &d.log, &opts), mode)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_report(report: &Report, done: &[Done], plan: &Plan) -> Result<(), String> {
    let private = plan.mode == Mode::Reveal;
    if report.path.to_string_lossy().ends_with('/') {
        for d in done {
            let stem = d
                .file
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario");
            let path = report
                .path
                .join(format!("{stem}.{}", extension(report.format)));
            write_atomic(
                &path,
                &render_all(report.format, std::slice::from_ref(d), plan),
                private,
            )?;
        }
        return Ok(());
    }
    write_atomic(
        &report.path,
        &render_all(report.format, done, plan),
        private,
    )
}

fn extension(format: Format) -> &'static str {
    match format {
        Format::Pretty => "txt",
        Format::Markdown => "md",
        Format::Json => "json",
        Format::Junit => "xml",
        Format::Snapshot => "snap",
    }
}

/// Compares (or writes) `DIR/<stem>.snap`; prints a diff for each mismatch.
fn compare_snapshots(dir: &Path, done: &[Done], plan: &Plan) -> bool {
    let mut ok = true;
    for d in done {
        let rel = relative(&d.file, &plan.roots);
        let path = dir.join(rel.with_extension("snap"));
        let text = render_all(Format::Snapshot, std::slice::from_ref(d), plan);
        let existing = std::fs::read_to_string(&path).ok();
        if plan.update_snapshots {
            if existing.as_deref() != Some(text.as_str()) {
                let what = if existing.is_some() { "updated" } else { "new" };
                eprintln!("snapshot {what}: {}", path.display());
                if let Err(e) = write_atomic(&path, &text, false) {
                    eprintln!("error: {e}");
                    ok = false;
                }
            }
            continue;
        }
        match existing {
            None => {
                eprintln!(
                    "snapshot missing: {} (run with --update-snapshots to write it)",
                    path.display()
                );
                ok = false;
            }
            Some(old) if old != text => {
                eprintln!("snapshot mismatch: {}", path.display());
                eprint!("{}", unified_diff(&old, &text));
                ok = false;
            }
            Some(_) => {}
        }
    }
    ok
}

fn relative(file: &Path, roots: &[PathBuf]) -> PathBuf {
    for root in roots {
        if root.is_dir()
            && let Ok(rel) = file.strip_prefix(root)
        {
            return rel.to_path_buf();
        }
    }
    PathBuf::from(file.file_name().unwrap_or(file.as_os_str()))
}

fn unified_diff(old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}
