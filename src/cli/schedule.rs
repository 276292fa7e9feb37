//! Running many scenarios: in parallel up to `--jobs`, each with its own mock
//! org, scenarios that listen on the same callback port one after another, and
//! output printed in file order whatever order they finish in.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use crate::cli::live::{Buffered, Finished, Gathered, Ordered, Sink, finish};
use crate::cli::run::{Done, Plan, read_scenarios};
use crate::net::client::Http;
use crate::runner::{Verdict, run_scenario};
use crate::scenario::model::Scenario;

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
    let jobs = load_jobs(&plan, cores, &mut worst);
    let total = jobs.len();
    let parallel = plan.jobs > 1 && total > 1;
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

/// Every scenario file read and parsed (a file that is not is `Unusable`),
/// with the callback ports it listens on locked against the others.
fn load_jobs(plan: &Plan, cores: usize, worst: &mut Verdict) -> Vec<Job> {
    // Fewer than 16 files a reader are not worth a thread.
    let readers = cores.min(plan.files.len() / 16).max(1);
    let mut loaded = Vec::new();
    for (file, read) in plan.files.iter().zip(read_scenarios(&plan.files, readers)) {
        match read {
            Ok(s) => loaded.push((file.clone(), s)),
            Err(_) => *worst = Verdict::Unusable,
        }
    }
    let overrides = plan.config.vars.iter().cloned().collect();
    let ports: Vec<Vec<u16>> = loaded
        .iter()
        .map(|(_, s)| crate::scenario::callback_ports::callback_ports(s, &overrides))
        .collect();
    let locks = port_locks(&ports);
    loaded
        .into_iter()
        .zip(ports)
        .enumerate()
        .map(|(index, ((file, scenario), ports))| Job {
            ports: ports.iter().filter_map(|p| locks.get(p).cloned()).collect(),
            index,
            file,
            scenario,
        })
        .collect()
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

/// One lock per callback port that several scenarios listen on.
fn port_locks(ports: &[Vec<u16>]) -> HashMap<u16, Arc<tokio::sync::Mutex<()>>> {
    let mut counts: BTreeMap<u16, usize> = BTreeMap::new();
    for p in ports.iter().flatten() {
        *counts.entry(*p).or_default() += 1;
    }
    counts
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(p, _)| (p, Arc::new(tokio::sync::Mutex::new(()))))
        .collect()
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
