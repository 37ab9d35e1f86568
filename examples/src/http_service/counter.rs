//! The [`Counter`] actor: a number that requests add to.

use actor_core::prelude::*;

/// Why the counter refused an increment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CounterError {
    /// The step is zero or larger than allowed.
    #[error("the step must be between 1 and {max}, not {by}")]
    StepOutOfRange {
        /// The step asked for.
        by: u64,
        /// The largest step allowed.
        max: u64,
    },
    /// The count would go past `u64::MAX`.
    #[error("adding {by} to {count} would overflow the counter")]
    Overflow {
        /// The count now.
        count: u64,
        /// The step asked for.
        by: u64,
    },
}

/// A counter. Its state lives only in the actor: when its supervisor
/// restarts it after a crash, it starts again from zero.
#[actor]
pub struct Counter {
    count: u64,
    max_step: u64,
}

impl Counter {
    /// A counter at zero that accepts steps of 1 to `max_step`.
    pub fn new(max_step: u64) -> Self {
        Counter { count: 0, max_step }
    }
}

#[actor]
impl Counter {
    /// The count.
    #[message]
    pub fn get(&self) -> u64 {
        self.count
    }

    /// Adds `by` and returns the new count.
    #[message]
    pub fn incr(&mut self, by: u64) -> Result<u64, CounterError> {
        if by == 0 || by > self.max_step {
            return Err(CounterError::StepOutOfRange {
                by,
                max: self.max_step,
            });
        }
        self.count = self.count.checked_add(by).ok_or(CounterError::Overflow {
            count: self.count,
            by,
        })?;
        Ok(self.count)
    }

    /// Panics, like a handler with a bug would (`POST /chaos/crash-counter`).
    #[message]
    pub fn crash(&mut self) {
        panic!("the counter crashed on purpose (POST /chaos/crash-counter)");
    }
}
