//! The [`Actor`] trait, its lifecycle hooks and the reasons an actor stops.
//!
//! You rarely implement [`Actor`] by hand: `#[actor]` on a struct and on its
//! `impl` block writes it, with one enum variant per `#[message]` method and a
//! `match` for dispatch. The trait is public so that generic code (pools,
//! supervisors, your own helpers) can be written over any actor.
//!
//! # Lifecycle
//!
//! ```text
//! spawn ─► on_start ─► handle messages, one at a time ─► on_stop(reason) ─► stopped
//!             ▲                                                 │
//!             └────────── on_restart (supervised, new instance) ◄┘
//! ```
//!
//! An actor stops when it is asked to ([`ActorRef::stop`](crate::ActorRef::stop),
//! [`Context::stop`]), when its system shuts down, or when a handler panics.
//! Dropping every handle does **not** stop an actor: like an Erlang process it
//! lives until it is stopped, so a forgotten handle never silently ends a
//! service. The system stops what is left at [`System::shutdown`](crate::System::shutdown).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

use crate::cell::ActorId;
use crate::context::Context;
use crate::handle::ActorHandle;
use crate::mailbox::MailboxKind;
use crate::monitor::Notice;

/// The declaration half of an actor, written by `#[actor]` on the struct.
///
/// It carries what only the struct attribute knows (the mailbox kind, what a
/// told error does) and marks the type as actor state, which must be
/// `Send + 'static`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not declared as an actor",
    label = "this type has no `#[actor]` on its struct declaration",
    note = "add `#[actor]` to the struct: it declares the actor state and generates its handle"
)]
pub trait ActorState: Send + 'static {
    /// The mailbox this actor type asks for (`#[actor(mailbox = ..)]`).
    const MAILBOX: MailboxKind = MailboxKind::Default;
    /// What a handler's `Err` does when the message was told
    /// (`#[actor(tell_errors = ..)]`): see [`TellErrors`].
    const TELL_ERRORS: TellErrors = TellErrors::Fail;
}

/// What happens when a handler returns `Err` for a *told* message, whose
/// result nobody reads: `#[actor(tell_errors = fail)]` (the default) or
/// `#[actor(tell_errors = log)]`.
///
/// An ask always gets the `Err` as its value, and the actor goes on. A told
/// `Err` is never silent:
/// - [`TellErrors::Fail`]: the actor stops with [`StopReason::Failed`],
///   carrying the error's `Display` text (`` `save` returned an error: disk
///   full``), and its supervisor decides, as for a panic;
/// - [`TellErrors::Log`]: the error is logged (`tracing::error!`) and counted
///   in [`ActorTypeMetrics::tell_errors`](crate::ActorTypeMetrics::tell_errors);
///   the actor goes on.
///
/// The return type is recognised by its type, not by how it is written:
/// `Result<T, E>`, `io::Result<T>` and `anyhow::Result<T>` all count, as long
/// as the error type is `Display` (for a generic `E` that means a
/// `E: Display` bound where the actor is declared; without one the error
/// cannot be shown and is not reported). A delegated reply (`Reply<T>`) is
/// the handler's to send and is not looked at.
///
/// ```
/// use actor_core::prelude::*;
///
/// #[actor(tell_errors = log)]
/// struct Store { saved: u32 }
///
/// #[actor]
/// impl Store {
///     #[message]
///     fn save(&mut self, data: String) -> Result<u32, std::io::Error> {
///         if data.is_empty() {
///             return Err(std::io::Error::other("nothing to save"));
///         }
///         self.saved += 1;
///         Ok(self.saved)
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), actor_core::Error> {
/// let system = System::new();
/// let store = system.spawn(Store { saved: 0 });
/// store.save(String::new()).tell().await?;      // logged and counted; the actor goes on
/// assert_eq!(store.save("a".into()).await?.unwrap(), 1);
/// let types = system.metrics();
/// assert_eq!(types.actor_type("Store").unwrap().tell_errors, 1);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum TellErrors {
    /// The actor stops with [`StopReason::Failed`] (the default).
    #[default]
    Fail,
    /// The error is logged and counted; the actor goes on.
    Log,
}

/// An actor: state plus a message enum and the handlers that process it.
///
/// Written by `#[actor]` on the `impl` block. See the [crate docs](crate) for
/// what a user writes.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an actor: its impl block has no `#[actor]`",
    label = "not an actor",
    note = "add `#[actor]` to the `impl` block that has the `#[message]` methods"
)]
pub trait Actor: ActorState + Sized {
    /// The message enum, one variant per `#[message]` method.
    type Message: Send + 'static;
    /// The typed handle, one method per `#[message]` method.
    type Handle: ActorHandle<Actor = Self>;

