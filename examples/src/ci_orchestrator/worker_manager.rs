//! The worker manager: starts one ephemeral [`Worker`] per placed job, as a
//! child of the workers' supervisor.
//!
//! Each worker is a [`Restart::Transient`] child: when it crashes the
//! supervisor builds a new one from the same factory (a retry of the same
//! job, with the next attempt number); when it finishes and stops normally
//! the supervisor forgets it.

use std::sync::Arc;

use actor_core::SpawnError;
use actor_core::prelude::*;

use super::model::{JobSpec, RunnerId};
use super::orchestrator::OrchestratorHandle;
use super::worker::Worker;

/// See the [module docs](self).
#[actor]
pub struct WorkerManager {
    /// The supervisor the workers run under.
    tree: SupervisorRef,
    /// Workers started (first attempts only; retries are the supervisor's).
    started: u64,
}

impl WorkerManager {
    /// Starts workers under `tree`.
    pub fn new(tree: SupervisorRef) -> Self {
        WorkerManager { tree, started: 0 }
    }
}

#[actor]
impl WorkerManager {
    /// Starts a worker for `job` on `runner` that reports to `orchestrator`.
    #[message]
    pub fn start(
        &mut self,
        job: Arc<JobSpec>,
        runner: RunnerId,
        orchestrator: OrchestratorHandle,
    ) -> Result<(), SpawnError> {
        let mut attempt = 0;
        self.tree
            .child(move || {
                attempt += 1;
                Worker::new(job.clone(), runner, attempt, orchestrator.clone())
            })
            .restart(Restart::Transient)
            .spawn()?;
        self.started += 1;
        Ok(())
    }

    /// Workers started so far.
    #[message]
    pub fn started(&self) -> u64 {
        self.started
    }

    /// Workers alive now (running a job, or about to be restarted).
    #[message]
    pub async fn alive(&self) -> usize {
        self.tree.children().await.len()
    }
}
