//! Requests: what a handle method returns before you decide how to send it.
//!
//! `counter.inc(5)` builds nothing yet; the message is made when you choose:
//!
//! | you write                      | it does                                        | result                       |
//! |--------------------------------|------------------------------------------------|------------------------------|
//! | `counter.get().await`          | ask: queue (waiting for room), wait for reply  | `Result<R, AskError>`        |
//! | `counter.get().timeout(d).await` | ask with a deadline over both waits          | `Result<R, AskError>`        |
//! | `counter.inc(5).tell().await`  | tell: queue, waiting for room only             | `Result<(), SendError>`      |
//! | `counter.inc(5).try_tell()`    | tell now or fail: never waits                  | `Result<(), TrySendError>`   |
//!
//! A tell creates no reply channel, so it costs one mailbox slot and nothing else.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Counter { count: u64 }
//!
//! #[actor]
//! impl Counter {
//!     #[message]
//!     fn inc(&mut self, by: u64) { self.count += by; }
//!     #[message]
//!     fn get(&self) -> u64 { self.count }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let counter = system.spawn(Counter { count: 0 });
//! counter.inc(5).tell().await?;
//! counter.inc(1).try_tell()?;
//! assert_eq!(counter.get().await?, 6);
//! assert_eq!(counter.get().timeout(Duration::from_secs(1)).await?, 6);
//! # Ok(())
//! # }
//! ```
//!
//! # Owned requests
//!
//! A request borrows the handle it was made from, so it cannot outlive it:
//! moved into `tokio::spawn`, it fails to compile (the task may outlive the
//! handle, error E0597):
//!
//! ```compile_fail,E0597
//! # use actor_core::prelude::*;
//! # #[actor] struct Counter { n: u64 }
//! # #[actor] impl Counter { #[message] fn get(&self) -> u64 { self.n } }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let counter = System::new().spawn(Counter { n: 7 });
//! let asking = tokio::spawn(counter.get().into_future()); // `counter` does not live long enough
//! # }
//! ```
//!
//! [`Request::into_owned`] gives the same request with a reference to the
//! actor of its own (one reference count): a `Request<'static, ..>`, sent in
//! any of the four ways, from anywhere.
//!
//! ```
//! # use std::time::Duration;
//! # use actor_core::prelude::*;
//! # #[actor] struct Counter { n: u64 }
//! # #[actor] impl Counter {
//! #     #[message] fn get(&self) -> u64 { self.n }
//! #     #[message] fn inc(&mut self) { self.n += 1 }
//! # }
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let counter = System::new().spawn(Counter { n: 7 });
//! let asking = tokio::spawn(counter.get().into_owned().into_future());
//! let telling = tokio::spawn(counter.inc().into_owned().tell());
//! let deadline = counter.get().into_owned().timeout(Duration::from_secs(1));
//! assert_eq!(asking.await?, Ok(7));
//! telling.await??;
//! assert_eq!(tokio::spawn(deadline).await?, Ok(8));
//! # Ok(())
//! # }
//! ```
//!
//! # Generic code over handle methods
//!
//! A handle method is a function from a borrowed handle to a request that
//! borrows it for as long: `for<'h> Fn(&'h H) -> Request<'h, H::Actor, R, G>`,
//! where `R` is the response and `G` the (unnamed) type that builds the
//! message. Generic code takes the method itself (`CounterHandle::get`), or
//! a closure for methods with arguments (`|h| h.add(1)`):
//!
//! ```
//! use actor_core::prelude::*;
//! use tokio::task::JoinHandle;
//!
//! /// Asks every actor the same question, one after the other.
//! async fn ask_all<H, R, G>(
//!     handles: &[H],
//!     method: impl for<'h> Fn(&'h H) -> Request<'h, H::Actor, R, G>,
//! ) -> Vec<Result<R, AskError>>
//! where
//!     H: ActorHandle,
//!     G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message,
//! {
//!     let mut answers = Vec::with_capacity(handles.len());
//!     for handle in handles {
//!         answers.push(method(handle).await);
//!     }
//!     answers
//! }
//!
//! /// Asks on a task of its own: an owned request is `'static`.
//! fn ask_in_background<H, R, G>(
//!     handle: &H,
//!     method: impl for<'h> FnOnce(&'h H) -> Request<'h, H::Actor, R, G>,
//! ) -> JoinHandle<Result<R, AskError>>
//! where
//!     H: ActorHandle,
//!     R: Send + 'static,
//!     G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message + Send + 'static,
//! {
//!     tokio::spawn(method(handle).into_owned().into_future())
//! }
//!
//! #[actor]
//! struct Counter { n: u64 }
//! #[actor]
//! impl Counter {
//!     #[message]
//!     fn get(&self) -> u64 { self.n }
//!     #[message]
//!     fn add(&mut self, by: u64) -> u64 { self.n += by; self.n }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let counters = [system.spawn(Counter { n: 1 }), system.spawn(Counter { n: 2 })];
//! assert_eq!(ask_all(&counters, CounterHandle::get).await, [Ok(1), Ok(2)]);
//! assert_eq!(ask_all(&counters, |c| c.add(10)).await, [Ok(11), Ok(12)]);
//! assert_eq!(ask_in_background(&counters[0], CounterHandle::get).await.unwrap(), Ok(11));
//! # }
//! ```
//!
//! The futures are named too, for code that stores them: [`Ask`] (of
//! `.await`), [`AskTimeout`] (of `.timeout(d)`) and [`Tell`] (of `.tell()`),
//! each with the request's lifetime. `Request`, `Ask` and `Tell` are in the
//! [prelude](crate::prelude).

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::actor::Actor;
use crate::cell::{ActorCell, Running};
use crate::error::{AskError, SendError, TrySendError};
use crate::handle::{ActorRef, Shared};
use crate::mailbox::MailboxSender;
use crate::reply::{Dropped, Reply, ReplyResult};

