//! Mailboxes: the queue in front of every actor.
//!
//! A mailbox is a tokio [`tokio::sync::mpsc`] channel, bounded by default.
//! A bounded mailbox gives backpressure: `tell().await` waits for room,
//! `try_tell()` answers [`crate::TrySendError::Full`].
//! An unbounded one never makes a sender wait, at the price of unbounded memory
//! if the actor falls behind.
//!
//! The kind is chosen per actor type with the struct attribute:
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]                          // bounded, the system's default capacity (1024)
//! struct A;
//! #[actor(mailbox = 16)]            // bounded, 16 messages
//! struct B;
//! #[actor(mailbox = unbounded)]     // unbounded
//! struct C;
//! # #[actor] impl A {} #[actor] impl B {} #[actor] impl C {}
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use tokio::sync::mpsc;

use crate::cell::{ActorCell, Live};
use crate::error::{SendError, TrySendError};

/// The capacity of a bounded mailbox when neither the actor
/// (`#[actor(mailbox = N)]`) nor the system builder chooses one.
pub const DEFAULT_MAILBOX_CAPACITY: usize = 1024;

/// The kind of mailbox an actor type asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MailboxKind {
    /// Bounded, with the system's default capacity
    /// ([`DEFAULT_MAILBOX_CAPACITY`] unless the system builder says otherwise).
    #[default]
    Default,
    /// Bounded with this capacity (at least 1).
    Bounded(usize),
    /// Unbounded: senders never wait.
    Unbounded,
}

/// Creates a mailbox of `kind`; [`MailboxKind::Default`] gets
/// `default_capacity`. A capacity of 0 is raised to 1.
pub(crate) fn mailbox<M>(
    kind: MailboxKind,
    default_capacity: usize,
) -> (MailboxSender<M>, MailboxReceiver<M>) {
    let capacity = match kind {
        MailboxKind::Unbounded => {
            let (tx, rx) = mpsc::unbounded_channel();
            return (MailboxSender::Unbounded(tx), MailboxReceiver::Unbounded(rx));
        }
        MailboxKind::Bounded(n) => n,
        MailboxKind::Default => default_capacity,
    };
    let (tx, rx) = mpsc::channel(capacity.max(1));
    (MailboxSender::Bounded(tx), MailboxReceiver::Bounded(rx))
}

/// The sending half of a mailbox, or of a pool's router.
pub(crate) enum MailboxSender<M> {
    Bounded(mpsc::Sender<M>),
    Unbounded(mpsc::UnboundedSender<M>),
    /// Spreads messages over the mailboxes of a pool's members.
    Routed(Arc<Router<M>>),
}

impl<M> Clone for MailboxSender<M> {
    fn clone(&self) -> Self {
        match self {
            MailboxSender::Bounded(tx) => MailboxSender::Bounded(tx.clone()),
            MailboxSender::Unbounded(tx) => MailboxSender::Unbounded(tx.clone()),
            MailboxSender::Routed(router) => MailboxSender::Routed(router.clone()),
        }
    }
}

impl<M> MailboxSender<M> {
    /// Queues `msg` now, or gives it back with the reason it could not be queued.
    #[inline(always)]
    pub(crate) fn try_send(&self, msg: M) -> Result<(), (M, TrySendError)> {
        match self {
            MailboxSender::Bounded(tx) => tx.try_send(msg).map_err(|e| match e {
                mpsc::error::TrySendError::Full(m) => (m, TrySendError::Full),
                mpsc::error::TrySendError::Closed(m) => (m, TrySendError::Stopped),
            }),
            MailboxSender::Unbounded(tx) => tx.send(msg).map_err(|e| (e.0, TrySendError::Stopped)),
            MailboxSender::Routed(router) => router.try_send(msg),
        }
    }

    /// Queues `msg`, waiting for room in a bounded mailbox.
    #[inline]
    pub(crate) async fn send(&self, msg: M) -> Result<(), SendError> {
        match self {
            MailboxSender::Routed(router) => router.send(msg).await,
            direct => direct.send_direct(msg).await,
        }
    }

    /// [`MailboxSender::send`] for a mailbox of one actor (a pool's member);
    /// a router is never one, and it answers `Stopped`.
    async fn send_direct(&self, msg: M) -> Result<(), SendError> {
        match self {
            MailboxSender::Bounded(tx) => tx.send(msg).await.map_err(|_| SendError::Stopped),
            MailboxSender::Unbounded(tx) => tx.send(msg).map_err(|_| SendError::Stopped),
            MailboxSender::Routed(_) => Err(SendError::Stopped),
        }
    }

    /// Waits for room for one message (at once for an unbounded mailbox).
    pub(crate) async fn reserve(&self) -> Result<Slot<'_, M>, SendError> {
        match self {
            MailboxSender::Bounded(tx) => tx
                .reserve()
                .await
                .map(Slot::Bounded)
                .map_err(|_| SendError::Stopped),
            MailboxSender::Unbounded(tx) => Ok(Slot::Unbounded(tx)),
            MailboxSender::Routed(_) => Err(SendError::Stopped),
        }
    }

    /// Messages queued and not yet taken. `cell` is the actor's: an unbounded
    /// sender keeps no count, so the actor publishes one there.
    pub(crate) fn len(&self, cell: &ActorCell) -> usize {
        match self {
            MailboxSender::Bounded(tx) => tx.max_capacity() - tx.capacity(),
            MailboxSender::Unbounded(_) => cell.published_depth(),
            MailboxSender::Routed(router) => router.len(),
        }
    }

    /// The capacity of a bounded mailbox, `None` for an unbounded one (or a
    /// pool with an unbounded member).
    pub(crate) fn max_capacity(&self) -> Option<usize> {
        match self {
            MailboxSender::Bounded(tx) => Some(tx.max_capacity()),
            MailboxSender::Unbounded(_) => None,
            MailboxSender::Routed(router) => {
                router.members.iter().map(|m| m.tx.max_capacity()).sum()
            }
        }
    }
}

