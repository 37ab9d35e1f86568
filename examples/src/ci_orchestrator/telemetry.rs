//! Telemetry: an actor that listens to the event bus and keeps the numbers
//! an operator asks for afterwards: step times, bytes archived, jobs and
//! crashes per runner.
//!
//! A bus subscriber is a stream, an actor is a mailbox: a small task
//! forwards one into the other, and stops with the actor.

use std::collections::BTreeMap;
use std::time::Duration;

use actor_core::events::RecvError;
use actor_core::prelude::*;
use tokio::task::AbortHandle;

use super::events::CiEvent;
use super::model::{RunnerId, Step};

/// Runs and times of one kind of step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StepTimes {
    /// Runs, repeats after a crash included.
    pub runs: u64,
    /// Their total time.
    pub total: Duration,
    /// The longest one.
    pub max: Duration,
}

impl StepTimes {
    /// The mean time of a run.
    pub fn mean(&self) -> Duration {
        if self.runs == 0 {
            Duration::ZERO
        } else {
            self.total / u32::try_from(self.runs).unwrap_or(u32::MAX)
        }
    }
}

/// Jobs and crashes of one runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunnerStats {
    /// Jobs finished on it.
    pub jobs: u64,
    /// Workers that crashed on it.
    pub crashes: u64,
}

/// What telemetry has collected.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct TelemetryReport {
    /// Per kind of step.
    pub steps: BTreeMap<Step, StepTimes>,
    /// Per runner.
    pub runners: BTreeMap<RunnerId, RunnerStats>,
    /// Log bytes compressed and hashed.
    pub log_bytes: u64,
    /// Bytes of the archives they became.
    pub archive_bytes: u64,
    /// Archives made.
    pub archives: u64,
    /// Events seen.
    pub events: u64,
    /// Events missed because this actor fell behind the bus.
    pub missed: u64,
}

/// See the [module docs](self).
#[actor]
#[derive(Default)]
pub struct Telemetry {
    report: TelemetryReport,
    /// Asks of `report_after`, with the number of events each waits for.
    waiting: Vec<(u64, Reply<TelemetryReport>)>,
    forwarder: Option<AbortHandle>,
}

impl Telemetry {
    fn answer_waiting(&mut self) {
        let seen = self.report.events + self.report.missed;
        let (ready, wait): (Vec<_>, Vec<_>) = self.waiting.drain(..).partition(|(n, _)| *n <= seen);
        self.waiting = wait;
        for (_, reply) in ready {
            reply.send(self.report.clone());
        }
    }
}

#[actor]
impl Telemetry {
    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        let mut events = ctx.system().events::<CiEvent>().subscribe();
        let me = ctx.handle();
        let task = tokio::spawn(async move {
            loop {
                let sent = match events.recv().await {
                    Ok(event) => me.record(event).tell().await,
                    Err(RecvError::Lagged(n)) => me.missed(n).tell().await,
                    Err(_) => break,
                };
                if sent.is_err() {
                    break;
                }
            }
        });
        self.forwarder = Some(task.abort_handle());
    }

    #[on_stop]
    fn stopped(&mut self) {
        if let Some(task) = self.forwarder.take() {
            task.abort();
        }
    }

    /// Counts `event`.
    #[message]
    fn record(&mut self, event: CiEvent) {
        let r = &mut self.report;
        r.events += 1;
        match event {
            CiEvent::StepDone {
                step,
                took,
                archive,
                ..
            } => {
                let times = r.steps.entry(step).or_default();
                times.runs += 1;
                times.total += took;
                times.max = times.max.max(took);
                if let Some(a) = archive {
                    r.archives += 1;
                    r.log_bytes += a.log_bytes as u64;
                    r.archive_bytes += a.archive_bytes as u64;
                }
            }
            CiEvent::WorkerCrashed { runner, .. } => {
                r.runners.entry(runner).or_default().crashes += 1;
            }
            CiEvent::JobFinished { runner, .. } => {
                r.runners.entry(runner).or_default().jobs += 1;
            }
            CiEvent::PipelineSubmitted { .. }
            | CiEvent::JobStarted { .. }
            | CiEvent::PipelineFinished { .. }
            | CiEvent::AllDone => {}
        }
        self.answer_waiting();
    }

    /// Notes `n` events missed.
    #[message]
    fn missed(&mut self, n: u64) {
        self.report.missed += n;
        self.answer_waiting();
    }

    /// The report, once `events` events have been published and counted
    /// (seen or missed): pass the publisher's count to be sure the report is
    /// complete.
    #[message(response = TelemetryReport)]
    pub fn report_after(&mut self, events: u64, reply: Reply<TelemetryReport>) {
        self.waiting.push((events, reply));
        self.answer_waiting();
    }
}