/// A message to an actor, not yet sent. See the [module docs](self).
///
/// `R` is the response type; `F` builds the message around its reply slot.
/// `'a` is the borrow of the handle it was made from;
/// [`Request::into_owned`] makes a `Request<'static, ..>` that holds a
/// reference of its own.
#[must_use = "a request does nothing until it is awaited (ask) or told"]
pub struct Request<'a, A: Actor, R, F> {
    to: Target<'a, A>,
    make: F,
    _response: PhantomData<fn() -> R>,
}

impl<A: Actor, R, F> fmt::Debug for Request<'_, A, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("to", &*self.to)
            .finish_non_exhaustive()
    }
}

/// The actor a request goes to: the handle's reference, borrowed, or a
/// reference of the request's own (an owned request).
enum Target<'a, A: Actor> {
    Borrowed(&'a ActorRef<A>),
    Owned(ActorRef<A>),
}

impl<A: Actor> std::ops::Deref for Target<'_, A> {
    type Target = ActorRef<A>;

    #[inline(always)]
    fn deref(&self) -> &ActorRef<A> {
        match self {
            Target::Borrowed(to) => to,
            Target::Owned(to) => to,
        }
    }
}

impl<'a, A: Actor> Target<'a, A> {
    /// The mailbox a `Tell` sends to.
    #[inline(always)]
    fn into_mailbox(self) -> Mailbox<'a, A::Message> {
        match self {
            Target::Borrowed(to) => Mailbox::Borrowed {
                tx: to.tx(),
                cell: to.cell(),
            },
            Target::Owned(to) => Mailbox::Owned(to.shared),
        }
    }

    /// Waits for room in the mailbox, then queues `msg`: borrowing the
    /// mailbox for as long as the request does, or, for an owned request,
    /// through a reference of the wait's own.
    #[cold]
    fn send_later(&self, msg: A::Message) -> SlowFuture<'a> {
        match self {
            Target::Borrowed(to) => {
                let tx = to.tx();
                Box::pin(async move { tx.send(msg).await.map_err(|_| AskError::Stopped) })
            }
            Target::Owned(to) => {
                let to = to.clone();
                Box::pin(async move { to.tx().send(msg).await.map_err(|_| AskError::Stopped) })
            }
        }
    }
}

