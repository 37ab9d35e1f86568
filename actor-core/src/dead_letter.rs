//! Dead letters: messages that reached an actor's mailbox and were never
//! handled, because the actor stopped for good first.
//!
//! A message that cannot even be queued is no dead letter: its sender is told
//! at once (`Stopped`). A message that was queued, though, leaves the sender
//! with nothing but `Ok` for a tell (an ask gets `NoReply`). Those are counted
//! per actor type in [`System::metrics`](crate::System::metrics)
//! ([`ActorTypeMetrics::dead_letters`](crate::ActorTypeMetrics::dead_letters)),
//! traced at debug level, and published to [`System::dead_letters`]
//! subscribers (Akka's DeadLetters): nothing disappears without a trace.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor(mailbox = 8)]
//! struct Slow;
//! #[actor]
//! impl Slow {
//!     #[message]
//!     async fn work(&mut self, n: u32) { let _ = n; std::future::pending::<()>().await }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let mut dead = system.dead_letters();
//! let slow = system.spawn(Slow);
//! for n in 0..3 {
//!     slow.work(n).tell().await.unwrap(); // the first is taken, two wait
//! }
//! tokio::task::yield_now().await;
//! slow.kill();
//! slow.wait_stopped().await;
//! let letter = dead.recv().await.unwrap();
//! assert_eq!((letter.actor_type, letter.message), ("Slow", "work"));
//! assert_eq!(system.metrics().dead_letters(), 2);
//! # }
//! ```

use crate::cell::ActorId;
use crate::events::Subscriber;
use crate::system::System;

/// A message that was queued and never handled. See the [module docs](self).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeadLetter {
    /// The actor it was for.
    pub actor: ActorId,
    /// The actor's type.
    pub actor_type: &'static str,
    /// The handler it was for (the message's name). An ask among the dead
    /// letters has had its answer: `NoReply`.
    pub message: &'static str,
}

impl System {
    /// The dead letters from now on: messages queued for an actor and dropped
    /// unhandled because it stopped for good. A subscriber that falls behind
    /// is told how many it missed (`Lagged`). See [`dead_letter`](crate::dead_letter).
    pub fn dead_letters(&self) -> Subscriber<DeadLetter> {
        self.events::<DeadLetter>().subscribe()
    }
}
