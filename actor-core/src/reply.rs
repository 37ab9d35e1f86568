//! [`Reply<T>`]: the way back to the caller of an ask.
//!
//! Every message carries one. For an ordinary handler the generated dispatch
//! sends the handler's return value through it. A handler that wants to answer
//! later takes it as an argument (a *delegated reply*) and sends it whenever the
//! answer is ready, from anywhere: another task, the CPU pool, a timer.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Hasher;
//!
//! #[actor]
//! impl Hasher {
//!     /// Answers from another task; the actor takes its next message at once.
//!     #[message(response = u64)]
//!     fn slow_len(&mut self, text: String, reply: Reply<u64>) {
//!         tokio::spawn(async move { reply.send(text.len() as u64) });
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let h = system.spawn(Hasher);
//! assert_eq!(h.slow_len("four".into()).await, Ok(4));
//! # }
//! ```
//!
//! Dropping a `Reply` without sending resolves the ask to
//! [`AskError::NoReply`](crate::AskError::NoReply), or to
//! [`AskError::Panicked`](crate::AskError::Panicked) when it is dropped by a
//! panic, so an ask never hangs.

use std::cell::Cell;
use std::fmt;

use tokio::sync::oneshot;

/// What travels back through the reply channel: the answer, or the news that
/// the handler panicked.
pub(crate) type ReplyResult<T> = Result<T, HandlerPanicked>;

/// Marker sent when a [`Reply`] is dropped by a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HandlerPanicked;

thread_local! {
    /// Set while the runtime drops the state of a handler that panicked, so that
    /// replies dropped then report the panic (a future is dropped after
    /// `catch_unwind` returns, when `std::thread::panicking()` is already false).
    static DROPPING_PANICKED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` (which drops a panicked handler's state) so that replies dropped by
/// it report [`AskError::Panicked`](crate::AskError::Panicked).
pub(crate) fn dropping_panicked<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            DROPPING_PANICKED.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(DROPPING_PANICKED.with(|c| c.replace(true)));
    f()
}

/// The reply slot of one request. Send the answer with [`Reply::send`].
///
/// A tell carries an empty slot: sending into it does nothing.
#[must_use = "dropping a Reply without sending answers the ask with AskError::NoReply"]
pub struct Reply<T> {
    tx: Option<oneshot::Sender<ReplyResult<T>>>,
}

impl<T> Reply<T> {
    /// A slot for an ask, and the receiver the asker waits on.
    pub(crate) fn ask() -> (Self, oneshot::Receiver<ReplyResult<T>>) {
        let (tx, rx) = oneshot::channel();
        (Reply { tx: Some(tx) }, rx)
    }

    /// The empty slot of a tell.
    #[inline(always)]
    pub(crate) fn none() -> Self {
        Reply { tx: None }
    }

    /// Sends the answer. Does nothing for a tell or when the asker has given up
    /// (timed out or dropped its request).
    #[inline(always)]
    pub fn send(mut self, value: T) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Ok(value));
        }
    }

    /// `true` for the slot of an ask (whether or not the asker still waits),
    /// `false` for a tell's.
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
    pub(crate) fn is_ask(&self) -> bool {
        self.tx.is_some()
    }

    /// `true` when somebody waits for the answer: the request was an ask and
    /// the asker has not given up. Lets a handler skip work nobody will read.
    pub fn is_wanted(&self) -> bool {
        self.tx.as_ref().is_some_and(|tx| !tx.is_closed())
    }
}

/// How an ask's reply channel travels inside a message: one pointer (a
/// tell's message carries none). Generated code turns it into a [`Reply`]
/// for the handler.
#[doc(hidden)]
pub struct ReplyTo<T>(oneshot::Sender<ReplyResult<T>>);

impl<T> Reply<T> {
    /// The channel of an ask, or `None` for a tell.
    #[inline(always)]
    pub(crate) fn into_channel(mut self) -> Option<ReplyTo<T>> {
        self.tx.take().map(ReplyTo)
    }

    /// The reply slot of a message that came with a channel.
    #[inline(always)]
    pub(crate) fn from_channel(channel: ReplyTo<T>) -> Self {
        Reply {
            tx: Some(channel.0),
        }
    }
}

impl<T> Drop for Reply<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            dropped_unsent(tx);
        }
    }
}

/// A reply dropped without an answer: tell the asker if a panic dropped it
/// (otherwise dropping the sender tells it `NoReply`).
#[cold]
fn dropped_unsent<T>(tx: oneshot::Sender<ReplyResult<T>>) {
    if std::thread::panicking() || DROPPING_PANICKED.with(Cell::get) {
        let _ = tx.send(Err(HandlerPanicked));
    }
}

impl<T> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("wanted", &self.is_wanted())
            .finish()
    }
}
