//! Mailboxes: the queue in front of every actor.
//!
//! A mailbox is a queue of the actor's messages, bounded by default: allocated
//! on the first message and given back when the actor goes idle, so an idle
//! actor's mailbox is a hundred-odd bytes. Each sender's messages arrive in
//! the order it sent them.
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

use crate::cell::Live;
use crate::error::{SendError, TrySendError};

#[cfg(all(test, actor_core_loom))]
mod loom_tests;
mod queue;

use queue::{Permit, Queue};

/// The locks and atomics of the queue: loom's under `--cfg actor_core_loom`,
/// so that its model tests explore every interleaving.
mod sync {
    #[cfg(actor_core_loom)]
    pub(crate) use loom::sync::atomic::{AtomicUsize, Ordering};
    #[cfg(actor_core_loom)]
    pub(crate) use loom::sync::{Mutex, MutexGuard};
    #[cfg(not(actor_core_loom))]
    pub(crate) use parking_lot::{Mutex, MutexGuard};
    #[cfg(not(actor_core_loom))]
    pub(crate) use std::sync::atomic::{AtomicUsize, Ordering};

    /// Locks `m` (loom's mutex can be poisoned, parking_lot's cannot; nothing
    /// panics while the queue's lock is held anyway).
    #[inline(always)]
    pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
        #[cfg(actor_core_loom)]
        return m.lock().unwrap_or_else(|e| e.into_inner());
        #[cfg(not(actor_core_loom))]
        m.lock()
    }
}

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
        MailboxKind::Unbounded => None,
        MailboxKind::Bounded(n) => Some(n),
        MailboxKind::Default => Some(default_capacity),
    };
    let queue = Arc::new(Queue::new(capacity));
    (
        MailboxSender::Direct(queue.clone()),
        MailboxReceiver { queue },
    )
}

/// The sending half of a mailbox, or of a pool's router.
pub(crate) enum MailboxSender<M> {
    /// One actor's mailbox.
    Direct(Arc<Queue<M>>),
    /// Spreads messages over the mailboxes of a pool's members.
    Routed(Arc<Router<M>>),
}

impl<M> Clone for MailboxSender<M> {
    fn clone(&self) -> Self {
        match self {
            MailboxSender::Direct(queue) => MailboxSender::Direct(queue.clone()),
            MailboxSender::Routed(router) => MailboxSender::Routed(router.clone()),
        }
    }
}

impl<M> MailboxSender<M> {
    /// Queues `msg` now, or gives it back with the reason it could not be queued.
    #[inline(always)]
    pub(crate) fn try_send(&self, msg: M) -> Result<(), (M, TrySendError)> {
        match self {
            MailboxSender::Direct(queue) => queue.try_send(msg),
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
        let MailboxSender::Direct(queue) = self else {
            return Err(SendError::Stopped);
        };
        let msg = match queue.try_send(msg) {
            Ok(()) => return Ok(()),
            Err((_, TrySendError::Stopped)) => return Err(SendError::Stopped),
            Err((msg, TrySendError::Full)) => msg,
        };
        match queue.room().await {
            Ok(permit) => {
                permit.send(msg);
                Ok(())
            }
            Err(()) => Err(SendError::Stopped),
        }
    }

    /// Waits for room for one message (at once for an unbounded mailbox).
    pub(crate) async fn reserve(&self) -> Result<Slot<'_, M>, SendError> {
        match self {
            MailboxSender::Direct(queue) => queue
                .room()
                .await
                .map(|permit| Slot { permit })
                .map_err(|()| SendError::Stopped),
            MailboxSender::Routed(_) => Err(SendError::Stopped),
        }
    }

    /// Messages queued and not yet taken.
    pub(crate) fn len(&self) -> usize {
        match self {
            MailboxSender::Direct(queue) => queue.len(),
            MailboxSender::Routed(router) => router.len(),
        }
    }

    /// The capacity of a bounded mailbox, `None` for an unbounded one (or a
    /// pool with an unbounded member).
    pub(crate) fn max_capacity(&self) -> Option<usize> {
        match self {
            MailboxSender::Direct(queue) => queue.capacity(),
            MailboxSender::Routed(router) => {
                router.members.iter().map(|m| m.tx.max_capacity()).sum()
            }
        }
    }
}

/// Room for one message, reserved in a mailbox.
pub(crate) struct Slot<'a, M> {
    permit: Permit<'a, M>,
}

impl<M> Slot<'_, M> {
    /// Queues `msg` in the reserved room. If the mailbox was closed
    /// meanwhile, the actor is gone, and the message with it.
    pub(crate) fn send(self, msg: M) {
        self.permit.send(msg);
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
                .min_by_key(|&i| self.members[i].tx.len())
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
        self.members.iter().map(|m| m.tx.len()).sum()
    }
}

/// The receiving half of a mailbox, owned by the actor's task. Dropped, it
/// closes the mailbox and drops what is queued.
pub(crate) struct MailboxReceiver<M> {
    queue: Arc<Queue<M>>,
}

impl<M> MailboxReceiver<M> {
    /// Takes the next message; `Ready(None)` once the mailbox is closed and
    /// empty. Each message taken uses one unit of the task's tokio budget,
    /// as tokio's own channels do: an actor that always has messages still
    /// lets the other tasks of its worker run.
    #[inline]
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<M>> {
        let coop = std::task::ready!(tokio::task::coop::poll_proceed(cx));
        let msg = self.queue.poll_recv(cx);
        if msg.is_ready() {
            coop.made_progress();
        }
        msg
    }

    /// Takes a queued message without waiting.
    pub(crate) fn try_recv(&mut self) -> Option<M> {
        self.queue.try_recv()
    }

    /// Refuses new messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        self.queue.close();
    }
}

impl<M> Drop for MailboxReceiver<M> {
    fn drop(&mut self) {
        self.queue.close_and_clear();
    }
}
