//! Supervision trees with Erlang/OTP semantics.
//!
//! A [`Supervisor`] starts its children from factories, in order, watches
//! them, and restarts them when they stop, according to
//! - its [`Strategy`]: restart only the child that stopped
//!   ([`Strategy::OneForOne`]), all children ([`Strategy::OneForAll`]), or the
//!   child and those started after it ([`Strategy::RestForOne`]);
//! - each child's [`Restart`] type: always ([`Restart::Permanent`]), only after
//!   a failure ([`Restart::Transient`]), never ([`Restart::Temporary`]);
//! - its restart intensity: more than `max_restarts` restarts within `period`
//!   and the supervisor gives up: it stops its children (newest first) and
//!   fails to its own parent ([`StopReason::Escalated`](crate::StopReason::Escalated)). A top-level
//!   supervisor reports it to its [`System`](crate::System) ([`System::wait_escalation`](crate::System::wait_escalation)).
//! - an optional [`Backoff`] between restarts.
//!
//! A child's handle stays valid across restarts: the new instance takes
//! messages from the same mailbox, so messages queued while the child was down
//! are handled by the new instance. Only the message being handled when the
//! child failed is lost; if it was an ask, its caller gets an error.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//! use actor_core::supervisor::{Restart, Strategy, Supervisor};
//!
//! #[actor]
//! #[derive(Default)]
//! struct Cache { hits: u64 }
//!
//! #[actor]
//! impl Cache {
//!     #[message]
//!     fn hit(&mut self) -> u64 { self.hits += 1; self.hits }
//!     #[message]
//!     fn crash(&mut self) { panic!("corrupt entry") }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! # std::panic::set_hook(Box::new(|_| {}));
//! let system = System::new();
//! let tree = Supervisor::new(Strategy::OneForOne).intensity(3, Duration::from_secs(5));
//! let cache: CacheHandle = tree.child(Cache::default).restart(Restart::Permanent).spawn()?;
//! let tree = system.spawn_supervisor(tree);
//!
//! assert_eq!(cache.hit().await?, 1);
//! assert!(matches!(cache.crash().await, Err(AskError::Panicked(_))));
//! // Same handle, new instance (fresh state from the factory):
//! assert_eq!(cache.hit().await?, 1);
//!
//! system.shutdown().await;
//! assert!(!tree.is_alive());
//! # Ok(())
//! # }
//! ```
//!
//! # Where this differs from OTP
//!
//! - A child is stopped by its supervisor with [`StopReason::Shutdown`](crate::StopReason::Shutdown) after
//!   the message in hand (OTP's `shutdown` exit); if it has not stopped within
//!   its shutdown timeout it is killed: the message in hand is abandoned at its
//!   next `.await` and `on_stop` does not run (OTP's `brutal_kill`). Code that
//!   blocks a thread without awaiting cannot be killed; tokio cannot preempt it.
//! - Stopping a child does not drop its mailbox: if it is restarted, queued
//!   messages are kept. Only a child that stops for good drops them (asks
//!   resolve to [`AskError::NoReply`](crate::AskError::NoReply)).
//! - A child that fails in its factory or `on_start` is treated like one that
//!   fails later (restarted per its type, counted against the intensity); OTP
//!   instead fails the supervisor's start.
//! - Backoff between restarts is not part of OTP (it is Akka's); none by default.
//! - A stop asked for on a child's handle (`stop()`, `stop_gracefully()`)
//!   is a normal exit: a [`Restart::Permanent`] child is restarted (OTP has
//!   no such request; use [`SupervisorRef::remove_child`] to stop one for
//!   good). A stop asked for while the supervisor restarts the child (while
//!   it decides or backs off, or while the factory, `on_start` or
//!   `on_restart` runs) wins: the child stops for good and is forgotten.
//! - [`ActorRef::kill`](crate::ActorRef::kill) is OTP's `exit(Pid, kill)`:
//!   a failure, [`StopReason::Killed`](crate::StopReason::Killed).
//! - Every wait of a supervisor on a stopping child has a deadline: a child
//!   that does not stop within its shutdown timeout is killed, and one that
//!   still does not stop (blocked in code that never awaits) is given up on
//!   and reported, so a supervisor always stops.

mod backoff;
mod builder;
mod child;
mod strategy;
mod supervising;

pub use backoff::Backoff;
pub(crate) use builder::spawn_top_level;
pub use builder::{ChildBuilder, Supervisor, SupervisorChildBuilder, SupervisorRef};
pub use child::ChildInfo;
pub use strategy::{DEFAULT_CHILD_SHUTDOWN, DEFAULT_INTENSITY, Restart, Strategy};
pub use supervising::Escalation;