    /// The actor type's name, used in tracing spans and metrics.
    const NAME: &'static str;

    /// Handles one message. Generated as a `match` on [`Actor::Message`].
    fn handle(
        &mut self,
        msg: Self::Message,
        ctx: &mut Context<Self>,
    ) -> impl Future<Output = ()> + Send;

    /// Handles `msg` at once, without a future, if its handler is synchronous;
    /// gives it back if the handler is async (it then goes to
    /// [`Actor::handle`]). Generated: the default gives everything back.
    #[inline]
    fn handle_sync(
        &mut self,
        msg: Self::Message,
        ctx: &mut Context<Self>,
    ) -> Option<Self::Message> {
        let _ = ctx;
        Some(msg)
    }

    /// The name of the handler a message goes to (for tracing and panic reports).
    fn message_name(msg: &Self::Message) -> &'static str;

    /// Runs once before the first message (`#[on_start]`).
    fn on_start(&mut self, ctx: &mut Context<Self>) -> impl Future<Output = ()> + Send {
        let _ = ctx;
        NoHook
    }

    /// Runs on the new instance after a supervisor restarted the actor, instead
    /// of [`Actor::on_start`] (`#[on_restart]`). By default it runs `on_start`.
    fn on_restart(&mut self, ctx: &mut Context<Self>) -> impl Future<Output = ()> + Send {
        self.on_start(ctx)
    }

    /// Runs when an actor this one watches ([`Context::watch`]) has stopped
    /// for good, in mailbox order with the other messages (`#[on_down]`).
    fn on_down(
        &mut self,
        ctx: &mut Context<Self>,
        id: ActorId,
        reason: StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, id, reason);
        NoHook
    }

    /// Runs instead of stopping when a linked actor ([`Context::link`])
    /// stopped abnormally, if the actor declares it (`#[on_link_died]`; OTP's
    /// `trap_exit`). Without it, the actor stops with [`StopReason::LinkDied`].
    fn on_link_died(
        &mut self,
        ctx: &mut Context<Self>,
        id: ActorId,
        reason: StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, id, reason);
        NoHook
    }

    /// `true` when the actor declares `#[on_link_died]`: a linked actor's
    /// abnormal stop is then a message to it, not a reason to stop.
    const TRAPS_LINK_DEATHS: bool = false;

    /// Wraps a notice from the runtime (a monitored actor went down, a linked
    /// one died) as a message of this actor, for its mailbox. Generated; an
    /// actor type that cannot take notices gives `None` and gets none.
    #[doc(hidden)]
    fn notice(notice: Notice) -> Option<Self::Message> {
        let _ = notice;
        None
    }

    /// Wraps a message with its sender's span (see [`trace`](crate::trace)).
    /// Generated; a type without the variant gives the message back.
    #[doc(hidden)]
    fn traced(
        traced: crate::trace::Traced<Self::Message>,
    ) -> Result<Self::Message, crate::trace::Traced<Self::Message>> {
        Err(traced)
    }

    /// Unwraps a message sent with its sender's span. Generated.
    #[doc(hidden)]
    fn untraced(msg: Self::Message) -> Result<crate::trace::Traced<Self::Message>, Self::Message> {
        Err(msg)
    }

    /// Runs once after the last message, with the reason the actor stops (`#[on_stop]`).
    fn on_stop(
        &mut self,
        ctx: &mut Context<Self>,
        reason: &StopReason,
    ) -> impl Future<Output = ()> + Send {
        let _ = (ctx, reason);
        NoHook
    }
}

/// The future of a hook an actor does not define: ready at once and
/// zero-sized, so the task boxes hooks without allocating for absent ones.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoHook;

impl Future for NoHook {
    type Output = ();

    #[inline]
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        std::task::Poll::Ready(())
    }
}

