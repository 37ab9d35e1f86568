//! References to running actors.
//!
//! [`ActorRef<A>`] is the untyped-by-message reference every actor has: its
//! mailbox sender and its lifecycle. The handle `#[actor]` generates
//! (`CounterHandle` for `Counter`) wraps one, adds a typed method per message,
//! and dereferences to it, so `handle.id()`, `handle.is_alive()`,
//! `handle.stop()` and `handle.wait_stopped()` come from here.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Sleeper;
//! #[actor]
//! impl Sleeper {}
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let h = system.spawn(Sleeper);
//! assert!(h.is_alive());
//! h.stop();
//! assert_eq!(h.wait_stopped().await, StopReason::Normal);
//! assert!(!h.is_alive());
//! # }
//! ```

use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::actor::{Actor, StopReason};
use crate::cell::{ActorCell, ActorId, Live, Signal};
use crate::error::{SendError, TrySendError};
use crate::mailbox::{MailboxSender, Slot};
use crate::reply::Reply;
use crate::request::Request;

/// A reference to an actor of type `A`: its mailbox and its lifecycle.
///
/// Cheap to clone (one reference count). Stays valid across supervised
/// restarts: it always reaches the current instance through the same mailbox.
pub struct ActorRef<A: Actor> {
    pub(crate) shared: Arc<Shared<A>>,
}

/// What all references to one actor share, in one allocation: its mailbox's
/// sending side, then its cell (see [`ActorCell`] on the order).
#[repr(C)]
pub(crate) struct Shared<A: Actor> {
    pub(crate) tx: MailboxSender<A::Message>,
    pub(crate) cell: ActorCell,
}

impl<A: Actor> Clone for ActorRef<A> {
    #[inline]
    fn clone(&self) -> Self {
        ActorRef {
            shared: self.shared.clone(),
        }
    }
}

impl<A: Actor> Live for Shared<A> {
    fn cell(&self) -> &ActorCell {
        &self.cell
    }
    fn mailbox_len(&self) -> usize {
        self.tx.len()
    }
    fn name(&self) -> &'static str {
        A::NAME
    }
}

impl<A: Actor> fmt::Debug for ActorRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorRef")
            .field("actor", &A::NAME)
            .field("id", &self.cell().id())
            .field("alive", &self.cell().is_alive())
            .finish()
    }
}

impl<A: Actor> PartialEq for ActorRef<A> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<A: Actor> Eq for ActorRef<A> {}

/// By the actor's id, which two references are equal exactly when they share.
impl<A: Actor> Hash for ActorRef<A> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

impl<A: Actor> ActorRef<A> {
    pub(crate) fn new(cell: ActorCell, tx: MailboxSender<A::Message>) -> Self {
        ActorRef {
            shared: Arc::new(Shared { cell, tx }),
        }
    }

    #[inline]
    pub(crate) fn cell(&self) -> &ActorCell {
        &self.shared.cell
    }

    #[inline]
    pub(crate) fn tx(&self) -> &MailboxSender<A::Message> {
        &self.shared.tx
    }

    /// A type-erased reference to the actor, for the system and supervisors.
    pub(crate) fn live(&self) -> Arc<dyn Live> {
        self.shared.clone()
    }

    /// This actor's id, unique in the process and stable across restarts.
    pub fn id(&self) -> ActorId {
        self.cell().id()
    }

    /// `true` while the actor takes messages: `false` from the moment a stop
    /// was asked for (then every new message fails with `Stopped`), and once
    /// it has stopped. A supervised actor that failed and waits to be
    /// restarted is alive: messages sent to it are queued for the next instance.
    pub fn is_alive(&self) -> bool {
        self.cell().is_alive()
    }

    /// Asks the actor to stop after the message it is handling now. From this
    /// call on, new messages fail with `Stopped`; messages still queued are
    /// dropped (their asks resolve to [`AskError::NoReply`](crate::AskError::NoReply));
    /// `on_stop` runs, and the actor stops with [`StopReason::Normal`].
    /// Returns at once; await [`ActorRef::wait_stopped`] to know it has stopped.
    /// If the stop takes longer than the actor's shutdown timeout, the actor is
    /// aborted ([`StopReason::Aborted`]).
    pub fn stop(&self) {
        self.cell().signal(Signal::StopNormal);
    }

    /// Asks the actor to handle the messages queued now, then stop. From this
    /// call on, new messages fail with `Stopped`, so the stop ends however busy
    /// the senders are. Returns at once; await [`ActorRef::wait_stopped`].
    pub fn stop_gracefully(&self) {
        self.cell().signal(Signal::DrainNormal);
    }

    /// Stops the actor by force, now: the message in hand is abandoned at its
    /// next `.await`, queued messages are dropped, `on_stop` does not run, and
    /// the actor stops with [`StopReason::Killed`], which a supervisor treats
    /// as a failure (OTP's `exit(Pid, kill)`). Code that blocks its thread
    /// without awaiting cannot be stopped by anyone: tokio cannot preempt it.
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// #[actor]
    /// struct Stuck;
    /// #[actor]
    /// impl Stuck {
    ///     #[message]
    ///     async fn wait_forever(&mut self) { std::future::pending::<()>().await }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// let stuck = system.spawn(Stuck);
    /// let ask = tokio::spawn({ let stuck = stuck.clone(); async move { stuck.wait_forever().await } });
    /// tokio::task::yield_now().await;
    /// stuck.kill();
    /// assert_eq!(stuck.wait_stopped().await, StopReason::Killed);
    /// assert_eq!(ask.await.unwrap(), Err(AskError::NoReply));
    /// # }
    /// ```
    pub fn kill(&self) {
        self.cell().kill();
    }

