//! A CI orchestrator: pipelines of jobs run by ephemeral workers under a
//! supervision tree, with the CPU-heavy step on the CPU pool, telemetry from
//! the event bus, and live progress.
//!
//! ```text
//! root supervisor (one-for-one)
//! ├── Telemetry        listens to the event bus, keeps step times and bytes
//! ├── Scheduler        matches queued jobs to free runner slots, by policy
//! ├── workers' supervisor (one-for-one, with backoff)
//! │   ├── Worker api#101/build    one per running job; transient: restarted
//! │   └── Worker web#102/test-1   after a crash, forgotten when done
//! ├── WorkerManager    starts a worker under that supervisor per placement
//! └── Orchestrator     accepts pipelines, runs stages in order, tracks jobs,
//!                      announces CiEvents on the bus
//! ```
//!
//! A job is `checkout → compile|test → archive logs → upload`; the archive
//! step gzips the log and hashes the archive on the CPU pool. Some workers
//! crash on purpose mid-job: their supervisor restarts them and the job is
//! retried from a clean checkout, so every job still finishes.
//!
//! Run it with `cargo run --example ci_orchestrator` (`-- --help` for flags),
//! or call [`run`] with [`Options`] and read the [`Summary`].

mod console;
pub mod events;
pub mod model;
pub mod orchestrator;
pub mod scheduler;
pub mod telemetry;
pub mod work;
pub mod worker;
pub mod worker_manager;

use std::fmt;
use std::io::Write;
use std::time::{Duration, Instant};

use actor_core::events::TryRecvError;
use actor_core::prelude::*;
use actor_core::supervisor::Backoff;

use console::Console;
use events::CiEvent;
use model::{Workload, planned_crashes, workload};
use orchestrator::{Orchestrator, Status};
use scheduler::{Policy, Scheduler};
use telemetry::{Telemetry, TelemetryReport};
use worker::INJECTED;
use worker_manager::WorkerManager;

pub use console::Output;

/// The size and behaviour of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Jobs to run, spread over pipelines of 2 to 4 jobs.
    pub jobs: usize,
    /// Build machines.
    pub runners: usize,
    /// Jobs each runner runs at once.
    pub slots: usize,
    /// The fraction of jobs whose first worker crashes mid-job (rounded;
    /// at least one job when above zero).
    pub crash_rate: f64,
    /// The size of each job's build or test log, in KiB.
    pub log_kib: usize,
    /// How the scheduler picks runners.
    pub policy: Policy,
    /// Multiplies the simulated IO waits of the steps (0: no waiting).
    pub time_scale: f64,
    /// Seeds the workload: the same seed, the same jobs and crashes.
    pub seed: u64,
    /// Threads of the CPU pool (`None`: one per CPU).
    pub cpu_threads: Option<usize>,
    /// Worker restarts per second the workers' supervisor tolerates before
    /// it gives up and the run fails (`None`: ten per slot).
    pub max_restarts: Option<u32>,
    /// How progress is shown.
    pub output: Output,
}

impl Options {
    /// The defaults of `cargo run --example ci_orchestrator`: a few seconds.
    pub const DEFAULT: Options = Options {
        jobs: 80,
        runners: 4,
        slots: 2,
        crash_rate: 0.1,
        log_kib: 256,
        policy: Policy::LeastLoaded,
        time_scale: 1.0,
        seed: 2024,
        cpu_threads: None,
        max_restarts: None,
        output: Output::Lines,
    };

    /// A short run for tests: 12 jobs, 3 of which crash, small logs,
    /// quick steps.
    pub fn small() -> Self {
        Options {
            jobs: 12,
            runners: 2,
            slots: 2,
            crash_rate: 0.25,
            log_kib: 16,
            time_scale: 0.1,
            ..Options::DEFAULT
        }
    }

    fn workload(&self) -> Workload {
        Workload {
            jobs: self.jobs,
            crash_rate: self.crash_rate,
            log_bytes: self.log_kib * 1024,
            // Finite and not negative, or `Duration::mul_f64` would panic.
            time_scale: if self.time_scale.is_finite() {
                self.time_scale.clamp(0.0, 1000.0)
            } else {
                0.0
            },
            seed: self.seed,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::DEFAULT
    }
}

/// What a run did: the numbers of the summary it prints.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Summary {
    /// The orchestrator's account: pipelines, jobs, steps, crashes.
    pub status: Status,
    /// Workers planned to crash.
    pub crashes_planned: usize,
    /// Worker panics the runtime caught (from `system.metrics()`).
    pub worker_panics: u64,
    /// Worker restarts by their supervisor (from `system.metrics()`).
    pub worker_restarts: u64,
    /// Workers started by the worker manager (first attempts).
    pub workers_started: u64,
    /// Jobs the scheduler placed on each runner, in runner order.
    pub placed_per_runner: Vec<u64>,
    /// Step times, bytes archived, per-runner counts.
    pub telemetry: TelemetryReport,
    /// Runners, slots, policy.
    pub runners: usize,
    /// Slots per runner.
    pub slots: usize,
    /// The scheduling policy.
    pub policy: Policy,
    /// Wall time from the first submission to the last job done.
    pub elapsed: Duration,
}

