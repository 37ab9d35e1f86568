//! [`RemoteError`]: every way a remote message, or a registry operation, can fail.

use std::time::Duration;

/// Why a remote ask, tell or registry operation failed. Each variant says
/// whether the message may have run ([`RemoteError::may_have_run`]) and
/// whether sending again is safe ([`RemoteError::is_retryable`]).
///
/// ```
/// use actor_core::remote::{NotDelivered, RemoteError};
///
/// let err = RemoteError::NotDelivered(NotDelivered::NoResponders);
/// assert!(err.is_retryable());
/// assert!(!err.may_have_run());
/// assert!(RemoteError::Timeout(std::time::Duration::from_secs(5)).may_have_run());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The message never left this node or reached no actor: safe to retry.
    #[error("not delivered: {0}")]
    NotDelivered(NotDelivered),
    /// The actor's node stopped sending heartbeats while the ask was in
    /// flight: the message may have run.
    #[error("node `{node}` went down while the ask was in flight; it may have run")]
    NodeDown {
        /// The node that went down.
        node: String,
    },
    /// This node's connection to NATS dropped while the ask was in flight:
    /// the message may have run.
    #[error("the connection to NATS dropped while the ask was in flight; it may have run")]
    Disconnected,
    /// No reply within the deadline: the message may have run.
    #[error("no reply within {0:?}; the message may have run")]
    Timeout(Duration),
    /// The receiving side refused the message: it did not run.
    #[error("rejected: {0}")]
    Rejected(Rejection),
    /// The actor has stopped: the message did not run.
    #[error("the remote actor is stopped; the message was not delivered")]
    Stopped,
    /// The actor dropped the request without replying.
    #[error("the remote actor dropped the request without replying")]
    NoReply,
    /// The handler panicked: the panic, as its node printed it (the
    /// handler's name and the panic's message).
    #[error("the remote handler {0}")]
    Panicked(String),
    /// The receiving node does not know this message (a peer of another
    /// version): it did not run.
    #[error("the remote actor does not know the message `{message}`")]
    UnknownMessage {
        /// The message's name, as sent.
        message: String,
    },
    /// A message or reply could not be encoded or decoded.
    #[error("codec error: {0}")]
    Codec(String),
    /// No actor is registered under this name in the cluster (or its node is
    /// down).
    #[error("no actor is registered under `{name}` in the cluster")]
    NotRegistered {
        /// The name looked up.
        name: String,
    },
    /// The name is registered for another remote type.
    #[error("`{name}` is registered as a `{found}`, not a `{expected}`")]
    WrongType {
        /// The name looked up.
        name: String,
        /// The wire name of the remote handle asked for.
        expected: String,
        /// The wire name registered.
        found: String,
    },
    /// A live actor of another node holds the name.
    #[error("`{name}` is already registered by node `{node}`")]
    NameTaken {
        /// The name.
        name: String,
        /// The node holding it.
        node: String,
    },
    /// A name, cluster or node name that cannot be a NATS subject token.
    #[error("invalid name `{0}`: use letters, digits, `-` and `_`")]
    InvalidName(String),
    /// The system was built without a cluster
    /// ([`SystemBuilder::cluster`](crate::SystemBuilder::cluster)).
    #[error("the system has no cluster: build it with `System::builder().cluster(..)`")]
    NoCluster,
    /// Connecting to NATS failed (address, credentials, TLS).
    #[error("cannot connect to NATS: {0}")]
    Connect(String),
    /// Another NATS or JetStream error (the registry's key-value bucket).
    #[error("NATS error: {0}")]
    Nats(String),
}

/// Why a message was not delivered: see [`RemoteError::NotDelivered`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotDelivered {
    /// Nobody subscribes to the actor's subject (its node is gone, or it was
    /// not exposed). In a cluster of several NATS servers, a server learns
    /// of a subscription made on another one a moment later: an ask sent
    /// right after the actor was exposed on another server can meet this,
    /// and sending again is safe ([`RemoteError::is_retryable`]).
    #[error("no responders")]
    NoResponders,
    /// This node is not connected to NATS now.
    #[error("not connected to NATS")]
    NotConnected,
    /// The actor's node is known to be down (no heartbeats).
    #[error("the actor's node is down")]
    NodeDown,
}

/// Why the receiving side refused a message: see [`RemoteError::Rejected`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The actor's mailbox is full (the receiving side never waits for room).
    #[error("the mailbox is full")]
    Full,
    /// The message or the reply is larger than the server's `max_payload`.
    #[error("larger than the server's max_payload")]
    TooLarge,
}

impl RemoteError {
    /// `true` when the message certainly did not run, so sending it again
    /// cannot run it twice.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            RemoteError::NotDelivered(_)
                | RemoteError::Rejected(_)
                | RemoteError::UnknownMessage { .. }
        )
    }

    /// `true` when the message may have run although no reply came.
    pub fn may_have_run(&self) -> bool {
        matches!(
            self,
            RemoteError::NodeDown { .. }
                | RemoteError::Disconnected
                | RemoteError::Timeout(_)
                | RemoteError::NoReply
                | RemoteError::Panicked(_)
        )
    }
}

pub(crate) fn nats(err: impl std::fmt::Display) -> RemoteError {
    RemoteError::Nats(err.to_string())
}
