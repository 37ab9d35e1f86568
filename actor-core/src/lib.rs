//! # actor-core
//!
//! Typed actors on tokio. Annotate a struct and its `impl` block with
//! `#[actor]`, mark handlers with `#[message]`, and get a typed handle with
//! `ask` / `tell`, a bounded mailbox, panics caught per message, and a system
//! that shuts everything down in order.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//!
//! #[actor]
//! pub struct Counter {
//!     count: u64,
//! }
//!
//! #[actor]
//! impl Counter {
//!     /// Adds `by` to the count.
//!     #[message]
//!     pub fn inc(&mut self, by: u64) {
//!         self.count += by;
//!     }
//!
//!     /// The current count.
//!     #[message]
//!     pub fn get(&self) -> u64 {
//!         self.count
//!     }
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), actor_core::Error> {
//!     let system = System::new();
//!     let counter: CounterHandle = system.spawn(Counter { count: 0 });
//!
//!     counter.inc(5).tell().await?;      // tell: waits for mailbox room only
//!     counter.inc(1).try_tell()?;        // tell now, or Err(Full | Stopped)
//!     let n: u64 = counter.get().await?; // ask: waits for the reply
//!     assert_eq!(n, 6);
//!     let n = counter.get().timeout(Duration::from_millis(500)).await?;
//!     assert_eq!(n, 6);
//!
//!     system.shutdown().await;
//!     Ok(())
//! }
//! ```
//!
//! # What the macros generate
//!
//! For an actor `Foo`:
//! - `FooMessage`: an enum with two variants per `#[message]` method, both
//!   carrying its arguments: one for a tell (`Inc { by }` for a method
//!   `inc(by)`), one for an ask that also carries the reply channel
//!   (`__IncAsk { by, .. }`), so a tell moves no reply slot. It is
//!   `#[doc(hidden)]`: the handle builds it for you;
//! - `FooHandle`: `Clone + Send + Sync + Debug`; one method per message with the
//!   same name, visibility, documentation and arguments (minus `&self`, `ctx`
//!   and `reply`), returning a [`Request`]. It dereferences to [`ActorRef`]
//!   for `id()`, `is_alive()`, `stop()`, `wait_stopped()`;
//! - with the `testing` feature only, `FooCall`: the messages as a test's
//!   stand-in gets them, one variant per message with its arguments and its
//!   reply (see `actor_core::testing`);
//! - `impl Actor for Foo`: dispatch is a `match` on `FooMessage`, with no
//!   boxing and no dynamic dispatch.
//!
//! See the `README` for `cargo expand` to read the generated code of your own actors.
//!
//! # Handlers
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor(mailbox = 64)]
//! struct Store { items: Vec<String> }
//!
//! #[actor]
//! impl Store {
//!     #[message]                                   // tell or ask; response ()
//!     fn push(&mut self, item: String) { self.items.push(item); }
//!
//!     #[message]                                   // async handlers may await
//!     async fn len_later(&self) -> usize {
//!         tokio::task::yield_now().await;
//!         self.items.len()
//!     }
//!
//!     #[message(response = usize)]                 // delegated reply
//!     fn len_elsewhere(&self, reply: Reply<usize>, ctx: &mut Context<Self>) {
//!         let n = self.items.len();
//!         let _me = ctx.handle();
//!         tokio::spawn(async move { reply.send(n) });
//!     }
//!
//!     #[on_start]
//!     fn started(&mut self) { self.items.clear(); }
//!
//!     #[on_stop]
//!     async fn stopped(&mut self, reason: &StopReason) {
//!         let _ = reason;
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let store = system.spawn(Store { items: vec![] });
//! store.push("a".into()).tell().await?;
//! assert_eq!(store.len_later().await?, 1);
//! assert_eq!(store.len_elsewhere().await?, 1);
//! # Ok(())
//! # }
//! ```
//!
//! # Failure
//!
//! A panic in a handler or hook is caught. The ask being handled resolves to
//! [`AskError::Panicked`] (with the handler's name and the panic's message),
//! queued asks to [`AskError::NoReply`], and the actor
//! stops with [`StopReason::Panicked`] (reported through `tracing` and
//! [`ActorRef::wait_stopped`]). Unsupervised, it stays stopped.
//!
//! # Stopping
//!
//! An actor lives until it is stopped; dropping its handles does not stop it.
//! From the moment a stop is asked for, the actor takes no new message: every
//! `tell`, `try_tell` and ask fails at once with `Stopped`, and `is_alive()` says
//! `false`. What happens to the rest:
//!
//! | request | queued messages | new messages | `on_stop` runs | reason | supervisor |
//! |---|---|---|---|---|---|
//! | `h.stop()` / `ctx.stop()` | dropped, asks get `NoReply` | `Stopped` at once | yes | `Normal` | restarts a `Permanent` child only |
//! | `h.stop_gracefully()` | those queued at the request are handled | `Stopped` at once | yes | `Normal` | as above |
//! | `h.kill()` | dropped, the one in hand abandoned | `Stopped` at once | no | `Killed` | a failure |
//! | panic, `ctx.fail(..)`, a told handler returning `Err` | kept for the restart, else dropped (`NoReply`) | queued for the restart, else `Stopped` | yes | `Panicked` / `Failed` | a failure: it decides |
//! | `system.shutdown()` | handled, under one deadline for all actors | `Stopped` at once | yes, within the deadline | `Shutdown` | children stop newest first |
//! | any stop past the shutdown timeout | dropped, the one in hand abandoned | `Stopped` | cut short | `Aborted` | a failure |
//!
//! - Every stop ends: a stop (and `on_stop`) that takes longer than the shutdown
//!   timeout is aborted, and `system.shutdown()` returns after at most about twice
//!   the timeout, however many actors are stuck.
//! - A stop asked for while a supervisor restarts the actor (deciding, backing
//!   off, in the factory, in `on_start` / `on_restart`) wins: the actor is not
//!   restarted.
//! - A panic in `on_stop`, in the factory or in the state's `Drop` is a failure
//!   like a handler's: it is the stop reason and counted in `metrics().panics`.
//! - An actor that asks itself from its own handler gets `AskError::Deadlock` at
//!   once (it could only answer after the handler returns); a tell into its own
//!   full mailbox gets `SendError::Deadlock`.
//!
//! # Cargo features
//!
//! - `metrics`: `metrics::Exporter` reports each actor type's figures
//!   through the `metrics` facade crate, for Prometheus or any other
//!   exporter (see the [`metrics`] module). Off by default.
//! - `testing`: `actor_core::testing`, a kit for the tests of your own
//!   actors: probes that record what they are sent, stand-ins for actor
//!   types, waits for stops, restarts and escalations with deadlines, and
//!   virtual time. For `[dev-dependencies]`; off by default.
//!
//! # Monitors, links, recipients, streams
//!
//! - [`Context::watch`] and `#[on_down]`: be told when another actor stops
//!   for good; [`Context::link`]: an abnormal stop of either stops the other
//!   ([`StopReason::LinkDied`]) unless it declares `#[on_link_died]`. See
//!   [`monitor`].
//! - [`Recipient<T, R>`]: any actor that takes a `T`, behind one type.
//! - [`Context::attach`] and [`Context::subscribe`]: a stream or an event bus
//!   fed into the mailbox with backpressure. See [`attach`].
//! - [`ActorRef::downgrade`]: a weak handle.
//!
//! # Pools, channels, events and names
//!
//! The [`System`] is where a service gets its concurrency from:
//! - [`system.cpu()`](System::cpu): a rayon pool for CPU-bound work; a panic
//!   comes back as [`CpuError::Panicked`]. [`Context::spawn_cpu`] from an actor.
//! - [`system.io()`](System::io): the tokio runtime for IO futures and blocking
//!   calls, and [`Limiter`]s for fan-out with a bound.
//! - [`channel`]: tokio's `mpsc`, `oneshot`, `broadcast` and `watch`, and which to use when.
//! - [`system.events::<E>()`](System::events): a typed publish/subscribe bus;
//!   a subscriber that falls behind is told how many events it missed.
//! - [`system.register(name, &handle)`](System::register) and
//!   [`system.lookup::<FooHandle>(name)`](System::lookup): named actors,
//!   forgotten when they stop.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[derive(Debug, Clone, PartialEq)]
//! struct Hashed { len: usize, sum: u64 }
//!
//! #[actor]
//! struct Hasher;
//!
//! #[actor]
//! impl Hasher {
//!     /// Hashes on the CPU pool, announces the result, and answers the ask;
//!     /// the actor is free for its next message meanwhile.
//!     #[message(response = u64)]
//!     fn hash(&mut self, data: Vec<u8>, reply: Reply<u64>, ctx: &mut Context<Self>) {
//!         let events = ctx.system().events::<Hashed>();
//!         ctx.spawn_cpu(move || {
//!             let sum = data.iter().map(|&b| u64::from(b)).sum();
//!             events.publish(Hashed { len: data.len(), sum });
//!             reply.send(sum);
//!         });
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let system = System::builder().cpu_threads(2).build();
//! let mut hashed = system.events::<Hashed>().subscribe();
//! system.register("hasher", &system.spawn(Hasher))?;
//!
//! let hasher: HasherHandle = system.lookup("hasher")?;
//! let limit = system.io().limit(4);                      // at most 4 asks in flight
//! let sums = limit
//!     .run_all((1..=8u8).map(|n| hasher.hash(vec![n; 10])))
//!     .await;
//! assert_eq!(sums.into_iter().collect::<Result<Vec<_>, _>>()?[7], 80);
//! assert_eq!(hashed.recv().await?.len, 10);
//!
//! system.shutdown().await;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod actor;
mod actors;
pub mod attach;
mod cell;
pub mod channel;
pub mod context;
pub mod cpu;
pub mod dead_letter;
pub mod error;
pub mod events;
pub mod handle;
pub mod io;
pub mod mailbox;
pub mod metrics;
pub mod monitor;
pub mod recipient;
pub mod registry;
#[cfg(feature = "remote")]
pub mod remote;
pub mod reply;
pub mod request;
pub mod router;
pub mod supervisor;
pub mod system;
mod task;
#[cfg(feature = "testing")]
pub mod testing;
pub mod trace;