/// Why an actor (or one instance of a supervised actor) stopped.
///
/// [`StopReason::Normal`] and [`StopReason::Shutdown`] are normal stops; the
/// others are failures ([`StopReason::is_failure`]), after which a supervisor
/// restarts a transient child.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopReason {
    /// Stopped on request: [`ActorRef::stop`](crate::ActorRef::stop),
    /// [`ActorRef::stop_gracefully`](crate::ActorRef::stop_gracefully) or
    /// [`Context::stop`].
    Normal,
    /// Stopped by its system or its supervisor shutting down.
    Shutdown,
    /// A handler or hook panicked.
    Panicked(PanicError),
    /// Stopped by force: it did not stop within its shutdown timeout (the
    /// message in hand was abandoned and `on_stop` did not run), or the tokio
    /// runtime it ran on went away.
    Aborted,
    /// Killed: [`ActorRef::kill`](crate::ActorRef::kill). The message in hand
    /// was abandoned at its next `.await` and `on_stop` did not run (OTP's
    /// `exit(Pid, kill)`). A failure: a supervisor restarts a transient child.
    Killed,
    /// The actor stopped itself with an error: [`Context::fail`].
    Failed(String),
    /// A supervisor gave up: its children failed more often than its restart
    /// intensity allows. Carries the last child failure.
    Escalated(Arc<StopReason>),
    /// An actor linked to this one ([`Context::link`]) stopped abnormally.
    LinkDied {
        /// The linked actor.
        id: ActorId,
        /// Why it stopped.
        reason: Arc<StopReason>,
    },
    /// An actor on another node, watched with [`Context::watch`] on its
    /// remote handle, is gone: what is known of why (feature `remote`).
    #[cfg(feature = "remote")]
    Remote(crate::remote::RemoteDown),
}

impl StopReason {
    /// `true` for a panic, a kill, an abort, a failure or an escalation;
    /// `false` for a normal stop or a shutdown.
    pub fn is_failure(&self) -> bool {
        match self {
            StopReason::Normal | StopReason::Shutdown => false,
            #[cfg(feature = "remote")]
            StopReason::Remote(down) => down.is_failure(),
            _ => true,
        }
    }
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Normal => f.write_str("stopped normally"),
            StopReason::Shutdown => f.write_str("shut down"),
            StopReason::Panicked(p) => write!(f, "{p}"),
            StopReason::Aborted => f.write_str("aborted: did not stop within its shutdown timeout"),
            StopReason::Killed => f.write_str("killed"),
            StopReason::Failed(why) => write!(f, "failed: {why}"),
            StopReason::LinkDied { id, reason } => {
                write!(f, "linked actor {id} stopped: {reason}")
            }
            StopReason::Escalated(last) => {
                write!(
                    f,
                    "supervisor gave up after too many restarts (last: {last})"
                )
            }
            #[cfg(feature = "remote")]
            StopReason::Remote(down) => write!(f, "{down}"),
        }
    }
}

/// A panic caught in a handler or hook.
///
/// One pointer wide (it travels in [`AskError`](crate::AskError), whose size
/// every ask's result pays for); cloning it shares the message.
#[derive(Clone, PartialEq, Eq)]
pub struct PanicError(Arc<PanicInner>);

#[derive(PartialEq, Eq)]
struct PanicInner {
    message: String,
    handler: &'static str,
}

impl PanicError {
    /// The panic caught with `payload` in `handler`. The replies it dropped
    /// learn of it here (see [`reply`](crate::reply#which-panic-an-ask-learns-of)).
    pub(crate) fn from_payload(payload: Box<dyn Any + Send>, handler: &'static str) -> Self {
        let message = if let Some(s) = payload.downcast_ref::<&'static str>() {
            (*s).to_owned()
        } else if let Some(s) = payload.downcast_ref::<String>() {
            s.clone()
        } else {
            "non-string panic payload".to_owned()
        };
        let panic = PanicError::new(handler, message);
        crate::reply::panic_caught(&panic);
        panic
    }

    /// A panic in `handler` with `message`, for code that needs one without
    /// panicking: a test of how errors are mapped, a stand-in's answer.
    ///
    /// ```
    /// use actor_core::{AskError, PanicError};
    ///
    /// let err = AskError::Panicked(PanicError::new("get", "index out of bounds"));
    /// assert_eq!(err.to_string(), "the request's handler panicked in `get`: index out of bounds");
    /// ```
    pub fn new(handler: &'static str, message: impl Into<String>) -> Self {
        PanicError(Arc::new(PanicInner {
            message: message.into(),
            handler,
        }))
    }

    /// A panic the runtime did not catch itself: it dropped a reply
    /// somewhere the runtime does not see (handler `"?"`).
    pub(crate) fn unknown() -> Self {
        PanicError::new(
            "?",
            "a panic dropped the reply where actor-core does not catch it",
        )
    }

    /// The panic message (`"non-string panic payload"` when it was not a string).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The handler or hook that panicked: a message name, `"on_start"`, ….
    pub fn handler(&self) -> &'static str {
        self.0.handler
    }
}

impl fmt::Display for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "panicked in `{}`: {}", self.0.handler, self.0.message)
    }
}

impl fmt::Debug for PanicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PanicError")
            .field("handler", &self.0.handler)
            .field("message", &self.0.message)
            .finish()
    }
}

impl std::error::Error for PanicError {}
