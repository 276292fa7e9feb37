//! The live output of scenarios that run: each scenario's lines straight to
//! the terminal, or held until the ones before it are printed; the partial
//! log of every running scenario, for Ctrl-C; the progress line.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::cli::run::{Done, Plan};
use crate::log::{ScenarioLog, StepLog};
use crate::render::{self, Format};
use crate::runner::run_config::Target;
use crate::runner::{Events, Outcome, Verdict};
use crate::scenario::model::Scenario;
use crate::secret::Redactor;

/// Writes to stdout at once.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// What has run so far, scenario by scenario in file order: the finished
/// ones, and the running ones up to their last finished step (for Ctrl-C).
#[derive(Clone, Default)]
pub struct Gathered(Arc<Mutex<BTreeMap<usize, Done>>>);

impl Gathered {
    pub(super) fn update(&self, change: impl FnOnce(&mut BTreeMap<usize, Done>)) {
        if let Ok(mut map) = self.0.lock() {
            change(&mut map);
        }
    }

    /// Everything gathered, in file order.
    pub fn take(&self) -> Vec<Done> {
        self.0
            .lock()
            .map(|mut m| std::mem::take(&mut *m).into_values().collect())
            .unwrap_or_default()
    }
}

/// Live output of one scenario: straight to stdout (its diagnostics to
/// stderr), or buffered until its turn.
pub(super) struct Sink {
    pub(super) plan: Arc<Plan>,
    pub(super) buffer: Option<Mutex<Buffered>>,
    pub(super) index: usize,
    pub(super) file: PathBuf,
    pub(super) gathered: Gathered,
}

impl Sink {
    fn emit(&self, text: &str) {
        match &self.buffer {
            Some(b) => {
                if let Ok(mut b) = b.lock() {
                    b.out.push_str(text);
                }
            }
            None => print(text),
        }
    }

    fn emit_diagnostic(&self, text: &str) {
        match &self.buffer {
            Some(b) => {
                if let Ok(mut b) = b.lock() {
                    b.err.push_str(text);
                }
            }
            None => eprint!("{text}"),
        }
    }

    fn pretty(&self) -> bool {
        self.plan.format == Format::Pretty
    }
}

impl Events for Sink {
    fn started(&self, log: &ScenarioLog, redactor: &Redactor) {
        let mut partial = log.clone();
        partial.status = crate::log::Status::Failed;
        partial.error = Some("interrupted (Ctrl-C) before the scenario ended".into());
        // The values known so far (vars, `org`) are redacted in the partial
        // log that Ctrl-C writes, even before the first step has finished.
        let done = Done {
            log: partial,
            redactor: redactor.clone(),
            file: self.file.clone(),
        };
        self.gathered.update(|m| {
            m.insert(self.index, done);
        });
        if self.pretty() && !self.plan.opts.quiet {
            let target = match &self.plan.config.target {
                Target::Mock => "built-in mock org".to_owned(),
                Target::Org(u) => u.clone(),
                Target::CliOrg(org) => format!("{} ({})", org.instance_url, org.alias),
            };
            let mode = self.plan.mode;
            let shown = |text: &str| {
                redactor
                    .redact_secrets(text, mode)
                    .unwrap_or_else(|| text.to_owned())
            };
            self.emit(&redactor.redact(
                &render::pretty::header(&shown(&log.name), &log.file, &target, &self.plan.opts),
                mode,
            ));
        }
    }
    fn step(&self, step: &StepLog, redactor: &Redactor) {
        if self.plan.keeps_logs() {
            self.gathered.update(|m| {
                if let Some(d) = m.get_mut(&self.index) {
                    d.log.steps.push(step.clone());
                    d.redactor = redactor.clone();
                }
            });
        }
        // With -q a step that passed shows nothing: nothing to redact either.
        let shown = !self.plan.opts.quiet || step.status == crate::log::Status::Failed;
        if self.pretty() && shown {
            let mode = self.plan.mode;
            let step = redactor.redact_step(step, mode);
            self.emit(&redactor.redact(&render::pretty::step(&step, &self.plan.opts), mode));
        }
    }
    fn notice(&self, message: &str, redactor: &Redactor) {
        let message = redactor.redact(message, self.plan.mode);
        eprintln!("{}", render::terminal::safe(&message));
    }
    fn progress(&self, message: &str) {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            eprint!("\r\x1b[2K{message}");
        }
    }
}

/// A scenario's output held until the ones before it are printed.
#[derive(Default)]
pub(super) struct Buffered {
    out: String,
    /// Its diagnostics, for stderr.
    err: String,
}

/// What one scenario task hands back: its position, verdict and buffered
/// output (`None` when the task stopped unexpectedly).
pub(super) type Finished = (usize, Verdict, Option<Buffered>);

/// Prints buffered output in file order as scenarios finish.
#[derive(Default)]
pub(super) struct Ordered {
    next: usize,
    texts: BTreeMap<usize, Option<Buffered>>,
    /// A progress line on stderr: total scenarios, or `None` when not shown.
    pub(super) progress: Option<usize>,
    finished: usize,
    failed: usize,
}

impl Ordered {
    pub(super) fn add(&mut self, (index, verdict, text): Finished, worst: &mut Verdict) {
        *worst = (*worst).max(verdict);
        self.finished += 1;
        self.failed += usize::from(verdict != Verdict::Passed);
        self.texts.insert(index, text);
        self.flush();
    }

    fn flush(&mut self) {
        let Some(total) = self.progress else {
            self.print_ready();
            return;
        };
        eprint!("\r\x1b[2K");
        self.print_ready();
        if self.finished < total {
            let bar = progress_bar(self.finished, total, 24);
            eprint!(
                "{bar} {}/{total} scenarios · {} failed",
                self.finished, self.failed
            );
        }
    }

    fn print_ready(&mut self) {
        while let Some(text) = self.texts.remove(&self.next) {
            if let Some(t) = text {
                eprint!("{}", t.err);
                print(&t.out);
            }
            self.next += 1;
        }
    }
}

/// `[#########...............]`
fn progress_bar(done: usize, total: usize, width: usize) -> String {
    let filled = (done * width).checked_div(total).unwrap_or(0).min(width);
    format!("[{}{}]", "#".repeat(filled), ".".repeat(width - filled))
}

/// After a scenario: its diagnostics to stderr, its footer to the sink.
pub(super) fn finish(sink: &Sink, scenario: &Scenario, outcome: &Outcome) {
    for d in &outcome.diagnostics {
        sink.emit_diagnostic(&d.render(&scenario.path, &scenario.source));
    }
    let shown = !sink.plan.opts.quiet || outcome.log.status == crate::log::Status::Failed;
    if sink.pretty() && outcome.verdict != Verdict::Unusable && shown {
        let mode = sink.plan.mode;
        let r = &outcome.redactor;
        let shown = |t: &str| r.redact_secrets(t, mode).unwrap_or_else(|| t.to_owned());
        let log = &outcome.log;
        let error = log.error.as_deref().map(shown);
        let footer =
            render::pretty::footer_with(log, &shown(&log.name), error.as_deref(), &sink.plan.opts);
        sink.emit(&r.redact(&footer, mode));
    }
}
