//! [`Recipient<T, R>`]: any actor that takes a `T` through one of its
//! messages, behind one type.
//!
//! A handle names its actor's type; a recipient names only what it takes (`T`)
//! and answers (`R`), so one list can hold actors of different types: the
//! subscribers of a feed, the sinks of a pipeline, the listeners of an event.
//! It is made from a handle and one of its message methods, and sends like a
//! handle does: `tell`, `try_tell`, `ask`.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! #[derive(Default)]
//! struct Audit { lines: Vec<String> }
//! #[actor]
//! impl Audit {
//!     #[message]
//!     fn record(&mut self, line: String) -> usize { self.lines.push(line); self.lines.len() }
//! }
//!
//! #[actor]
//! #[derive(Default)]
//! struct Metrics { seen: u64 }
//! #[actor]
//! impl Metrics {
//!     #[message]
//!     fn observe(&mut self, line: String) -> usize { self.seen += 1; line.len() }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let audit = system.spawn(Audit::default());
//! let metrics = system.spawn(Metrics::default());
//!
//! // Two actor types, one list: each takes a `String` and answers a `usize`.
//! let sinks: Vec<Recipient<String, usize>> = vec![
//!     Recipient::new(&audit, AuditHandle::record),
//!     Recipient::new(&metrics, MetricsHandle::observe),
//! ];
//! for sink in &sinks {
//!     sink.tell("deployed web v2".to_owned()).await?;
//! }
//! assert_eq!(sinks[0].ask("rolled back".to_owned()).await?, 2);
//! assert_eq!(sinks[1].ask("ok".to_owned()).await?, 2);
//! # Ok(())
//! # }
//! ```
//!
//! A recipient's `tell` and `ask` return boxed futures (one allocation per
//! send): that is the price of not naming the actor's type. `try_tell`
//! allocates nothing.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::hash::{Hash, Hasher};
use std::pin::Pin;
use std::sync::Arc;

use crate::actor::{Actor, StopReason};
use crate::cell::ActorId;
use crate::error::{AskError, SendError, TrySendError};
use crate::handle::ActorHandle;
use crate::reply::Reply;
use crate::request::Request;

/// A boxed future, as a recipient's sends return.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Any actor that takes a `T` through one of its messages and answers an `R`.
/// See the [module docs](self).
///
/// `Clone + Send + Sync`; equal (and hashed) by actor id, so a set of
/// recipients holds each actor once.
pub struct Recipient<T, R = ()> {
    inner: Arc<dyn Deliver<T, R>>,
}

/// What a recipient needs of the actor behind it.
trait Deliver<T, R>: Send + Sync {
    fn id(&self) -> ActorId;
    fn name(&self) -> &'static str;
    fn is_alive(&self) -> bool;
    fn try_tell(&self, item: T) -> Result<(), TrySendError>;
    fn tell(&self, item: T) -> BoxFuture<Result<(), SendError>>;
    fn ask(&self, item: T) -> BoxFuture<Result<R, AskError>>;
    fn wait_stopped(&self) -> BoxFuture<StopReason>;
}

/// A handle and the message method that turns a `T` into its request.
struct Via<H, F> {
    handle: H,
    method: Arc<F>,
}

impl<H, F, G, T, R> Deliver<T, R> for Via<H, F>
where
    H: ActorHandle,
    F: for<'h> Fn(&'h H, T) -> Request<'h, H::Actor, R, G> + Send + Sync + 'static,
    G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message + Send + 'static,
    T: Send + 'static,
    R: Send + 'static,
{
    fn id(&self) -> ActorId {
        self.handle.actor_ref().id()
    }

    fn name(&self) -> &'static str {
        H::Actor::NAME
    }

    fn is_alive(&self) -> bool {
        self.handle.actor_ref().is_alive()
    }

    fn try_tell(&self, item: T) -> Result<(), TrySendError> {
        (self.method)(&self.handle, item).try_tell()
    }

    fn tell(&self, item: T) -> BoxFuture<Result<(), SendError>> {
        let (handle, method) = (self.handle.clone(), self.method.clone());
        Box::pin(async move { method(&handle, item).tell().await })
    }

    fn ask(&self, item: T) -> BoxFuture<Result<R, AskError>> {
        let (handle, method) = (self.handle.clone(), self.method.clone());
        Box::pin(async move { method(&handle, item).into_future().await })
    }

    fn wait_stopped(&self) -> BoxFuture<StopReason> {
        let handle = self.handle.clone();
        Box::pin(async move { handle.actor_ref().wait_stopped().await })
    }
}

impl<T: Send + 'static, R: Send + 'static> Recipient<T, R> {
    /// The recipient that sends a `T` to `handle`'s actor through `method`, a
    /// message method of its handle taking one argument (`CounterHandle::inc`),
    /// or a closure for other shapes (`|h, (a, b)| h.put(a, b)`).
    pub fn new<H, F, G>(handle: &H, method: F) -> Self
    where
        H: ActorHandle,
        F: for<'h> Fn(&'h H, T) -> Request<'h, H::Actor, R, G> + Send + Sync + 'static,
        G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message + Send + 'static,
    {
        Recipient {
            inner: Arc::new(Via {
                handle: handle.clone(),
                method: Arc::new(method),
            }),
        }
    }

    /// Queues `item`, waiting for room in a full bounded mailbox.
    pub fn tell(&self, item: T) -> BoxFuture<Result<(), SendError>> {
        self.inner.tell(item)
    }

    /// Queues `item` now or fails with `Full` or `Stopped`; never waits.
    pub fn try_tell(&self, item: T) -> Result<(), TrySendError> {
        self.inner.try_tell(item)
    }

    /// Sends `item` and waits for the answer.
    pub fn ask(&self, item: T) -> BoxFuture<Result<R, AskError>> {
        self.inner.ask(item)
    }

    /// The actor's id.
    pub fn id(&self) -> ActorId {
        self.inner.id()
    }

    /// `true` while the actor takes messages (see [`ActorRef::is_alive`](crate::ActorRef::is_alive)).
    pub fn is_alive(&self) -> bool {
        self.inner.is_alive()
    }

    /// Waits until the actor has stopped for good and returns why.
    pub fn wait_stopped(&self) -> BoxFuture<StopReason> {
        self.inner.wait_stopped()
    }
}

impl<T, R> Clone for Recipient<T, R> {
    fn clone(&self) -> Self {
        Recipient {
            inner: self.inner.clone(),
        }
    }
}

impl<T, R> PartialEq for Recipient<T, R> {
    fn eq(&self, other: &Self) -> bool {
        self.inner.id() == other.inner.id()
    }
}

impl<T, R> Eq for Recipient<T, R> {}

impl<T, R> Hash for Recipient<T, R> {
    fn hash<S: Hasher>(&self, state: &mut S) {
        self.inner.id().hash(state);
    }
}

impl<T, R> fmt::Debug for Recipient<T, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recipient")
            .field("actor", &self.inner.name())
            .field("id", &self.inner.id())
            .finish()
    }
}
