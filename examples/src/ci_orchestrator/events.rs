//! What the orchestrator announces on the system's event bus
//! (`system.events::<CiEvent>()`): the telemetry actor and the console listen.

use std::sync::Arc;
use std::time::Duration;

use super::model::{JobId, RunnerId, Step};

/// Something that happened to a pipeline or a job. Published by the
/// orchestrator only, so subscribers see them in the order it saw them.
#[derive(Debug, Clone)]
pub enum CiEvent {
    /// A pipeline was accepted; its first stage is queued.
    PipelineSubmitted {
        /// `api#101`.
        pipeline: Arc<str>,
        /// Its jobs, all stages.
        jobs: usize,
    },
    /// A worker started a job (again, after a crash, if `attempt > 1`).
    JobStarted {
        /// The job.
        job: JobId,
        /// Its name.
        name: Arc<str>,
        /// Its steps, in order.
        steps: Arc<[Step]>,
        /// Where it runs.
        runner: RunnerId,
        /// 1 for the first worker, 2 for its restarted successor, …
        attempt: u32,
    },
    /// A worker finished a step.
    StepDone {
        /// The job.
        job: JobId,
        /// Where it runs.
        runner: RunnerId,
        /// Which step.
        step: Step,
        /// Its place in the job's steps.
        index: usize,
        /// How long the step took.
        took: Duration,
        /// For the archive step: what was compressed and hashed.
        archive: Option<Archive>,
    },
    /// A worker crashed mid-job; its supervisor restarts it.
    WorkerCrashed {
        /// The job.
        job: JobId,
        /// Its name.
        name: Arc<str>,
        /// Where it ran.
        runner: RunnerId,
        /// Why, as the supervisor saw it.
        reason: Arc<str>,
    },
    /// A job's last step is done.
    JobFinished {
        /// The job.
        job: JobId,
        /// Its name.
        name: Arc<str>,
        /// Where it ran.
        runner: RunnerId,
        /// How many workers it took (more than one after a crash).
        attempts: u32,
        /// From its first start to its end, crashes included.
        took: Duration,
    },
    /// Every job of a pipeline is done.
    PipelineFinished {
        /// `api#101`.
        pipeline: Arc<str>,
        /// From submission to the end of its last job.
        took: Duration,
    },
    /// Every pipeline submitted so far is done. The last event of a run.
    AllDone,
}

/// A build log, compressed (gzip) and hashed (SHA-256) on the CPU pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Archive {
    /// The log's size.
    pub log_bytes: usize,
    /// The compressed archive's size.
    pub archive_bytes: usize,
    /// The archive's SHA-256, in hex.
    pub sha256: Arc<str>,
}
