//! Running many scenarios: in parallel up to `--jobs`, each with its own mock
//! org, scenarios that listen on the same callback port one after another, and
//! output printed in file order whatever order they finish in.

use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use crate::cli::run::{Done, Plan, read_scenarios};
use crate::log::{ScenarioLog, StepLog};
use crate::net::client::Http;
use crate::render::{self, Format};
use crate::runner::run_config::Target;
use crate::runner::{Events, Outcome, Verdict, run_scenario};
use crate::scenario::model::{Kind, Scenario};
use crate::scenario::node::Value as NodeValue;
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
    fn update(&self, change: impl FnOnce(&mut BTreeMap<usize, Done>)) {
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
struct Sink {
    plan: Arc<Plan>,
    buffer: Option<Mutex<Buffered>>,
    index: usize,
    file: PathBuf,
    gathered: Gathered,
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
        if self.pretty() {
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
        if self.pretty() {
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
struct Buffered {
    out: String,
    /// Its diagnostics, for stderr.
    err: String,
}

/// What one scenario task hands back: its position, verdict and buffered
/// output (`None` when the task stopped unexpectedly).
type Finished = (usize, Verdict, Option<Buffered>);

/// A scenario waiting to run.
struct Job {
    index: usize,
    file: PathBuf,
    scenario: Scenario,
    /// The callback ports it shares with other scenarios.
    ports: Vec<Arc<tokio::sync::Mutex<()>>>,
}

/// Runs the plan's files; returns what ran (in file order) and the worst verdict.
///
/// Scenarios run on one thread per core, each thread with its own
/// single-threaded runtime and HTTP client: a scenario's client, mock org and
/// callback listener then talk over loopback without waking another thread,
/// which costs a fifth less time than tokio's work-stealing runtime. Each
/// thread runs its share of `--jobs` scenarios at a time; output is printed
/// in file order by the caller's task.
pub async fn run_scenarios(
    plan: Arc<Plan>,
    http: Http,
    gathered: Gathered,
) -> (Vec<Done>, Verdict) {
    let mut worst = Verdict::Passed;
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    // Fewer than 16 files a reader are not worth a thread.
    let readers = cores.min(plan.files.len() / 16).max(1);
    let mut loaded = Vec::new();
    for (file, read) in plan.files.iter().zip(read_scenarios(&plan.files, readers)) {
        match read {
            Ok(s) => loaded.push((file.clone(), s)),
            Err(_) => worst = Verdict::Unusable,
        }
    }
    let total = loaded.len();
    let parallel = plan.jobs > 1 && total > 1;
    let locks = port_locks(&loaded, &plan);
    let jobs: Vec<Job> = loaded
        .into_iter()
        .enumerate()
        .map(|(index, (file, scenario))| Job {
            ports: static_ports(&scenario, &plan)
                .iter()
                .filter_map(|p| locks.get(p).cloned())
                .collect(),
            index,
            file,
            scenario,
        })
        .collect();
    let queue = Arc::new(Mutex::new(jobs.into_iter()));
    let jobs = plan.jobs.max(1);
    let threads = jobs.min(cores).min(total.max(1));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Finished>();
    let mut order = Ordered::default();
    let on_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    if parallel && on_terminal && !plan.opts.quiet {
        order.progress = Some(total);
    }
    let context = Worker {
        plan: Arc::clone(&plan),
        queue,
        slots: 1,
        parallel,
        gathered: gathered.clone(),
        tx,
    };
    let mut inline = None;
    for (n, slots) in shares(jobs, threads).into_iter().enumerate() {
        let worker = Worker {
            slots,
            ..context.clone()
        };
        if n + 1 == threads {
            // The last share runs here: one scenario starts no thread at all.
            inline = Some(worker.run(http.clone()));
            break;
        }
        let spawned = std::thread::Builder::new()
            .name(format!("scenarios-{n}"))
            .spawn(move || worker.run_on_thread());
        if let Err(e) = spawned {
            eprintln!("error: cannot start a thread: {e}");
        }
    }
    drop(context);
    let collect = async {
        while let Some(finished) = rx.recv().await {
            order.add(finished, &mut worst);
        }
    };
    match inline {
        Some(here) => {
            tokio::join!(here, collect);
        }
        None => collect.await,
    }
    (gathered.take(), worst)
}

/// `--jobs` shared out between the threads: never more scenarios at once in
/// all, and at least one per thread.
fn shares(jobs: usize, threads: usize) -> Vec<usize> {
    let threads = threads.clamp(1, jobs.max(1));
    (0..threads)
        .map(|n| jobs / threads + usize::from(n < jobs % threads))
        .collect()
}

/// One thread's share of the scenarios.
#[derive(Clone)]
struct Worker {
    plan: Arc<Plan>,
    queue: Arc<Mutex<std::vec::IntoIter<Job>>>,
    /// How many of its scenarios run at once.
    slots: usize,
    parallel: bool,
    gathered: Gathered,
    tx: tokio::sync::mpsc::UnboundedSender<Finished>,
}

impl Worker {
    fn run_on_thread(self) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build();
        let http = Http::new(self.plan.config.ca_cert.as_deref());
        match (runtime, http) {
            (Ok(runtime), Ok(http)) => runtime.block_on(self.run(http)),
            (Err(e), _) => eprintln!("error: cannot start the async runtime: {e}"),
            (_, Err(e)) => eprintln!("error: {e}"),
        }
    }

    /// Takes scenarios from the queue until it is empty, `slots` at a time.
    async fn run(self, http: Http) {
        let mut running = tokio::task::JoinSet::new();
        let mut ids = HashMap::new();
        loop {
            while running.len() < self.slots {
                let Some(job) = self.queue.lock().ok().and_then(|mut q| q.next()) else {
                    break;
                };
                let index = job.index;
                let task = running.spawn(self.clone().scenario(job, http.clone()));
                ids.insert(task.id(), index);
            }
            let finished = match running.join_next_with_id().await {
                None => break,
                Some(Ok((_, finished))) => finished,
                Some(Err(e)) => {
                    eprintln!("error: a scenario stopped unexpectedly: {e}");
                    let Some(&index) = ids.get(&e.id()) else {
                        continue;
                    };
                    (index, Verdict::Unusable, None)
                }
            };
            if self.tx.send(finished).is_err() {
                break;
            }
        }
    }

    async fn scenario(self, job: Job, http: Http) -> Finished {
        let Job {
            index,
            file,
            scenario,
            ports,
        } = job;
        let sink = Sink {
            plan: Arc::clone(&self.plan),
            buffer: self.parallel.then(|| Mutex::new(Buffered::default())),
            index,
            file: file.clone(),
            gathered: self.gathered.clone(),
        };
        let mut guards: Vec<OwnedMutexGuard<()>> = Vec::new();
        for lock in ports {
            guards.push(lock.lock_owned().await);
        }
        let plan = &self.plan;
        let outcome = run_scenario(&scenario, &plan.config, &http, &sink).await;
        finish(&sink, &scenario, &outcome);
        let verdict = outcome.verdict;
        sink.gathered.update(|m| {
            if verdict == Verdict::Unusable {
                m.remove(&index);
            } else {
                m.insert(index, plan.kept(outcome, file));
            }
        });
        let text = sink
            .buffer
            .as_ref()
            .and_then(|b| b.lock().ok().map(|mut b| std::mem::take(&mut *b)));
        (index, verdict, Some(text.unwrap_or_default()))
    }
}

/// Prints buffered output in file order as scenarios finish.
#[derive(Default)]
struct Ordered {
    next: usize,
    texts: BTreeMap<usize, Option<Buffered>>,
    /// A progress line on stderr: total scenarios, or `None` when not shown.
    progress: Option<usize>,
    finished: usize,
    failed: usize,
}

impl Ordered {
    fn add(&mut self, (index, verdict, text): Finished, worst: &mut Verdict) {
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
fn finish(sink: &Sink, scenario: &Scenario, outcome: &Outcome) {
    for d in &outcome.diagnostics {
        sink.emit_diagnostic(&d.render(&scenario.path, &scenario.source));
    }
    if sink.pretty() && outcome.verdict != Verdict::Unusable {
        let mode = sink.plan.mode;
        let log = outcome.redactor.redact_log(&outcome.log, mode);
        let footer = render::pretty::footer(&log, &sink.plan.opts);
        sink.emit(&outcome.redactor.redact(&footer, mode));
    }
}

/// One lock per callback port that several scenarios listen on.
fn port_locks(
    loaded: &[(PathBuf, Scenario)],
    plan: &Plan,
) -> HashMap<u16, Arc<tokio::sync::Mutex<()>>> {
    let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
    for (_, s) in loaded {
        for p in static_ports(s, plan) {
            *counts.entry(p).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(p, _)| (p, Arc::new(tokio::sync::Mutex::new(()))))
        .collect()
}

/// Callback ports a scenario listens on that are known before it runs (sorted).
fn static_ports(scenario: &Scenario, plan: &Plan) -> Vec<u16> {
    let mut literal: HashMap<String, String> = HashMap::new();
    for (k, v) in &scenario.vars {
        if let NodeValue::Str(s) = &v.value {
            literal.insert(k.name.clone(), s.clone());
        }
    }
    for (k, v) in &plan.config.vars {
        literal.insert(k.clone(), v.clone());
    }
    let mut ports = Vec::new();
    for step in scenario.steps.iter().filter(|s| s.kind == Kind::Callback) {
        let NodeValue::Map(entries) = &step.params.value else {
            continue;
        };
        let Some((_, listen)) = entries.iter().find(|(k, _)| k.name == "listen") else {
            continue;
        };
        let Some(mut text) = listen.as_str().map(str::to_owned) else {
            continue;
        };
        for _ in 0..8 {
            if !text.contains("{{") {
                break;
            }
            for (k, v) in &literal {
                for pattern in [format!("{{{{ {k} }}}}"), format!("{{{{{k}}}}}")] {
                    text = text.replace(&pattern, v);
                }
            }
        }
        if text.contains("{{") {
            continue; // depends on run-time values, e.g. free_port()
        }
        if let Some(port) = url::Url::parse(&text)
            .ok()
            .and_then(|u| u.port_or_known_default())
        {
            ports.push(port);
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

#[cfg(test)]
mod tests {
    use super::shares;

    #[test]
    fn jobs_are_shared_out_without_exceeding_the_limit() {
        assert_eq!(shares(2, 2), vec![1, 1]);
        assert_eq!(shares(3, 2), vec![2, 1]);
        assert_eq!(shares(8, 2), vec![4, 4]);
        assert_eq!(shares(1, 1), vec![1]);
        for jobs in 1..40 {
            for threads in 1..=jobs.min(8) {
                let s = shares(jobs, threads);
                assert_eq!(
                    s.iter().sum::<usize>(),
                    jobs,
                    "{jobs} jobs on {threads} threads"
                );
                assert!(s.iter().all(|&n| n >= 1));
            }
        }
    }
}
