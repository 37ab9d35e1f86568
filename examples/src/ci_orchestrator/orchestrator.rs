//! The orchestrator: accepts pipelines, runs their stages in order, and
//! knows where every job stands.
//!
//! It is the hub: it asks the [`Scheduler`] where queued jobs go, asks the
//! [`WorkerManager`] to start a worker for each placement, hears from the
//! workers as they progress, and announces everything on the event bus.
//! Nothing it asks ever asks it back, so its awaits cannot deadlock.
//!
//! [`Scheduler`]: super::scheduler::Scheduler
//! [`WorkerManager`]: super::worker_manager::WorkerManager

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::Events;
use actor_core::prelude::*;

use super::events::{Archive, CiEvent};
use super::model::{JobId, JobSpec, Pipeline, RunnerId};
use super::scheduler::{Placement, SchedulerHandle};
use super::worker_manager::WorkerManagerHandle;

/// Where the whole run stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Status {
    /// Pipelines submitted.
    pub pipelines: usize,
    /// Pipelines whose every job is done.
    pub pipelines_finished: usize,
    /// Jobs submitted.
    pub jobs: usize,
    /// Jobs whose last step is done.
    pub jobs_finished: usize,
    /// Finished jobs that took more than one worker (their first crashed).
    pub jobs_retried: usize,
    /// Steps of all jobs submitted.
    pub steps: usize,
    /// Steps done (each step of each job counted once).
    pub steps_done: usize,
    /// Step runs, counting the steps run again after a crash.
    pub step_runs: usize,
    /// Workers that crashed.
    pub crashes: usize,
    /// Events published so far.
    pub events: u64,
}

#[derive(Debug)]
struct JobRun {
    spec: Arc<JobSpec>,
    pipeline: usize,
    runner: Option<RunnerId>,
    attempts: u32,
    steps_done: Vec<bool>,
    first_start: Option<Instant>,
    finished: bool,
}

#[derive(Debug)]
struct PipelineRun {
    name: Arc<str>,
    stages: Vec<Vec<JobId>>,
    /// The stage running now; `stages.len()` once finished.
    stage: usize,
    /// Jobs of the current stage not finished yet.
    left: usize,
    submitted: Instant,
}

impl PipelineRun {
    fn finished(&self) -> bool {
        self.stage == self.stages.len()
    }
}

/// See the [module docs](self).
#[actor]
pub struct Orchestrator {
    scheduler: SchedulerHandle,
    workers: WorkerManagerHandle,
    events: Events<CiEvent>,
    pipelines: Vec<PipelineRun>,
    jobs: HashMap<JobId, JobRun>,
    status: Status,
    /// Asks of `wait_done`, answered when every pipeline has finished.
    waiting: Vec<Reply<Status>>,
}

impl Orchestrator {
    /// An orchestrator placing jobs with `scheduler`, starting them with
    /// `workers`, and announcing progress on `events`.
    pub fn new(
        scheduler: SchedulerHandle,
        workers: WorkerManagerHandle,
        events: Events<CiEvent>,
    ) -> Self {
        Orchestrator {
            scheduler,
            workers,
            events,
            pipelines: Vec::new(),
            jobs: HashMap::new(),
            status: Status::default(),
            waiting: Vec::new(),
        }
    }

    fn publish(&mut self, event: CiEvent) {
        self.status.events += 1;
        self.events.publish(event);
    }

    /// Queues the current stage of pipeline `p` (skipping empty stages).
    async fn start_stage(&mut self, p: usize, ctx: &mut Context<Self>) {
        let run = &mut self.pipelines[p];
        while !run.finished() && run.stages[run.stage].is_empty() {
            run.stage += 1;
        }
        if run.finished() {
            let event = CiEvent::PipelineFinished {
                pipeline: run.name.clone(),
                took: run.submitted.elapsed(),
            };
            self.status.pipelines_finished += 1;
            self.publish(event);
            return;
        }
        let jobs = run.stages[run.stage].clone();
        run.left = jobs.len();
        match self.scheduler.enqueue(jobs).await {
            Ok(placements) => self.dispatch(placements, ctx).await,
            Err(err) => ctx.fail(format!("the scheduler did not answer: {err}")),
        }
    }

    /// Starts a worker for each placement.
    async fn dispatch(&mut self, placements: Vec<Placement>, ctx: &mut Context<Self>) {
        for Placement { job, runner } in placements {
            let Some(run) = self.jobs.get_mut(&job) else {
                continue;
            };
            run.runner = Some(runner);
            let spec = run.spec.clone();
            let why = match self.workers.start(spec, runner, ctx.handle()).await {
                Ok(Ok(())) => continue,
                Ok(Err(err)) => err.to_string(),
                Err(err) => err.to_string(),
            };
            return ctx.fail(format!("cannot start a worker for {job}: {why}"));
        }
    }