impl<'a, A, R, F> Request<'a, A, R, F>
where
    A: Actor,
    F: FnOnce(Reply<R>) -> A::Message,
{
    #[inline]
    pub(crate) fn new(to: &'a ActorRef<A>, make: F) -> Self {
        Request {
            to: Target::Borrowed(to),
            make,
            _response: PhantomData,
        }
    }

    /// The same request, holding a reference to the actor of its own instead
    /// of borrowing the handle: a `Request<'static, ..>`, which can be kept,
    /// returned, or moved into `tokio::spawn`, and then sent like any
    /// request (`.await`, `.timeout(d)`, `.tell()`, `.try_tell()`,
    /// `.try_ask()`). Costs one reference count. See the
    /// [module docs](self#owned-requests).
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// #[actor]
    /// struct Counter { n: u64 }
    /// #[actor]
    /// impl Counter {
    ///     #[message]
    ///     fn get(&self) -> u64 { self.n }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let counter = System::new().spawn(Counter { n: 7 });
    /// let asking = tokio::spawn(counter.get().into_owned().into_future());
    /// assert_eq!(asking.await.unwrap(), Ok(7));
    /// # }
    /// ```
    #[inline]
    pub fn into_owned(self) -> Request<'static, A, R, F> {
        Request {
            to: Target::Owned((*self.to).clone()),
            make: self.make,
            _response: PhantomData,
        }
    }

    /// Queues the message without a reply channel, waiting for room in a full
    /// bounded mailbox. Fails only if the actor is stopped.
    #[inline]
    pub fn tell(self) -> Tell<'a, A::Message> {
        let mut msg = (self.make)(Reply::none());
        // Made here, where the actor type is known: a told message carries
        // the span current where its `Tell` is made (see `crate::trace`).
        if tracing::level_enabled!(tracing::Level::DEBUG) {
            msg = crate::trace::with_sender_span::<A>(msg);
        }
        Tell {
            to: self.to.into_mailbox(),
            msg: Some(msg),
            waiting: None,
        }
    }

    /// Queues the message now, without a reply channel, or fails at once with
    /// [`TrySendError::Full`] or [`TrySendError::Stopped`]. Never waits.
    #[inline]
    pub fn try_tell(self) -> Result<(), TrySendError> {
        self.to
            .try_send((self.make)(Reply::none()))
            .map_err(|(_, e)| e)
    }

    /// Asks without waiting for mailbox room: queues the message now and
    /// returns the future of the reply, or fails at once with
    /// [`TrySendError::Full`] or [`TrySendError::Stopped`]. For load shedding:
    /// answer "busy" instead of queueing behind a full mailbox.
    ///
    /// ```
    /// # use actor_core::prelude::*;
    /// # #[actor] struct Counter { n: u64 }
    /// # #[actor] impl Counter { #[message] fn get(&self) -> u64 { self.n } }
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), actor_core::Error> {
    /// # let counter = System::new().spawn(Counter { n: 3 });
    /// match counter.get().try_ask() {
    ///     Ok(reply) => assert_eq!(reply.await?, 3),
    ///     Err(TrySendError::Full) => { /* shed load: answer "busy" */ }
    ///     Err(e) => return Err(e.into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn try_ask(self) -> Result<Ask<'a, A, R, F>, TrySendError> {
        let (reply, rx) = Reply::ask();
        self.to.try_send((self.make)(reply)).map_err(|(_, e)| e)?;
        Ok(Ask::waiting(self.to, rx))
    }

    /// Asks, and gives up with [`AskError::Timeout`] if the reply has not come
    /// within `timeout` (time spent waiting for mailbox room counts too). The
    /// clock starts at the first poll, which needs a tokio runtime with its
    /// timer; building the request needs neither.
    ///
    /// A zero `timeout` gives up at once, without sending: the result is
    /// `Err(Timeout)` and the actor never sees the message. (Use
    /// [`Request::try_ask`] to send only if there is room, and then wait.)
    pub fn timeout(self, timeout: Duration) -> AskTimeout<'a, A, R, F> {
        AskTimeout {
            ask: self.into_future(),
            sleep: None,
            timeout,
        }
    }

    /// Builds the message as a tell (no reply channel) without sending it.
    /// Timers use this to carry a message to the actor later.
    pub fn into_message(self) -> A::Message {
        (self.make)(Reply::none())
    }
}

impl<'a, A, R, F> IntoFuture for Request<'a, A, R, F>
where
    A: Actor,
    F: FnOnce(Reply<R>) -> A::Message,
{
    type Output = Result<R, AskError>;
    type IntoFuture = Ask<'a, A, R, F>;

    #[inline]
    fn into_future(self) -> Self::IntoFuture {
        Ask {
            to: self.to,
            make: Some(self.make),
            slow: None,
            reply: None,
        }
    }
}

/// The future of a tell: `request.tell().await`. On its first poll it
/// queues the message if there is room (always, for an unbounded mailbox);
/// only a full bounded mailbox makes it wait.
#[must_use = "futures do nothing unless polled"]
pub struct Tell<'a, M> {
    to: Mailbox<'a, M>,
    msg: Option<M>,
    /// Only when the bounded mailbox was full: waits for room.
    waiting: Option<SendFuture<'a>>,
}

/// Where a tell goes: the mailbox and the cell of the actor (a stop request
/// refuses the message), borrowed from the handle, or held through the
/// actor's shared record by an owned request.
enum Mailbox<'a, M> {
    Borrowed {
        tx: &'a MailboxSender<M>,
        cell: &'a ActorCell,
    },
    Owned(Arc<dyn Takes<M>>),
}

