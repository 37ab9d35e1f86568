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
//!
//! # Which panic an ask learns of
//!
//! [`AskError::Panicked`](crate::AskError::Panicked) carries the
//! [`PanicError`]: the handler that panicked and the panic's message. The
//! runtime learns them where it catches the panic, an instant after the
//! reply was dropped (on the same thread, in the same poll), and the asker
//! waits for that instant when the reply is one the runtime holds where it
//! catches panics: the reply of an ordinary handler (one that returns its
//! answer), sync or async, and a delegated reply dropped by a panic in work
//! on the CPU pool ([`Context::spawn_cpu`](crate::Context::spawn_cpu)) or
//! in a test stand-in's closure. A delegated reply dropped by any other panic
//! (in its handler, or in a thread or a task of your own, where it cannot
//! tell whether the runtime will catch the panic) answers at once with a
//! [`PanicError`] whose handler is `"?"`; when the handler itself panicked,
//! the actor's [`StopReason::Panicked`](crate::StopReason::Panicked) has the
//! panic.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::oneshot;

use crate::actor::PanicError;

/// What travels back through the reply channel: the answer, or the news that
/// a panic dropped the reply.
pub(crate) type ReplyResult<T> = Result<T, Dropped>;

/// A reply dropped by a panic: a ticket for the panic, which the asker
/// collects with [`panic_of`] once the runtime has caught it (on the thread
/// that dropped the reply, in the same poll). A plain number: the reply
/// channel's value gains no destructor, so the answer's way back costs what
/// it cost before panics were reported.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dropped(u64);

