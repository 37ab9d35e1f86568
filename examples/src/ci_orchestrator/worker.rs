//! A worker: an ephemeral actor that runs one job's steps on one runner,
//! then stops.
//!
//! It runs one step per message and queues the next step to itself, so
//! between steps it is an ordinary actor taking its mailbox in turn. It
//! reports every step to the orchestrator and keeps nothing that must
//! survive it: when it crashes, its supervisor builds a fresh worker for the
//! same job (the factory counts the attempts), which starts again from a
//! clean checkout, as a CI retry does.

use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;

use super::events::Archive;
use super::model::{JobSpec, RunnerId, Step};
use super::orchestrator::OrchestratorHandle;
use super::work;

/// The text of the panic a worker injects on purpose (the example's panic
/// hook keeps these quiet; the console reports the crash instead).
pub const INJECTED: &str = "injected fault";

/// See the [module docs](self).
#[actor]
pub struct Worker {
    job: Arc<JobSpec>,
    runner: RunnerId,
    /// 1 for the first worker of the job, 2 for its restarted successor, …
    attempt: u32,
    orchestrator: OrchestratorHandle,
    /// The index of the next step to run.
    next: usize,
    /// The log the compile or test step wrote, for the archive step.
    log: Option<Vec<u8>>,
    rng: fastrand::Rng,
}

impl Worker {
    /// A worker for attempt number `attempt` at `job` on `runner`.
    pub fn new(
        job: Arc<JobSpec>,
        runner: RunnerId,
        attempt: u32,
        orchestrator: OrchestratorHandle,
    ) -> Self {
        let rng = fastrand::Rng::with_seed(job.seed ^ u64::from(attempt));
        Worker {
            job,
            runner,
            attempt,
            orchestrator,
            next: 0,
            log: None,
            rng,
        }
    }

    /// The simulated IO time of `step`, scaled.
    fn wait_for(&mut self, step: Step) -> Duration {
        step.simulated_wait(self.rng.f64())
            .mul_f64(self.job.time_scale)
    }

    /// Queues the next step to this worker's own mailbox.
    fn queue_next_step(&self, ctx: &mut Context<Self>) {
        // The mailbox holds at most this one message: there is room.
        let _ = ctx.handle().run_step().try_tell();
    }

    /// Does the work of `step`; `Err` if the CPU pool could not.
    async fn perform(
        &mut self,
        step: Step,
        ctx: &mut Context<Self>,
    ) -> Result<Option<Archive>, CpuError> {
        tokio::time::sleep(self.wait_for(step)).await;
        match step {
            Step::Compile | Step::Test => {
                let (seed, size) = (self.job.seed, self.job.log_bytes);
                let log = ctx
                    .spawn_cpu(move || work::synthetic_log(step, seed, size))
                    .await?;
                self.log = Some(log);
                Ok(None)
            }
            Step::ArchiveLogs => {
                let log = self.log.take().unwrap_or_default();
                let archive = ctx.spawn_cpu(move || work::archive(&log)).await?;
                Ok(Some(archive))
            }
            Step::Checkout | Step::Upload => Ok(None),
        }
    }
}

#[actor]
impl Worker {
    #[on_start]
    async fn started(&mut self, ctx: &mut Context<Self>) {
        let _ = self
            .orchestrator
            .job_started(self.job.id, self.runner, self.attempt)
            .tell()
            .await;
        self.queue_next_step(ctx);
    }

    /// Runs the next step and reports it; queues the step after, or reports
    /// the job done and stops.
    #[message]
    async fn run_step(&mut self, ctx: &mut Context<Self>) {
        let index = self.next;
        let Some(&step) = self.job.steps.get(index) else {
            return;
        };
        let began = Instant::now();
        if self.attempt == 1 && self.job.crash_at == Some(index) {
            let half = self.wait_for(step) / 2;
            tokio::time::sleep(half).await;
            panic!("{INJECTED} in {step}");
        }
        let archive = match self.perform(step, ctx).await {
            Ok(archive) => archive,
            Err(err) => return ctx.fail(format!("{step} failed: {err}")),
        };
        let _ = self
            .orchestrator
            .step_done(self.job.id, index, began.elapsed(), archive)
            .tell()
            .await;
        self.next += 1;
        if self.next < self.job.steps.len() {
            self.queue_next_step(ctx);
        } else {
            let _ = self.orchestrator.job_done(self.job.id).tell().await;
            ctx.stop();
        }
    }

    #[on_stop]
    async fn stopped(&mut self, reason: &StopReason) {
        if reason.is_failure() {
            let _ = self
                .orchestrator
                .worker_crashed(self.job.id, reason.to_string())
                .tell()
                .await;
        }
    }
}
