//! Streams and event buses fed into an actor's mailbox:
//! [`Context::attach`], [`Context::attach_then`] and [`Context::subscribe`].
//!
//! Each item becomes one message, in the stream's order, with backpressure:
//! the stream is polled for its next item only once the mailbox has room for
//! it, so a fast stream never piles up in memory in front of a slow actor. The
//! feeding task belongs to the actor: it ends when the actor stops (or a
//! supervisor restarts it), like a timer.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! #[derive(Default)]
//! struct Totals { sum: u64, done: bool }
//!
//! #[actor]
//! impl Totals {
//!     #[on_start]
//!     fn started(&mut self, ctx: &mut Context<Self>) {
//!         let readings = futures::stream::iter(1..=4u64);
//!         ctx.attach_then(readings, |me, n| me.add(n), |me| me.finished());
//!     }
//!     #[message]
//!     fn add(&mut self, n: u64) { self.sum += n; }
//!     #[message]
//!     fn finished(&mut self) { self.done = true; }
//!     #[message]
//!     fn total(&self) -> Option<u64> { self.done.then_some(self.sum) }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let totals = system.spawn(Totals::default());
//! while totals.total().await.unwrap().is_none() {
//!     tokio::task::yield_now().await;
//! }
//! assert_eq!(totals.total().await, Ok(Some(10)));
//! # }
//! ```

use futures::{Stream, StreamExt};

use crate::actor::Actor;
use crate::context::{Context, TimerHandle};
use crate::events::RecvError;
use crate::handle::ActorHandle;
use crate::reply::Reply;
use crate::request::Request;

impl<A: Actor> Context<A> {
    /// Feeds `stream` into this actor's mailbox: each item becomes the
    /// message `make` builds from it (`|me, item| me.on_item(item)`), told in
    /// order. The stream is polled only when the mailbox has room. Feeding
    /// stops at the end of the stream, or when the actor stops or is
    /// restarted; [`TimerHandle::cancel`] stops it earlier. See the
    /// [module docs](crate::attach).
    pub fn attach<S, R, G, F>(&mut self, stream: S, make: F) -> TimerHandle
    where
        S: Stream + Send + 'static,
        S::Item: Send,
        F: for<'h> FnMut(&'h A::Handle, S::Item) -> Request<'h, A, R, G> + Send + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
    {
        self.feed(stream, make, None)
    }

    /// [`Context::attach`], and once the stream has ended, tells this actor
    /// the message `end` builds (`|me| me.stream_ended()`).
    pub fn attach_then<S, R, G, F, ER, EG, E>(&mut self, stream: S, make: F, end: E) -> TimerHandle
    where
        S: Stream + Send + 'static,
        S::Item: Send,
        F: for<'h> FnMut(&'h A::Handle, S::Item) -> Request<'h, A, R, G> + Send + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
        E: for<'h> FnOnce(&'h A::Handle) -> Request<'h, A, ER, EG> + Send + 'static,
        EG: FnOnce(Reply<ER>) -> A::Message,
        ER: 'static,
    {
        self.feed(
            stream,
            make,
            Some(Box::new(move |me| end(me).into_message())),
        )
    }

    fn feed<S, R, G, F>(
        &mut self,
        stream: S,
        mut make: F,
        end: Option<EndMessage<A>>,
    ) -> TimerHandle
    where
        S: Stream + Send + 'static,
        S::Item: Send,
        F: for<'h> FnMut(&'h A::Handle, S::Item) -> Request<'h, A, R, G> + Send + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
    {
        let me = self.handle();
        let task = tokio::spawn(async move {
            let mut stream = std::pin::pin!(stream);
            loop {
                // Room first, then the next item: the stream waits while the
                // mailbox is full.
                let Ok(slot) = me.actor_ref().reserve().await else {
                    return; // the actor stopped
                };
                let Some(item) = stream.next().await else {
                    break;
                };
                slot.send(make(&me, item).into_message());
            }
            if let Some(end) = end {
                let _ = me.actor_ref().send(end(&me)).await;
            }
        });
        self.track_task(task.abort_handle())
    }

    /// Subscribes this actor to the event bus of `E` ([`System::events`](crate::System::events)):
    /// each event becomes the message `make` builds from it, in publishing
    /// order, with backpressure. If the actor falls so far behind that events
    /// are overwritten, `make` gets `Err(RecvError::Lagged(n))` once, with how
    /// many were missed: lag is told, not hidden.
    ///
    /// ```
    /// use actor_core::prelude::*;
    /// use actor_core::events::RecvError;
    ///
    /// #[derive(Clone, Debug)]
    /// struct Deployed(&'static str);
    ///
    /// #[actor]
    /// #[derive(Default)]
    /// struct Audit { seen: Vec<String> }
    ///
    /// #[actor]
    /// impl Audit {
    ///     #[on_start]
    ///     fn started(&mut self, ctx: &mut Context<Self>) {
    ///         ctx.subscribe(|me, event: Result<Deployed, RecvError>| me.record(event.map(|d| d.0)));
    ///     }
    ///     #[message]
    ///     fn record(&mut self, event: Result<&'static str, RecvError>) {
    ///         self.seen.push(match event {
    ///             Ok(what) => what.to_owned(),
    ///             Err(lag) => lag.to_string(),
    ///         });
    ///     }
    ///     #[message]
    ///     fn seen(&self) -> Vec<String> { self.seen.clone() }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// let audit = system.spawn(Audit::default());
    /// audit.seen().await.unwrap(); // started, so subscribed
    /// system.events::<Deployed>().publish(Deployed("web v2"));
    /// while audit.seen().await.unwrap().is_empty() {
    ///     tokio::task::yield_now().await;
    /// }
    /// assert_eq!(audit.seen().await.unwrap(), ["web v2"]);
    /// # }
    /// ```
    pub fn subscribe<E, R, G, F>(&mut self, make: F) -> TimerHandle
    where
        E: Clone + Send + Sync + 'static,
        F: for<'h> FnMut(&'h A::Handle, Result<E, RecvError>) -> Request<'h, A, R, G>
            + Send
            + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
    {
        // Subscribed now, so no event published after this call is missed.
        let subscriber = self.system().events::<E>().subscribe();
        let events = futures::stream::unfold(subscriber, |mut subscriber| async move {
            match subscriber.recv().await {
                Err(RecvError::Closed) => None,
                event => Some((event, subscriber)),
            }
        });
        self.attach(events, make)
    }
}

/// Builds the message told when an attached stream ends.
type EndMessage<A> = Box<dyn FnOnce(&<A as Actor>::Handle) -> <A as Actor>::Message + Send>;
