//! [`Events<E>`]: a typed publish/subscribe bus, one per event type, owned by
//! the [`System`](crate::System).
//!
//! Any part of a service publishes an `E` with
//! [`system.events::<E>().publish(event)`](Events::publish); every
//! [`Subscriber<E>`] that exists at that moment receives it, in publishing
//! order. The event type is the topic: define one type per kind of event
//! (an enum groups related ones), and no string names can be mistyped.
//!
//! ```
//! use actor_core::System;
//!
//! #[derive(Debug, Clone, PartialEq)]
//! enum Build {
//!     Started(u32),
//!     Finished(u32),
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::events::RecvError> {
//! let system = System::new();
//! let mut watcher = system.events::<Build>().subscribe();
//!
//! let bus = system.events::<Build>();
//! bus.publish(Build::Started(7));
//! bus.publish(Build::Finished(7));
//!
//! assert_eq!(watcher.recv().await?, Build::Started(7));
//! assert_eq!(watcher.recv().await?, Build::Finished(7));
//! # Ok(())
//! # }
//! ```
//!
//! # Capacity and lag
//!
//! Each bus is a [`tokio::sync::broadcast`] channel: a ring that holds the
//! last [`SystemBuilder::event_capacity`](crate::SystemBuilder::event_capacity)
//! events (default [`DEFAULT_EVENT_CAPACITY`], rounded up to a power of two).
//! Publishing never waits for subscribers. A subscriber that falls behind by
//! more than the capacity loses the oldest events it has not read, and is told:
//! its next [`Subscriber::recv`] returns [`RecvError::Lagged`] with the number
//! missed, then it goes on with the oldest event still held. Nothing is
//! dropped without the subscriber learning how many.
//!
//! ```
//! use actor_core::{System, events::RecvError};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::builder().event_capacity(4).build();
//! let mut slow = system.events::<u32>().subscribe();
//! for n in 0..10 {
//!     system.events::<u32>().publish(n);
//! }
//! assert_eq!(slow.recv().await, Err(RecvError::Lagged(6))); // 0..=5 are gone
//! assert_eq!(slow.recv().await, Ok(6));                     // the oldest still held
//! # }
//! ```
//!
//! Events are cloned once per subscriber: keep them small, or wrap large
//! payloads in an `Arc`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use tokio::sync::broadcast;

/// How many events a bus holds for its slowest subscriber, unless the
/// builder says otherwise ([`SystemBuilder::event_capacity`](crate::SystemBuilder::event_capacity)).
pub const DEFAULT_EVENT_CAPACITY: usize = 1024;

/// The bus of events of type `E`. Made by
/// [`System::events`](crate::System::events); see the [module docs](self).
///
/// Cheap to clone: clones publish on the same bus.
pub struct Events<E> {
    tx: broadcast::Sender<E>,
}

impl<E> Clone for Events<E> {
    fn clone(&self) -> Self {
        Events {
            tx: self.tx.clone(),
        }
    }
}

impl<E> fmt::Debug for Events<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Events")
            .field("event", &std::any::type_name::<E>())
            .field("subscribers", &self.tx.receiver_count())
            .finish()
    }
}

impl<E: Clone + Send + Sync + 'static> Events<E> {
    /// Sends `event` to every current subscriber and returns how many there
    /// are. With none, the event is discarded and `0` returned: subscribers
    /// see only what is published after they subscribe.
    ///
    /// Never waits: a subscriber that does not keep up lags
    /// ([`RecvError::Lagged`]) instead of slowing the publisher down.
    pub fn publish(&self, event: E) -> usize {
        self.tx.send(event).unwrap_or(0)
    }

    /// A new subscriber, which receives every event published from now on.
    pub fn subscribe(&self) -> Subscriber<E> {
        Subscriber {
            rx: self.tx.subscribe(),
        }
    }

    /// The number of subscribers now.
    pub fn subscriber_count(&self) -> usize {
        self.tx.receiver_count()
    }
}

/// Receives the events of one bus, in publishing order. Made by
/// [`Events::subscribe`]; dropping it unsubscribes.
pub struct Subscriber<E> {
    rx: broadcast::Receiver<E>,
}

impl<E> fmt::Debug for Subscriber<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriber")
            .field("event", &std::any::type_name::<E>())
            .field("pending", &self.rx.len())
            .finish()
    }
}

impl<E: Clone + Send + Sync + 'static> Subscriber<E> {
    /// Waits for the next event.
    ///
    /// Returns [`RecvError::Lagged`] once if this subscriber fell so far behind
    /// that events it had not read were overwritten; the next call returns the
    /// oldest event still held. Returns [`RecvError::Closed`] when the system
    /// and every [`Events`] clone are gone and no event is left.
    ///
    /// Cancel safe: dropping the future before it completes loses no event.
    pub async fn recv(&mut self) -> Result<E, RecvError> {
        self.rx.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => RecvError::Lagged(n),
            broadcast::error::RecvError::Closed => RecvError::Closed,
        })
    }

    /// The next event if one is waiting, without waiting; see [`Subscriber::recv`].
    pub fn try_recv(&mut self) -> Result<E, TryRecvError> {
        self.rx.try_recv().map_err(|e| match e {
            broadcast::error::TryRecvError::Empty => TryRecvError::Empty,
            broadcast::error::TryRecvError::Lagged(n) => TryRecvError::Lagged(n),
            broadcast::error::TryRecvError::Closed => TryRecvError::Closed,
        })
    }

    /// The number of events published and not yet received by this subscriber
    /// (including ones already overwritten, which [`RecvError::Lagged`] will report).
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// `true` when no event is waiting.
    pub fn is_empty(&self) -> bool {
        self.rx.is_empty()
    }
}

/// Why [`Subscriber::recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RecvError {
    /// The subscriber fell behind: this many events were overwritten before it
    /// read them. The next `recv` returns the oldest event still held.
    #[error("the subscriber fell behind and missed {0} events")]
    Lagged(u64),
    /// The bus is gone (its system and every [`Events`] clone were dropped)
    /// and every event was received.
    #[error("the event bus is closed")]
    Closed,
}

/// Why [`Subscriber::try_recv`] returned no event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TryRecvError {
    /// No event is waiting.
    #[error("no event is waiting")]
    Empty,
    /// The subscriber fell behind: this many events were overwritten before it
    /// read them. The next call returns the oldest event still held.
    #[error("the subscriber fell behind and missed {0} events")]
    Lagged(u64),
    /// The bus is gone and every event was received.
    #[error("the event bus is closed")]
    Closed,
}

/// The buses of a system, one per event type, made on first use.
pub(crate) struct EventBuses {
    capacity: usize,
    /// `TypeId::of::<E>()` → `Events<E>`.
    buses: Mutex<HashMap<TypeId, Box<dyn Any + Send + Sync>>>,
}

impl EventBuses {
    pub(crate) fn new(capacity: usize) -> Self {
        EventBuses {
            capacity: capacity.max(1),
            buses: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn get<E: Clone + Send + Sync + 'static>(&self) -> Events<E> {
        let mut buses = self.buses.lock().unwrap_or_else(|e| e.into_inner());
        let bus = buses.entry(TypeId::of::<E>()).or_insert_with(|| {
            Box::new(Events::<E> {
                tx: broadcast::Sender::new(self.capacity),
            })
        });
        match bus.downcast_ref::<Events<E>>() {
            Some(events) => events.clone(),
            // Entries are keyed by the TypeId of the type they hold.
            None => unreachable!("event bus stored under the wrong type"),
        }
    }
}