/// Room for one message, reserved in a mailbox.
pub(crate) enum Slot<'a, M> {
    Bounded(mpsc::Permit<'a, M>),
    Unbounded(&'a mpsc::UnboundedSender<M>),
}

impl<M> Slot<'_, M> {
    /// Queues `msg` in the reserved room.
    pub(crate) fn send(self, msg: M) {
        match self {
            Slot::Bounded(permit) => permit.send(msg),
            // Closed meanwhile: the actor is gone, and the message with it.
            Slot::Unbounded(tx) => drop(tx.send(msg)),
        }
    }
}

/// How a pool's handle picks the member that gets a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Routing {
    /// Each member in turn.
    #[default]
    RoundRobin,
    /// The member with the fewest queued messages (ties go round-robin).
    LeastLoaded,
}

/// One member of a pool, as its router sees it.
pub(crate) struct Member<M> {
    pub(crate) tx: MailboxSender<M>,
    pub(crate) live: Arc<dyn Live>,
}

/// The sending side of a pool: picks a member per message.
pub(crate) struct Router<M> {
    members: Vec<Member<M>>,
    routing: Routing,
    next: AtomicUsize,
}

impl<M> Router<M> {
    /// A router over direct (not routed) member mailboxes; at least one.
    pub(crate) fn new(members: Vec<Member<M>>, routing: Routing) -> Self {
        debug_assert!(!members.is_empty());
        debug_assert!(
            members
                .iter()
                .all(|m| !matches!(m.tx, MailboxSender::Routed(_)))
        );
        Router {
            members,
            routing,
            next: AtomicUsize::new(0),
        }
    }

    /// The member to try first.
    fn pick(&self) -> usize {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed) % n;
        match self.routing {
            Routing::RoundRobin => start,
            Routing::LeastLoaded => (0..n)
                .map(|k| (start + k) % n)
                .min_by_key(|&i| self.members[i].live.mailbox_len())
                .unwrap_or(start),
        }
    }

    /// Tries the picked member, then the others: `Full` only if every live
    /// member is full, `Stopped` only if every member is stopped. A member
    /// that takes no messages (stopped, or stopping) is passed over.
    fn try_send(&self, mut msg: M) -> Result<(), (M, TrySendError)> {
        let n = self.members.len();
        let first = self.pick();
        let mut full = false;
        for k in 0..n {
            let member = &self.members[(first + k) % n];
            if !member.live.cell().accepts() {
                continue;
            }
            match member.tx.try_send(msg) {
                Ok(()) => return Ok(()),
                Err((back, why)) => {
                    full |= why == TrySendError::Full;
                    msg = back;
                }
            }
        }
        Err((
            msg,
            if full {
                TrySendError::Full
            } else {
                TrySendError::Stopped
            },
        ))
    }

    /// Queues on a member with room, or waits for room at the picked member.
    async fn send(&self, msg: M) -> Result<(), SendError> {
        let msg = match self.try_send(msg) {
            Ok(()) => return Ok(()),
            Err((_, TrySendError::Stopped)) => return Err(SendError::Stopped),
            Err((msg, TrySendError::Full)) => msg,
        };
        // Wait at the picked member, or the next one that takes messages.
        // Members are direct mailboxes, so this does not recurse.
        let n = self.members.len();
        let first = self.pick();
        let Some(member) = (0..n)
            .map(|k| &self.members[(first + k) % n])
            .find(|m| m.live.cell().accepts())
        else {
            return Err(SendError::Stopped);
        };
        member.tx.send_direct(msg).await
    }

    fn len(&self) -> usize {
        self.members.iter().map(|m| m.live.mailbox_len()).sum()
    }
}

/// The receiving half of a mailbox, owned by the actor's task.
pub(crate) enum MailboxReceiver<M> {
    Bounded(mpsc::Receiver<M>),
    Unbounded(mpsc::UnboundedReceiver<M>),
}

impl<M> MailboxReceiver<M> {
    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<M>> {
        match self {
            MailboxReceiver::Bounded(rx) => rx.poll_recv(cx),
            MailboxReceiver::Unbounded(rx) => rx.poll_recv(cx),
        }
    }

    /// Takes a queued message without waiting.
    pub(crate) fn try_recv(&mut self) -> Option<M> {
        match self {
            MailboxReceiver::Bounded(rx) => rx.try_recv().ok(),
            MailboxReceiver::Unbounded(rx) => rx.try_recv().ok(),
        }
    }

    /// Messages queued, for an unbounded mailbox (whose sender keeps no
    /// count); `None` for a bounded one.
    #[inline]
    pub(crate) fn unbounded_len(&self) -> Option<usize> {
        match self {
            MailboxReceiver::Bounded(_) => None,
            MailboxReceiver::Unbounded(rx) => Some(rx.len()),
        }
    }

    /// Refuses new messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        match self {
            MailboxReceiver::Bounded(rx) => rx.close(),
            MailboxReceiver::Unbounded(rx) => rx.close(),
        }
    }
}
