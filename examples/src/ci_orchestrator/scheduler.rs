//! The scheduler: matches queued jobs to free runner slots by a policy.
//!
//! It holds no handles and asks nobody: the orchestrator tells it what is
//! waiting and what has finished, and gets back the placements to start.
//! Keeping the decision in one actor keeps it consistent without locks.

use std::collections::VecDeque;
use std::fmt;
use std::str::FromStr;

use actor_core::prelude::*;

use super::model::{JobId, RunnerId};

/// How the scheduler picks a runner for the next job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// The runner with the fewest jobs running; on a tie, the one that has
    /// run the fewest jobs so far. Spreads the load evenly.
    #[default]
    LeastLoaded,
    /// Each runner with a free slot in turn.
    RoundRobin,
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Policy::LeastLoaded => "least-loaded",
            Policy::RoundRobin => "round-robin",
        })
    }
}

impl FromStr for Policy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "least-loaded" => Ok(Policy::LeastLoaded),
            "round-robin" => Ok(Policy::RoundRobin),
            other => Err(format!(
                "unknown policy `{other}`: use least-loaded or round-robin"
            )),
        }
    }
}

/// Start `job` on `runner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// The job.
    pub job: JobId,
    /// Its runner, which had a free slot.
    pub runner: RunnerId,
}

#[derive(Debug, Clone, Copy)]
struct Runner {
    slots: usize,
    running: usize,
    jobs_placed: u64,
}

/// See the [module docs](self).
#[actor]
pub struct Scheduler {
    policy: Policy,
    runners: Vec<Runner>,
    /// Jobs waiting for a slot, oldest first.
    queue: VecDeque<JobId>,
    /// Where round-robin looks first.
    cursor: usize,
}

impl Scheduler {
    /// `runners` runners of `slots` slots each.
    pub fn new(policy: Policy, runners: usize, slots: usize) -> Self {
        let runner = Runner {
            slots: slots.max(1),
            running: 0,
            jobs_placed: 0,
        };
        Scheduler {
            policy,
            runners: vec![runner; runners.max(1)],
            queue: VecDeque::new(),
            cursor: 0,
        }
    }

    /// Places queued jobs while a runner has a free slot.
    fn place(&mut self) -> Vec<Placement> {
        let mut placed = Vec::new();
        while !self.queue.is_empty() {
            let Some(r) = self.pick() else { break };
            let Some(job) = self.queue.pop_front() else {
                break;
            };
            let runner = &mut self.runners[r];
            runner.running += 1;
            runner.jobs_placed += 1;
            placed.push(Placement {
                job,
                runner: RunnerId(r),
            });
        }
        placed
    }

    /// The runner the policy picks, among those with a free slot.
    fn pick(&mut self) -> Option<usize> {
        let free = |r: &Runner| r.running < r.slots;
        match self.policy {
            Policy::LeastLoaded => self
                .runners
                .iter()
                .enumerate()
                .filter(|(_, r)| free(r))
                .min_by_key(|(i, r)| (r.running, r.jobs_placed, *i))
                .map(|(i, _)| i),
            Policy::RoundRobin => {
                let n = self.runners.len();
                let found = (0..n)
                    .map(|k| (self.cursor + k) % n)
                    .find(|&i| free(&self.runners[i]))?;
                self.cursor = (found + 1) % n;
                Some(found)
            }
        }
    }
}

#[actor]
impl Scheduler {
    /// Queues `jobs` and returns those that can start now.
    #[message]
    pub fn enqueue(&mut self, jobs: Vec<JobId>) -> Vec<Placement> {
        self.queue.extend(jobs);
        self.place()
    }

    /// A job on `runner` is over: its slot is free. Returns the jobs that
    /// can start now.
    #[message]
    pub fn release(&mut self, runner: RunnerId) -> Vec<Placement> {
        if let Some(r) = self.runners.get_mut(runner.0) {
            r.running = r.running.saturating_sub(1);
        }
        self.place()
    }

    /// How many jobs each runner was given, in runner order.
    #[message]
    pub fn placed_per_runner(&self) -> Vec<u64> {
        self.runners.iter().map(|r| r.jobs_placed).collect()
    }

    /// Jobs waiting for a slot.
    #[message]
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placements(s: &mut Scheduler, jobs: usize) -> Vec<usize> {
        s.queue.extend((0..jobs).map(JobId));
        s.place().into_iter().map(|p| p.runner.0).collect()
    }

    #[test]
    fn least_loaded_spreads_jobs_over_runners_before_filling_slots() {
        let mut s = Scheduler::new(Policy::LeastLoaded, 3, 2);
        assert_eq!(placements(&mut s, 7), [0, 1, 2, 0, 1, 2]);
        assert_eq!(s.queue.len(), 1, "one job waits for a slot");
    }

    #[test]
    fn round_robin_takes_runners_in_turn_and_skips_full_ones() {
        let mut s = Scheduler::new(Policy::RoundRobin, 3, 1);
        assert_eq!(placements(&mut s, 2), [0, 1]);
        s.runners[2].running = 1; // runner 3 is busy
        assert_eq!(placements(&mut s, 1), Vec::<usize>::new());
        s.runners[0].running = 0;
        assert_eq!(placements(&mut s, 0), [0]);
    }
}
