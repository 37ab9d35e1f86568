//! Which children a supervisor restarts, and when.

use std::time::Duration;

use crate::actor::StopReason;

/// The default restart intensity: more than 3 restarts within 5 seconds and a
/// supervisor gives up.
pub const DEFAULT_INTENSITY: (u32, Duration) = (3, Duration::from_secs(5));

/// The default time a child gets to stop before it is killed.
pub const DEFAULT_CHILD_SHUTDOWN: Duration = Duration::from_secs(5);

/// Which children a supervisor restarts when one of them stops and must be restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Only the child that stopped.
    OneForOne,
    /// Every child: the others are stopped (newest first), then all are
    /// started again in start order.
    OneForAll,
    /// The child that stopped and every child started after it; earlier
    /// children keep running untouched.
    RestForOne,
}

/// When a child is restarted after it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restart {
    /// Always, whatever the reason.
    #[default]
    Permanent,
    /// Only after a failure (a panic, [`Context::fail`](crate::Context::fail),
    /// a kill), never after a normal stop or a shutdown.
    Transient,
    /// Never, not even when the strategy restarts its siblings: it is removed
    /// once it stops.
    Temporary,
}

impl Restart {
    pub(super) fn restarts_after(self, reason: &StopReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure(),
            Restart::Temporary => false,
        }
    }
}