thread_local! {
    /// Set while the runtime drops the state of a handler that panicked, so that
    /// replies dropped then report the panic (a future is dropped after
    /// `catch_unwind` returns, when `std::thread::panicking()` is already false).
    static DROPPING_PANICKED: Cell<bool> = const { Cell::new(false) };
    /// Set where the runtime catches the panics of code that may hold
    /// delegated replies ([`catching`]).
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// The tickets of the replies dropped by the panic being caught on this
    /// thread ([`panic_caught`]).
    static PENDING: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// The next ticket (0 is never one).
static NEXT_TICKET: AtomicU64 = AtomicU64::new(1);

/// Panics caught and not yet collected by their askers, and askers waiting
/// for a panic not yet caught, by ticket. Touched only when a panic drops a
/// reply.
static CAUGHT: Mutex<BTreeMap<u64, Caught>> = Mutex::new(BTreeMap::new());

enum Caught {
    Panic(PanicError),
    Waiting(oneshot::Sender<PanicError>),
}

fn caught() -> std::sync::MutexGuard<'static, BTreeMap<u64, Caught>> {
    // Nothing panics while holding it; a poisoned map is still consistent.
    CAUGHT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// Tells `tx`'s asker of the panic being caught on this thread, once it is.
fn answer_when_caught<T>(tx: oneshot::Sender<ReplyResult<T>>) {
    let ticket = NEXT_TICKET.fetch_add(1, Ordering::Relaxed);
    if tx.send(Err(Dropped(ticket))).is_err() {
        return; // Nobody waits.
    }
    if PENDING.try_with(|p| p.borrow_mut().push(ticket)).is_err() {
        // The thread is ending: nothing will be caught on it.
        publish(ticket, PanicError::unknown());
    }
}

/// Tells `tx`'s asker of `panic` at once.
fn answer_now<T>(tx: oneshot::Sender<ReplyResult<T>>, panic: PanicError) {
    let ticket = NEXT_TICKET.fetch_add(1, Ordering::Relaxed);
    if tx.send(Err(Dropped(ticket))).is_ok() {
        publish(ticket, panic);
    }
}

/// The panic of `ticket` is known: to its waiting asker, or kept for it.
fn publish(ticket: u64, panic: PanicError) {
    let mut caught = caught();
    match caught.remove(&ticket) {
        Some(Caught::Waiting(asker)) => {
            let _ = asker.send(panic);
        }
        _ => {
            caught.insert(ticket, Caught::Panic(panic));
        }
    }
}

/// The panic that dropped the reply with this ticket: at once if it was
/// caught, else when it is.
pub(crate) fn panic_of(Dropped(ticket): Dropped) -> impl Future<Output = PanicError> + Send {
    let waiting = {
        let mut caught = caught();
        match caught.remove(&ticket) {
            Some(Caught::Panic(panic)) => Err(panic),
            _ => {
                let (tx, rx) = oneshot::channel();
                caught.insert(ticket, Caught::Waiting(tx));
                Ok(rx)
            }
        }
    };
    async move {
        match waiting {
            Err(panic) => panic,
            Ok(rx) => rx.await.unwrap_or_else(|_| PanicError::unknown()),
        }
    }
}

/// A panic was caught on this thread: the replies it dropped answer their
/// asks with it. Called by [`PanicError::from_payload`], which every panic
/// the runtime catches goes through.
pub(crate) fn panic_caught(panic: &PanicError) {
    for ticket in take_pending() {
        publish(ticket, panic.clone());
    }
}

fn take_pending() -> Vec<u64> {
    PENDING
        .try_with(|p| std::mem::take(&mut *p.borrow_mut()))
        .unwrap_or_default()
}

/// Runs `f`, which catches the panics of the code it runs (it returns
/// `catch_unwind`'s result), so that delegated replies dropped by a panic in
/// there answer with it: work on the CPU pool, a stand-in's closure. Replies
/// dropped by a panic that the code caught itself answer with a panic of
/// unknown message when `f` returns.
pub(crate) fn catching<R>(
    handler: &'static str,
    f: impl FnOnce() -> std::thread::Result<R>,
) -> Result<R, PanicError> {
    let outer = CATCHING.with(|c| c.replace(true));
    let out = f();
    CATCHING.with(|c| c.set(outer));
    match out {
        Ok(value) => {
            if !outer {
                // Caught inside `f`: the askers learn of a panic without
                // its message.
                for ticket in take_pending() {
                    publish(ticket, PanicError::unknown());
                }
            }
            Ok(value)
        }
        Err(payload) => Err(PanicError::from_payload(payload, handler)),
    }
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
    #[cfg_attr(not(feature = "testing"), allow(dead_code))]
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

/// A reply dropped without an answer: if a panic dropped it, tell the asker
/// (see the [module docs](self#which-panic-an-ask-learns-of)); otherwise
/// dropping the sender tells it `NoReply`.
#[cold]
fn dropped_unsent<T>(tx: oneshot::Sender<ReplyResult<T>>) {
    let unwinding = std::thread::panicking();
    if DROPPING_PANICKED.with(Cell::get) || unwinding && CATCHING.with(Cell::get) {
        answer_when_caught(tx);
    } else if unwinding {
        // Where the runtime does not catch this panic: not ours to see.
        answer_now(tx, PanicError::unknown());
    }
}

/// The reply slot of an ask or a tell as generated dispatch holds it around
/// an ordinary handler (one that returns its answer): [`Reply`] for a
/// delegated one. Its reply is dropped by a panic only inside the runtime's
/// dispatch, where the panic is caught in the same poll: the asker waits for
/// it (see the [module docs](self#which-panic-an-ask-learns-of)).
#[doc(hidden)]
pub struct Answer<T> {
    tx: Option<oneshot::Sender<ReplyResult<T>>>,
}

impl<T> Answer<T> {
    /// The slot of an ask.
    #[inline(always)]
    pub(crate) fn ask(channel: ReplyTo<T>) -> Self {
        Answer {
            tx: Some(channel.0),
        }
    }

    /// The empty slot of a tell.
    #[inline(always)]
    pub(crate) fn none() -> Self {
        Answer { tx: None }
    }

    /// Sends the answer (nothing for a tell, or an asker that gave up).
    #[inline(always)]
    pub fn send(mut self, value: T) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Ok(value));
        }
    }

    /// The slot, as the `Reply` a delegated handler takes.
    #[inline(always)]
    pub(crate) fn into_reply(mut self) -> Reply<T> {
        Reply { tx: self.tx.take() }
    }
}

impl<T> Drop for Answer<T> {
    #[inline(always)]
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            answer_dropped(tx);
        }
    }
}

/// An ordinary handler's reply dropped unsent: by its panic (the runtime is
/// catching it), or because the actor stopped.
#[cold]
fn answer_dropped<T>(tx: oneshot::Sender<ReplyResult<T>>) {
    if std::thread::panicking() || DROPPING_PANICKED.with(Cell::get) {
        answer_when_caught(tx);
    }
}

impl<T> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("wanted", &self.is_wanted())
            .finish()
    }
}