impl Summary {
    /// Jobs finished per second.
    pub fn jobs_per_second(&self) -> f64 {
        self.status.jobs_finished as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// MiB of logs archived (compressed and hashed) per second.
    pub fn mib_per_second(&self) -> f64 {
        mib(self.telemetry.log_bytes) / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// An actor could not be reached or started.
    #[error(transparent)]
    Actor(#[from] actor_core::Error),
    /// The supervision tree gave up: workers crashed faster than its
    /// restart intensity allows. Carries the last failure.
    #[error("the supervision tree gave up after too many restarts; the last failure: {}", last_failure(.0))]
    GaveUp(StopReason),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
}

impl From<AskError> for RunError {
    fn from(err: AskError) -> Self {
        RunError::Actor(err.into())
    }
}

impl From<actor_core::SpawnError> for RunError {
    fn from(err: actor_core::SpawnError) -> Self {
        RunError::Actor(err.into())
    }
}

/// The failure at the bottom of a chain of escalations.
fn last_failure(reason: &StopReason) -> &StopReason {
    match reason {
        StopReason::Escalated(inner) => last_failure(inner),
        other => other,
    }
}

/// The actors of a run, started under one supervision tree.
struct Ci {
    root: SupervisorRef,
    orchestrator: orchestrator::OrchestratorHandle,
    scheduler: scheduler::SchedulerHandle,
    telemetry: telemetry::TelemetryHandle,
    workers: worker_manager::WorkerManagerHandle,
}

fn start(system: &System, opts: &Options) -> Result<Ci, RunError> {
    let root = Supervisor::new(Strategy::OneForOne);
    let telemetry = root.child(Telemetry::default).spawn()?;
    let (policy, runners, slots) = (opts.policy, opts.runners, opts.slots);
    let scheduler = root
        .child(move || Scheduler::new(policy, runners, slots))
        .spawn()?;
    // A crashed worker is restarted after 10 ms, then 20, 40, … if the same
    // worker keeps crashing. Many workers crashing at once is a fault of the
    // farm, not of a job: beyond ten restarts per slot per second (by
    // default) the workers' supervisor gives up, the root restarts it, and
    // if that too happens more than three times in five seconds the root
    // gives up and the run fails instead of retrying forever.
    let per_second = opts
        .max_restarts
        .unwrap_or_else(|| u32::try_from(10 * runners * slots).unwrap_or(u32::MAX));
    let worker_tree = root
        .supervisor(
            Supervisor::new(Strategy::OneForOne)
                .intensity(per_second, Duration::from_secs(1))
                .backoff(
                    Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1))
                        .jitter(0.2),
                ),
        )
        .spawn()?;
    let workers = root
        .child(move || WorkerManager::new(worker_tree.clone()))
        .spawn()?;
    let events = system.events::<CiEvent>();
    let (s, w) = (scheduler.clone(), workers.clone());
    let orchestrator = root
        .child(move || Orchestrator::new(s.clone(), w.clone(), events.clone()))
        .spawn()?;
    let root = system.spawn_supervisor(root);
    Ok(Ci {
        root,
        orchestrator,
        scheduler,
        telemetry,
        workers,
    })
}

/// Runs the CI system: submits the pipelines, shows progress on `out` as
/// `opts.output` says, waits for every job, prints the summary and returns it.
pub async fn run(opts: Options, out: &mut impl Write) -> Result<Summary, RunError> {
    let work = opts.workload();
    let pipelines = workload(&work);
    let mut builder = System::builder().event_capacity(1 << 16);
    if let Some(threads) = opts.cpu_threads {
        builder = builder.cpu_threads(threads);
    }
    let system = builder.build();
    let crashes_planned = planned_crashes(&work);
    let steps = pipelines
        .iter()
        .flat_map(|p| p.jobs())
        .map(|j| j.steps.len())
        .sum();
    writeln!(
        out,
        "ci_orchestrator: {} jobs in {} pipelines on {} runners × {} slots ({} scheduling)",
        opts.jobs,
        pipelines.len(),
        opts.runners.max(1),
        opts.slots.max(1),
        opts.policy,
    )?;
    match crashes_planned {
        0 => writeln!(out, "  no worker will crash (crash rate 0)")?,
        n => writeln!(
            out,
            "  {} will crash on purpose mid-job; their supervisor restarts them",
            plural(n as u64, "worker", "workers"),
        )?,
    }
    writeln!(
        out,
        "  each job writes a {} KiB log, gzipped and SHA-256 hashed on the CPU pool ({})\n",
        opts.log_kib,
        plural(system.cpu().threads() as u64, "thread", "threads"),
    )?;

    let mut bus = system.events::<CiEvent>().subscribe();
    let ci = start(&system, &opts)?;
    let mut console = Console::new(out, opts.output, opts.jobs, steps, opts.runners.max(1));
    let began = Instant::now();
    for pipeline in pipelines {
        ci.orchestrator.submit(pipeline).await?;
    }
    let mut done = std::pin::pin!(ci.orchestrator.wait_done().into_future());
    let mut gave_up = std::pin::pin!(system.wait_escalation());
    let status = loop {
        tokio::select! {
            status = &mut done => match status {
                Ok(status) => break status,
                Err(err) => {
                    // The orchestrator stopped: its supervisor gave up, or it failed.
                    console.finish()?;
                    let stopped = tokio::time::timeout(Duration::from_secs(1), ci.root.wait_stopped());
                    let err = match stopped.await {
                        Ok(reason @ StopReason::Escalated(_)) => RunError::GaveUp(reason),
                        _ => err.into(),
                    };
                    system.shutdown().await;
                    return Err(err);
                }
            },
            escalation = &mut gave_up => {
                console.finish()?;
                system.shutdown().await;
                return Err(RunError::GaveUp(escalation.reason));
            }
            event = bus.recv() => match event {
                Ok(event) => console.show(&event)?,
                Err(_) => console.missed(),
            },
        }
    };
    let elapsed = began.elapsed();
    let telemetry = ci.telemetry.report_after(status.events).await?;
    loop {
        match bus.try_recv() {
            Ok(event) => console.show(&event)?,
            Err(TryRecvError::Lagged(_)) => console.missed(),
            Err(_) => break,
        }
    }
    let placed_per_runner = ci.scheduler.placed_per_runner().await?;
    let workers_started = ci.workers.started().await?;
    let metrics = system.metrics();
    let (worker_panics, worker_restarts) = metrics
        .actor_type("Worker")
        .map_or((0, 0), |w| (w.panics, w.restarts));
    system.shutdown().await;
    console.finish()?;

    let summary = Summary {
        status,
        crashes_planned,
        worker_panics,
        worker_restarts,
        workers_started,
        placed_per_runner,
        telemetry,
        runners: opts.runners.max(1),
        slots: opts.slots.max(1),
        policy: opts.policy,
        elapsed,
    };
    writeln!(out, "\n{summary}")?;
    Ok(summary)
}

/// Keeps the panics that workers inject on purpose off stderr (the console
/// reports them); any other panic is printed as usual.
pub fn quiet_injected_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or_default();
            if !message.starts_with(INJECTED) {
                default(info);
            }
        }));
    });
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// `bytes` in KiB or MiB, whichever reads better.
fn size(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        format!("{:.0} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", mib(bytes))
    }
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.status;
        let t = &self.telemetry;
        writeln!(f, "Summary")?;
        writeln!(
            f,
            "  pipelines   {} of {} finished",
            s.pipelines_finished, s.pipelines
        )?;
        writeln!(
            f,
            "  jobs        {} of {} finished; {} needed a second worker after a crash",
            s.jobs_finished, s.jobs, s.jobs_retried
        )?;
        writeln!(
            f,
            "  steps       {} of {} done; {} ran again on a restarted worker",
            s.steps_done,
            s.steps,
            s.step_runs.saturating_sub(s.steps_done)
        )?;
        writeln!(
            f,
            "  crashes     {} planned, {} worker panics caught, {} restarted by their supervisor",
            self.crashes_planned,
            self.worker_panics,
            plural(self.worker_restarts, "worker", "workers"),
        )?;
        let ratio = if t.log_bytes == 0 {
            0.0
        } else {
            100.0 * t.archive_bytes as f64 / t.log_bytes as f64
        };
        writeln!(
            f,
            "  logs        {} gzipped to {} ({ratio:.0}%) and hashed, in {}",
            size(t.log_bytes),
            size(t.archive_bytes),
            plural(t.archives, "archive", "archives"),
        )?;
        writeln!(
            f,
            "  throughput  {:.1} jobs/s, {:.1} MiB/s of logs, in {:.2} s",
            self.jobs_per_second(),
            self.mib_per_second(),
            self.elapsed.as_secs_f64(),
        )?;
        writeln!(
            f,
            "  runners     {} × {}, {} scheduling:",
            self.runners,
            plural(self.slots as u64, "slot", "slots"),
            self.policy
        )?;
        for (i, placed) in self.placed_per_runner.iter().enumerate() {
            let stats = t
                .runners
                .get(&model::RunnerId(i))
                .copied()
                .unwrap_or_default();
            writeln!(
                f,
                "              {:<9} {}, {}",
                model::RunnerId(i).to_string(),
                plural(*placed, "job", "jobs"),
                plural(stats.crashes, "crash", "crashes"),
            )?;
        }
        let times: Vec<String> = t
            .steps
            .iter()
            .map(|(step, times)| format!("{step} {} ms", times.mean().as_millis()))
            .collect();
        if times.is_empty() {
            write!(f, "  step times  none: no step ran")?;
        } else {
            write!(f, "  step times  {} (mean)", times.join(", "))?;
        }
        if t.missed > 0 {
            write!(f, "\n  note        telemetry missed {} events", t.missed)?;
        }
        Ok(())
    }
}