pub use actor::{Actor, ActorState, PanicError, StopReason, TellErrors};
pub use actor_macros::{actor, message, on_down, on_link_died, on_restart, on_start, on_stop};
pub use cell::ActorId;
pub use context::{Context, TimerHandle};
pub use cpu::{CpuError, CpuPool, CpuTask};
pub use dead_letter::DeadLetter;
pub use error::{AskError, Error, SendError, SpawnError, TrySendError};
pub use events::{DEFAULT_EVENT_CAPACITY, Events, Subscriber};
pub use handle::{ActorHandle, ActorRef, WeakRef};
pub use io::{Io, Limiter};
pub use mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind, Routing};
pub use metrics::{ActorTypeMetrics, Metrics};
pub use monitor::Watchable;
pub use recipient::Recipient;
pub use registry::RegistryError;
pub use reply::Reply;
pub use request::{Ask, AskTimeout, Request, Tell};
pub use router::{Pool, PoolBuilder};
pub use supervisor::{Backoff, Restart, Strategy, Supervisor, SupervisorRef};
pub use system::{DEFAULT_SHUTDOWN_TIMEOUT, System, SystemBuilder};

/// The names an actor module needs: `use actor_core::prelude::*;`.
pub mod prelude {
    pub use crate::{
        Actor, ActorHandle, ActorId, ActorRef, Ask, AskError, Backoff, Context, PanicError,
        Recipient, Reply, Request, Restart, SendError, StopReason, Strategy, Supervisor,
        SupervisorRef, System, Tell, TrySendError, actor, message, on_down, on_link_died,
        on_restart, on_start, on_stop,
    };
    pub use crate::{CpuError, RegistryError};
}

/// What generated code reaches; not part of the public API.
#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;
