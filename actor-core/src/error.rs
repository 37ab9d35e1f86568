//! Error types returned by handles, requests and the system.
//!
//! Every way a message can fail to reach an actor, or a reply can fail to come
//! back, has its own variant, so callers never have to guess whether their
//! message was handled:
//!
//! | operation              | error            | means                                                    |
//! |------------------------|------------------|----------------------------------------------------------|
//! | `request.await` (ask)  | [`AskError`]     | not delivered, dropped unanswered, panicked, timed out   |
//! | `request.tell().await` | [`SendError`]    | the actor is stopped: the message was not delivered      |
//! | `request.try_tell()`   | [`TrySendError`] | the mailbox is full, or the actor is stopped             |
//! | `system.try_spawn(..)` | [`SpawnError`]   | the system is shutting down                              |
//!
//! All of them convert into the crate-wide [`Error`], so `?` works in a
//! function returning `Result<_, actor_core::Error>`.

use std::time::Duration;

use crate::actor::PanicError;

/// Why an ask (`request.await` or `request.timeout(d).await`) produced no reply.
///
/// ```
/// use actor_core::prelude::*;
///
/// #[actor]
/// struct Echo;
///
/// #[actor]
/// impl Echo {
///     #[message]
///     fn echo(&self, text: String) -> String { text }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let system = System::new();
/// let echo = system.spawn(Echo);
/// echo.stop();
/// echo.wait_stopped().await;
/// let err = echo.echo("hi".into()).await.unwrap_err();
/// assert_eq!(err, AskError::Stopped);
/// # }
/// ```
///
/// A panic in the handler is [`AskError::Panicked`], with the handler's name
/// and the panic's message:
///
/// ```
/// use actor_core::prelude::*;
///
/// #[actor]
/// struct Parser;
///
/// #[actor]
/// impl Parser {
///     #[message]
///     fn parse(&self, text: String) -> u32 {
///         text.parse().expect("a number")
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// # std::panic::set_hook(Box::new(|_| {}));
/// let parser = System::new().spawn(Parser);
/// let Err(AskError::Panicked(panic)) = parser.parse("twelve".into()).await else {
///     panic!("the handler panicked");
/// };
/// assert_eq!(panic.handler(), "parse");
/// assert!(panic.message().starts_with("a number: "));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AskError {
    /// The actor had stopped before the message could be queued: it was not delivered.
    #[error("the actor is stopped; the message was not delivered")]
    Stopped,
    /// The message was queued but dropped without a reply: the actor stopped or
    /// restarted first, or a delegated [`Reply`](crate::Reply) was dropped unsent.
    #[error("the actor dropped the request without replying")]
    NoReply,
    /// The handler panicked while handling this very message (or a panic
    /// dropped its delegated [`Reply`](crate::Reply)): which handler, and the
    /// panic's message. See [which panic an ask learns
    /// of](crate::reply#which-panic-an-ask-learns-of).
    #[error("the request's handler {0}")]
    Panicked(PanicError),
    /// No reply came within the deadline given to [`Request::timeout`](crate::Request::timeout).
    /// The message may still be handled later; its reply is then discarded.
    #[error("no reply within {0:?}")]
    Timeout(Duration),
    /// An actor asked itself from inside its own handler (or hook): it answers
    /// only after that handler returns, so the ask would wait forever. The
    /// message was not sent. Call the method on `self` directly, or `tell`.
    #[error("an actor asked itself from inside its own handler; waiting would deadlock")]
    Deadlock,
}

/// Why `request.tell().await` could not queue a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The actor is stopped, or a stop was requested: the message was not delivered.
    #[error("the actor is stopped; the message was not delivered")]
    Stopped,
    /// An actor told itself a message from inside its own handler while its
    /// bounded mailbox was full: only the actor can make room, and it would
    /// wait for itself forever. Not delivered. Use `try_tell` and handle
    /// `Full`, or give the actor a larger or unbounded mailbox.
    #[error("an actor told itself into its own full mailbox; waiting would deadlock")]
    Deadlock,
}

/// Why `request.try_tell()` could not queue a message right away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TrySendError {
    /// The bounded mailbox is full; the message was not delivered. Retry later
    /// or use `tell().await`, which waits for room.
    #[error("the mailbox is full; the message was not delivered")]
    Full,
    /// The actor is stopped; the message was not delivered.
    #[error("the actor is stopped; the message was not delivered")]
    Stopped,
}

/// Why an actor could not be spawned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SpawnError {
    /// The system is shutting down and takes no new actors.
    #[error("the actor system is shutting down")]
    ShuttingDown,
    /// The supervisor that was asked to start the child has stopped.
    #[error("the supervisor is stopped")]
    SupervisorStopped,
}

/// Any error of this crate, for applications that propagate them with `?`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An ask failed.
    #[error(transparent)]
    Ask(#[from] AskError),
    /// A tell failed.
    #[error(transparent)]
    Send(#[from] SendError),
    /// A non-waiting tell failed.
    #[error(transparent)]
    TrySend(#[from] TrySendError),
    /// A spawn failed.
    #[error(transparent)]
    Spawn(#[from] SpawnError),
    /// Work on the CPU pool failed.
    #[error(transparent)]
    Cpu(#[from] crate::cpu::CpuError),
    /// A registry operation failed.
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
}