    /// Queues `msg` now, or gives it back with why it could not be queued:
    /// `Stopped` as soon as a stop was requested.
    #[inline(always)]
    pub(crate) fn try_send(&self, msg: A::Message) -> Result<(), (A::Message, TrySendError)> {
        if !self.cell().accepts() {
            return Err((msg, TrySendError::Stopped));
        }
        self.tx().try_send(crate::trace::outgoing::<A>(msg))
    }

    /// Waits for room for one message in the mailbox; `Stopped` once a stop
    /// was requested. (Only for an actor's own mailbox: a pool's routing
    /// handle has none.)
    pub(crate) async fn reserve(&self) -> Result<Slot<'_, A::Message>, SendError> {
        if !self.cell().accepts() {
            return Err(SendError::Stopped);
        }
        self.tx().reserve().await
    }

    /// Queues `msg`, waiting for room in a bounded mailbox.
    pub(crate) async fn send(&self, msg: A::Message) -> Result<(), SendError> {
        if !self.cell().accepts() {
            return Err(SendError::Stopped);
        }
        self.tx().send(crate::trace::outgoing::<A>(msg)).await
    }

    /// Waits until the actor has stopped for good and returns why.
    /// Returns at once if it already has.
    pub async fn wait_stopped(&self) -> StopReason {
        self.cell().wait_stopped().await
    }

    /// Why the actor stopped, or `None` while it is alive.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.cell().stop_reason()
    }

    /// Messages queued in the mailbox and not yet taken by the actor. For a
    /// pool, the sum over its members.
    pub fn mailbox_len(&self) -> usize {
        self.tx().len()
    }

    /// The mailbox capacity, `None` when it is unbounded.
    pub fn mailbox_capacity(&self) -> Option<usize> {
        self.tx().max_capacity()
    }

    /// Builds a request from a message constructor. Generated handle methods
    /// call this; `make` receives the reply slot (empty for a tell).
    #[doc(hidden)]
    #[inline]
    pub fn request<R, F>(&self, make: F) -> Request<'_, A, R, F>
    where
        F: FnOnce(Reply<R>) -> A::Message,
    {
        Request::new(self, make)
    }
}

/// Implemented by every generated handle (`CounterHandle`), so that generic code
/// (supervisors, pools, the registry) can hand out typed handles.
pub trait ActorHandle: Clone + Send + Sync + fmt::Debug + 'static {
    /// The actor this handle reaches.
    type Actor: Actor<Handle = Self>;

    /// Wraps an [`ActorRef`] into the typed handle.
    fn from_ref(actor_ref: ActorRef<Self::Actor>) -> Self;

    /// The [`ActorRef`] inside the handle.
    fn actor_ref(&self) -> &ActorRef<Self::Actor>;
}

impl<A: Actor> ActorRef<A> {
    /// A weak reference to the actor: it does not keep the actor's mailbox
    /// and cell alive, and [`WeakRef::upgrade`] gives the handle back while
    /// the actor lives. For caches, registries and back-references that must
    /// not keep a stopped actor's resources around.
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// #[actor]
    /// struct Session;
    /// #[actor]
    /// impl Session {
    ///     #[message]
    ///     fn ping(&self) -> u8 { 1 }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// let session = system.spawn(Session);
    /// let weak = session.downgrade();
    /// let again: SessionHandle = weak.upgrade().expect("alive");
    /// assert_eq!(again.ping().await, Ok(1));
    /// session.stop();
    /// session.wait_stopped().await;
    /// assert!(weak.upgrade().is_none());
    /// # }
    /// ```
    pub fn downgrade(&self) -> WeakRef<A> {
        WeakRef {
            id: self.id(),
            shared: Arc::downgrade(&self.shared),
        }
    }
}

/// A weak reference to an actor: see [`ActorRef::downgrade`].
pub struct WeakRef<A: Actor> {
    id: ActorId,
    shared: std::sync::Weak<Shared<A>>,
}

impl<A: Actor> WeakRef<A> {
    /// The actor's handle, or `None` once the actor takes no more messages
    /// (it stopped, or a stop was requested) or nothing else keeps it.
    pub fn upgrade(&self) -> Option<A::Handle> {
        let shared = self.shared.upgrade()?;
        shared
            .cell
            .is_alive()
            .then(|| A::Handle::from_ref(ActorRef { shared }))
    }

    /// The actor's id (known even after it is gone).
    pub fn id(&self) -> ActorId {
        self.id
    }

    /// The reference, while anything else keeps the actor's cell (it may be
    /// stopping or stopped).
    pub(crate) fn upgrade_ref(&self) -> Option<ActorRef<A>> {
        self.shared.upgrade().map(|shared| ActorRef { shared })
    }
}

impl<A: Actor> Clone for WeakRef<A> {
    fn clone(&self) -> Self {
        WeakRef {
            id: self.id,
            shared: self.shared.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for WeakRef<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeakRef")
            .field("actor", &A::NAME)
            .field("id", &self.id)
            .finish()
    }
}