/// An actor's shared record, whatever its type, as a tell needs it.
trait Takes<M>: Send + Sync {
    fn tx(&self) -> &MailboxSender<M>;
    fn cell(&self) -> &ActorCell;
}

impl<A: Actor> Takes<A::Message> for Shared<A> {
    fn tx(&self) -> &MailboxSender<A::Message> {
        &self.tx
    }
    fn cell(&self) -> &ActorCell {
        &self.cell
    }
}

impl<'a, M: Send + 'static> Mailbox<'a, M> {
    #[inline(always)]
    fn parts(&self) -> (&MailboxSender<M>, &ActorCell) {
        match self {
            Mailbox::Borrowed { tx, cell } => (tx, cell),
            Mailbox::Owned(to) => (to.tx(), to.cell()),
        }
    }

    /// See [`Target::send_later`].
    #[cold]
    fn send_later(&self, msg: M) -> SendFuture<'a> {
        match self {
            Mailbox::Borrowed { tx, .. } => Box::pin(tx.send(msg)),
            Mailbox::Owned(to) => {
                let to = to.clone();
                Box::pin(async move { to.tx().send(msg).await })
            }
        }
    }
}

// Nothing is pinned in place: the message is moved out on first poll, and the
// waiting send is boxed.
impl<M> Unpin for Tell<'_, M> {}

impl<M> fmt::Debug for Tell<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.msg.is_some() {
            "not sent"
        } else if self.waiting.is_some() {
            "waiting for mailbox room"
        } else {
            "done"
        };
        f.debug_struct("Tell").field("state", &state).finish()
    }
}

impl<M: Send + 'static> Future for Tell<'_, M> {
    type Output = Result<(), SendError>;

    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(msg) = this.msg.take() {
            let (tx, cell) = this.to.parts();
            if !cell.accepts() {
                return Poll::Ready(Err(SendError::Stopped));
            }
            match tx.try_send(msg) {
                Ok(()) => return Poll::Ready(Ok(())),
                Err((_, TrySendError::Stopped)) => return Poll::Ready(Err(SendError::Stopped)),
                Err((msg, TrySendError::Full)) => {
                    // Only the actor itself can make room: waiting in its own
                    // handler would wait forever.
                    if Running::is(cell.id()) {
                        return Poll::Ready(Err(SendError::Deadlock));
                    }
                    this.waiting = Some(this.to.send_later(msg));
                }
            }
        }
        poll_waiting(&mut this.waiting, cx)
    }
}

/// The slow path of a tell or an ask: wait for room in a full mailbox.
#[cold]
fn poll_waiting(
    waiting: &mut Option<SendFuture<'_>>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), SendError>> {
    let Some(send) = waiting.as_mut() else {
        panic!("`Tell` polled after completion");
    };
    let done = ready!(send.as_mut().poll(cx));
    *waiting = None;
    Poll::Ready(done)
}

/// The future of an ask: `request.await`.
#[must_use = "futures do nothing unless polled"]
pub struct Ask<'a, A: Actor, R, F> {
    to: Target<'a, A>,
    /// Builds the message; taken on the first poll, which sends it.
    make: Option<F>,
    /// The rare waits, boxed: for room in a full bounded mailbox, or for the
    /// panic that dropped the reply to be caught.
    slow: Option<SlowFuture<'a>>,
    /// The reply, once the message is sent.
    reply: Option<oneshot::Receiver<ReplyResult<R>>>,
}

type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// An ask's rare waits: for room in a full mailbox (`Ok` once the message
/// is queued), or for the panic that dropped the reply (always `Err`).
type SlowFuture<'a> = Pin<Box<dyn Future<Output = Result<(), AskError>> + Send + 'a>>;

/// Waits for the panic that dropped a reply to be caught (on the thread that
/// dropped it, in the same poll; should it not be, the channel closes).
#[cold]
fn panic_of(dropped: Dropped) -> SlowFuture<'static> {
    let panic = crate::reply::panic_of(dropped);
    Box::pin(async move { Err(AskError::Panicked(panic.await)) })
}

// No field is ever pinned: the closure is moved out on first poll and the
// oneshot receiver and boxed future are `Unpin`.
impl<A: Actor, R, F> Unpin for Ask<'_, A, R, F> {}

