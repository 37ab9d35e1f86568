//! Mailboxes: the queue in front of every actor.
//!
//! A mailbox is a tokio [`mpsc`](tokio::sync::mpsc) channel, bounded by default.
//! A bounded mailbox gives backpressure: `tell().await` waits for room,
//! `try_tell()` answers [`TrySendError::Full`](crate::TrySendError::Full).
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

use std::task::{Context, Poll};

use tokio::sync::mpsc;

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

impl MailboxKind {
    /// Resolves [`MailboxKind::Default`] against a system default capacity.
    pub(crate) fn resolve(self, default_capacity: usize) -> Self {
        match self {
            MailboxKind::Default => MailboxKind::Bounded(default_capacity.max(1)),
            MailboxKind::Bounded(n) => MailboxKind::Bounded(n.max(1)),
            MailboxKind::Unbounded => MailboxKind::Unbounded,
        }
    }
}

/// Creates a mailbox of a resolved kind.
pub(crate) fn mailbox<M>(kind: MailboxKind) -> (MailboxSender<M>, MailboxReceiver<M>) {
    match kind {
        MailboxKind::Unbounded => {
            let (tx, rx) = mpsc::unbounded_channel();
            (MailboxSender::Unbounded(tx), MailboxReceiver::Unbounded(rx))
        }
        MailboxKind::Bounded(n) => {
            let (tx, rx) = mpsc::channel(n.max(1));
            (MailboxSender::Bounded(tx), MailboxReceiver::Bounded(rx))
        }
        MailboxKind::Default => {
            let (tx, rx) = mpsc::channel(DEFAULT_MAILBOX_CAPACITY);
            (MailboxSender::Bounded(tx), MailboxReceiver::Bounded(rx))
        }
    }
}

/// The sending half of a mailbox.
pub(crate) enum MailboxSender<M> {
    Bounded(mpsc::Sender<M>),
    Unbounded(mpsc::UnboundedSender<M>),
}

impl<M> Clone for MailboxSender<M> {
    fn clone(&self) -> Self {
        match self {
            MailboxSender::Bounded(tx) => MailboxSender::Bounded(tx.clone()),
            MailboxSender::Unbounded(tx) => MailboxSender::Unbounded(tx.clone()),
        }
    }
}

impl<M> MailboxSender<M> {
    /// Queues `msg` now, or gives it back with the reason it could not be queued.
    #[inline]
    pub(crate) fn try_send(&self, msg: M) -> Result<(), (M, TrySendError)> {
        match self {
            MailboxSender::Bounded(tx) => tx.try_send(msg).map_err(|e| match e {
                mpsc::error::TrySendError::Full(m) => (m, TrySendError::Full),
                mpsc::error::TrySendError::Closed(m) => (m, TrySendError::Stopped),
            }),
            MailboxSender::Unbounded(tx) => tx.send(msg).map_err(|e| (e.0, TrySendError::Stopped)),
        }
    }

    /// Queues `msg`, waiting for room in a bounded mailbox.
    #[inline]
    pub(crate) async fn send(&self, msg: M) -> Result<(), SendError> {
        match self {
            MailboxSender::Bounded(tx) => tx.send(msg).await.map_err(|_| SendError::Stopped),
            MailboxSender::Unbounded(tx) => tx.send(msg).map_err(|_| SendError::Stopped),
        }
    }

    /// Messages queued and not yet taken by the actor.
    pub(crate) fn len(&self) -> usize {
        match self {
            MailboxSender::Bounded(tx) => tx.max_capacity() - tx.capacity(),
            // tokio's unbounded sender has no length; the receiver side keeps one.
            MailboxSender::Unbounded(_) => 0,
        }
    }

    /// Whether both senders feed the same mailbox.
    pub(crate) fn same_channel(&self, other: &Self) -> bool {
        match (self, other) {
            (MailboxSender::Bounded(a), MailboxSender::Bounded(b)) => a.same_channel(b),
            (MailboxSender::Unbounded(a), MailboxSender::Unbounded(b)) => a.same_channel(b),
            _ => false,
        }
    }

    /// The capacity of a bounded mailbox, `None` for an unbounded one.
    pub(crate) fn max_capacity(&self) -> Option<usize> {
        match self {
            MailboxSender::Bounded(tx) => Some(tx.max_capacity()),
            MailboxSender::Unbounded(_) => None,
        }
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

    /// Refuses new messages; those already queued can still be received.
    pub(crate) fn close(&mut self) {
        match self {
            MailboxReceiver::Bounded(rx) => rx.close(),
            MailboxReceiver::Unbounded(rx) => rx.close(),
        }
    }
}
