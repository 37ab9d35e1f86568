//! Actors across machines, on NATS (feature `remote`).
//!
//! Core NATS request/reply carries asks, publish carries tells, queue groups
//! spread a pool over nodes, and a JetStream key-value bucket is the
//! cluster's registry of names. Each node is one [`System`](crate::System)
//! built with a [`Cluster`]:
//!
//! ```no_run
//! use actor_core::prelude::*;
//! use actor_core::remote::{Cluster, ClusterConfig};
//!
//! #[actor]
//! struct Scheduler { queued: u32 }
//!
//! #[actor(remote = "ci.Scheduler")]
//! impl Scheduler {
//!     #[message]
//!     fn schedule(&mut self, job: String) -> u32 { self.queued += 1; self.queued }
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // node A: the scheduler lives here
//! let cluster = Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222").cluster("ci").node("a")).await?;
//! let system = System::builder().cluster(cluster).build();
//! system.expose("scheduler", &system.spawn(Scheduler { queued: 0 })).await?;
//!
//! // node B (another process, another machine): a typed remote handle
//! let cluster = Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222").cluster("ci").node("b")).await?;
//! let system = System::builder().cluster(cluster).build();
//! let scheduler: SchedulerRemote = system.remote("scheduler").await?;
//! assert_eq!(scheduler.schedule("build".into()).await?, 1);
//! scheduler.schedule("test".into()).tell().await?;
//! # Ok(()) }
//! ```
//!
//! # What is promised
//! - At most once, in order per sender and receiver. Every ask has a
//!   deadline ([`DEFAULT_ASK_TIMEOUT`] unless set).
//! - Errors say what is known ([`RemoteError`]): not delivered (safe to
//!   retry), node down or disconnected while in flight, timeout (may have
//!   run), rejected (mailbox full, too large), panicked, unknown message,
//!   codec error.
//! - A node's death is noticed by heartbeats in about a second
//!   ([`DEFAULT_HEARTBEAT`] × [`DEFAULT_MISSED_BEATS`]); asks in flight to it
//!   fail then, not at their deadline, and its names are removed.
//! - The receiving side never waits for an actor: a full mailbox answers
//!   [`Rejection::Full`]; lost tells and slow-consumer drops are counted
//!   ([`Cluster::stats`]) and traced.
//! - Messages evolve: arguments and responses are MessagePack with field
//!   names, so a field added with `#[serde(default)]` works both ways; a
//!   message unknown to the receiver is [`RemoteError::UnknownMessage`].
//!
//! # What is not
//! - Exactly once, or delivery of tells: a tell in flight when a node or
//!   server dies is lost.
//! - Adding, removing or reordering a handler's *arguments* is not
//!   compatible (they travel as an array); evolve a struct argument instead.
//! - Supervision across nodes: supervisors are local; a remote actor is
//!   watched ([`System::watch_remote`](crate::System::watch_remote)), not
//!   supervised.

mod client;
mod cluster;
mod codec;
mod config;
mod error;
mod expose;
mod node;
mod registry;
mod server;

pub use client::{RemoteHandle, RemoteRef, RemoteRequest};
pub use cluster::{Cluster, RemoteStats};
pub use config::{ClusterConfig, DEFAULT_ASK_TIMEOUT, DEFAULT_HEARTBEAT, DEFAULT_MISSED_BEATS};
pub use error::{NotDelivered, Rejection, RemoteError};
pub use expose::RemoteDown;
pub use server::RemoteActor;
#[doc(hidden)]
pub use server::{Call, Served};