impl<A: Actor, R, F> fmt::Debug for Ask<'_, A, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.make.is_some() {
            "not sent"
        } else if self.reply.is_none() && self.slow.is_some() {
            "waiting for the panic that dropped the reply"
        } else if self.slow.is_some() {
            "waiting for mailbox room"
        } else {
            "waiting for the reply"
        };
        f.debug_struct("Ask")
            .field("to", &*self.to)
            .field("state", &state)
            .finish()
    }
}

impl<'a, A: Actor, R, F> Ask<'a, A, R, F> {
    fn waiting(to: Target<'a, A>, reply: oneshot::Receiver<ReplyResult<R>>) -> Self {
        Ask {
            to,
            make: None,
            slow: None,
            reply: Some(reply),
        }
    }
}

impl<'a, A, R, F> Future for Ask<'a, A, R, F>
where
    A: Actor,
    F: FnOnce(Reply<R>) -> A::Message,
{
    type Output = Result<R, AskError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        if let Some(make) = this.make.take() {
            // The actor answers only after the handler that waits here returns.
            if Running::is(this.to.id()) {
                return Poll::Ready(Err(AskError::Deadlock));
            }
            let (reply, rx) = Reply::ask();
            this.reply = Some(rx);
            match this.to.try_send(make(reply)) {
                Ok(()) => {}
                Err((_, TrySendError::Stopped)) => return Poll::Ready(Err(AskError::Stopped)),
                Err((msg, TrySendError::Full)) => {
                    this.slow = Some(this.to.send_later(msg));
                }
            }
        }
        if this.slow.is_some()
            && let Err(failed) = ready!(poll_slow(&mut this.slow, cx))
        {
            return Poll::Ready(Err(failed));
        }
        let Some(rx) = this.reply.as_mut() else {
            panic!("`Ask` polled after completion");
        };
        let out = match Pin::new(rx).poll(cx) {
            // An ask made with `try_ask` and awaited in the actor's own handler.
            Poll::Pending if Running::is(this.to.id()) => Err(AskError::Deadlock),
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(Ok(value))) => Ok(value),
            Poll::Ready(Ok(Err(dropped))) => return this.panicked(dropped, cx),
            Poll::Ready(Err(_dropped)) => Err(AskError::NoReply),
        };
        this.reply = None;
        Poll::Ready(out)
    }
}

impl<A: Actor, R, F> Ask<'_, A, R, F> {
    /// A panic dropped the reply: waits for it to be caught (kept out of
    /// `poll`, whose every instruction each ask pays for).
    #[cold]
    #[inline(never)]
    fn panicked(&mut self, dropped: Dropped, cx: &mut Context<'_>) -> Poll<Result<R, AskError>> {
        self.reply = None;
        self.slow = Some(panic_of(dropped));
        poll_slow(&mut self.slow, cx).map(|panicked| panicked.and(Err(AskError::NoReply)))
    }
}

/// Polls an ask's rare wait (see [`SlowFuture`]).
#[cold]
fn poll_slow(
    slow: &mut Option<SlowFuture<'_>>,
    cx: &mut Context<'_>,
) -> Poll<Result<(), AskError>> {
    let Some(wait) = slow.as_mut() else {
        return Poll::Ready(Ok(()));
    };
    let done = ready!(wait.as_mut().poll(cx));
    *slow = None;
    Poll::Ready(done)
}

pin_project_lite::pin_project! {
    /// The future of an ask with a deadline: `request.timeout(d).await`.
    #[must_use = "futures do nothing unless polled"]
    pub struct AskTimeout<'a, A: Actor, R, F> {
        ask: Ask<'a, A, R, F>,
        // Started at the first poll.
        #[pin]
        sleep: Option<tokio::time::Sleep>,
        timeout: Duration,
    }
}

impl<A: Actor, R, F> fmt::Debug for AskTimeout<'_, A, R, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AskTimeout")
            .field("ask", &self.ask)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl<A, R, F> Future for AskTimeout<'_, A, R, F>
where
    A: Actor,
    F: FnOnce(Reply<R>) -> A::Message,
{
    type Output = Result<R, AskError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        if this.sleep.is_none() {
            if this.timeout.is_zero() {
                this.ask.make = None; // never sent
                return Poll::Ready(Err(AskError::Timeout(*this.timeout)));
            }
            this.sleep.set(Some(tokio::time::sleep(*this.timeout)));
        }
        if let Poll::Ready(out) = Pin::new(&mut *this.ask).poll(cx) {
            return Poll::Ready(out);
        }
        if let Some(sleep) = this.sleep.as_pin_mut() {
            ready!(sleep.poll(cx));
        }
        Poll::Ready(Err(AskError::Timeout(*this.timeout)))
    }
}