    /// Job `id` is finished: free its slot, move its pipeline on.
    async fn settle(&mut self, id: JobId, ctx: &mut Context<Self>) {
        let Some(run) = self.jobs.get(&id) else {
            return;
        };
        let (p, runner) = (run.pipeline, run.runner);
        if let Some(runner) = runner {
            match self.scheduler.release(runner).await {
                Ok(placements) => self.dispatch(placements, ctx).await,
                Err(err) => return ctx.fail(format!("the scheduler did not answer: {err}")),
            }
        }
        let pipeline = &mut self.pipelines[p];
        pipeline.left = pipeline.left.saturating_sub(1);
        if pipeline.left == 0 {
            pipeline.stage += 1;
            self.start_stage(p, ctx).await;
        }
        if self.pipelines.iter().all(PipelineRun::finished) {
            self.publish(CiEvent::AllDone);
            for reply in self.waiting.drain(..) {
                reply.send(self.status.clone());
            }
        }
    }
}

#[actor]
impl Orchestrator {
    /// Accepts `pipeline` and queues its first stage.
    #[message]
    pub async fn submit(&mut self, pipeline: Pipeline, ctx: &mut Context<Self>) {
        let p = self.pipelines.len();
        let mut stages = Vec::with_capacity(pipeline.stages.len());
        for stage in &pipeline.stages {
            stages.push(stage.jobs.iter().map(|j| j.id).collect());
            for job in &stage.jobs {
                self.status.jobs += 1;
                self.status.steps += job.steps.len();
                self.jobs.insert(
                    job.id,
                    JobRun {
                        spec: job.clone(),
                        pipeline: p,
                        runner: None,
                        attempts: 0,
                        steps_done: vec![false; job.steps.len()],
                        first_start: None,
                        finished: false,
                    },
                );
            }
        }
        self.pipelines.push(PipelineRun {
            name: pipeline.name.clone(),
            stages,
            stage: 0,
            left: 0,
            submitted: Instant::now(),
        });
        self.status.pipelines += 1;
        let jobs = pipeline.jobs().count();
        self.publish(CiEvent::PipelineSubmitted {
            pipeline: pipeline.name,
            jobs,
        });
        self.start_stage(p, ctx).await;
    }

    /// A worker (attempt number `attempt`) started `job` on `runner`.
    #[message]
    pub fn job_started(&mut self, job: JobId, runner: RunnerId, attempt: u32) {
        let Some(run) = self.jobs.get_mut(&job) else {
            return;
        };
        run.attempts = attempt;
        run.first_start.get_or_insert_with(Instant::now);
        let event = CiEvent::JobStarted {
            job,
            name: run.spec.name.clone(),
            steps: run.spec.steps.clone(),
            runner,
            attempt,
        };
        self.publish(event);
    }

    /// A worker finished step number `index` of `job`.
    #[message]
    pub fn step_done(
        &mut self,
        job: JobId,
        index: usize,
        took: Duration,
        archive: Option<Archive>,
    ) {
        let Some(run) = self.jobs.get_mut(&job) else {
            return;
        };
        self.status.step_runs += 1;
        if let Some(done) = run.steps_done.get_mut(index)
            && !*done
        {
            *done = true;
            self.status.steps_done += 1;
        }
        let event = CiEvent::StepDone {
            job,
            runner: run.runner.unwrap_or(RunnerId(0)),
            step: run.spec.steps[index],
            index,
            took,
            archive,
        };
        self.publish(event);
    }

    /// The worker of `job` crashed; its supervisor is restarting it.
    #[message]
    pub fn worker_crashed(&mut self, job: JobId, reason: String) {
        let Some(run) = self.jobs.get(&job) else {
            return;
        };
        self.status.crashes += 1;
        let event = CiEvent::WorkerCrashed {
            job,
            name: run.spec.name.clone(),
            runner: run.runner.unwrap_or(RunnerId(0)),
            reason: reason.into(),
        };
        self.publish(event);
    }

    /// The worker of `job` finished its last step.
    #[message]
    pub async fn job_done(&mut self, job: JobId, ctx: &mut Context<Self>) {
        let Some(run) = self.jobs.get_mut(&job) else {
            return;
        };
        if run.finished {
            return;
        }
        run.finished = true;
        self.status.jobs_finished += 1;
        if run.attempts > 1 {
            self.status.jobs_retried += 1;
        }
        let event = CiEvent::JobFinished {
            job,
            name: run.spec.name.clone(),
            runner: run.runner.unwrap_or(RunnerId(0)),
            attempts: run.attempts,
            took: run.first_start.map(|t| t.elapsed()).unwrap_or_default(),
        };
        self.publish(event);
        self.settle(job, ctx).await;
    }

    /// Where the run stands now.
    #[message]
    pub fn status(&self) -> Status {
        self.status.clone()
    }

    /// Answers once every pipeline submitted has finished (at once if they have).
    #[message(response = Status)]
    pub fn wait_done(&mut self, reply: Reply<Status>) {
        if self.pipelines.iter().all(PipelineRun::finished) {
            reply.send(self.status.clone());
        } else {
            self.waiting.push(reply);
        }
    }
}
