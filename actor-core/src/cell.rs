//! The record an actor's task shares with its handles: identity, the signal
//! slot that lets stop requests overtake queued messages, the lifecycle state
//! and the final stop reason.

use std::fmt;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::Context;

use futures::task::AtomicWaker;
use tokio::sync::Notify;

use crate::actor::StopReason;

/// A process-wide unique actor id. Ids grow in spawn order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(u64);

impl ActorId {
    pub(crate) fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        ActorId(NEXT.fetch_add(1, Ordering::Relaxed))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ActorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// A stop request. Larger values win: a stop overtakes a drain, a shutdown a normal stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Signal {
    /// Handle what is queued, then stop normally.
    DrainNormal = 1,
    /// Handle what is queued, then stop with [`StopReason::Shutdown`].
    DrainShutdown = 2,
    /// Stop after the current message; queued messages are dropped.
    StopNormal = 3,
    /// Stop after the current message with [`StopReason::Shutdown`].
    StopShutdown = 4,
    /// Stop now: the message in hand is abandoned at its next `.await`, no
    /// `on_stop`; the instance ends with [`StopReason::Aborted`]. The mailbox
    /// survives, so a supervisor can still restart the actor.
    Kill = 5,
}

impl Signal {
    fn from_u8(v: u8) -> Option<Signal> {
        match v {
            1 => Some(Signal::DrainNormal),
            2 => Some(Signal::DrainShutdown),
            3 => Some(Signal::StopNormal),
            4 => Some(Signal::StopShutdown),
            5 => Some(Signal::Kill),
            _ => None,
        }
    }

    pub(crate) fn is_drain(self) -> bool {
        matches!(self, Signal::DrainNormal | Signal::DrainShutdown)
    }

    pub(crate) fn reason(self) -> StopReason {
        match self {
            Signal::DrainNormal | Signal::StopNormal => StopReason::Normal,
            Signal::DrainShutdown | Signal::StopShutdown => StopReason::Shutdown,
            Signal::Kill => StopReason::Aborted,
        }
    }
}

const RUNNING: u8 = 0;
const RESTARTING: u8 = 1;
const STOPPED: u8 = 2;

/// What the system and supervisors need of a live actor, whatever its type.
pub(crate) trait Live: Send + Sync {
    fn cell(&self) -> &ActorCell;
    /// Messages waiting in its mailbox.
    fn mailbox_len(&self) -> usize;
    /// The actor type's name (for metrics and logs).
    fn name(&self) -> &'static str;
}

/// A supervisor is a cell without a mailbox.
impl Live for ActorCell {
    fn cell(&self) -> &ActorCell {
        self
    }
    fn mailbox_len(&self) -> usize {
        0
    }
    fn name(&self) -> &'static str {
        "Supervisor"
    }
}

/// Work to run when an actor stops for good.
type StopHooks = Vec<Box<dyn FnOnce() + Send>>;

/// Shared between an actor's task and all of its handles.
///
/// Laid out in order (`repr(C)`) so that what the actor's task writes as it
/// works (its waker, its counts) sits on other cache lines than what senders
/// read on every message (the mailbox sender placed before the cell, the id,
/// the signal): otherwise each message would move a cache line between the
/// sender's core and the actor's.
#[repr(C)]
pub(crate) struct ActorCell {
    // Read often, written rarely.
    id: ActorId,
    signal: AtomicU8,
    state: AtomicU8,
    /// Boxed: most actors never stop before the program ends, and an idle
    /// actor should cost little memory.
    reason: OnceLock<Box<StopReason>>,
    /// Work to run when the actor stops for good (registry removal and the like).
    on_stopped: Mutex<Option<Box<StopHooks>>>,
    stopped: Notify,
    // Written by the actor's task as it works.
    waker: AtomicWaker,
    /// Queue length of an unbounded mailbox, as its actor last sampled it.
    depth: AtomicUsize,
    /// Messages handled so far (written by the actor's task only).
    handled: AtomicU64,
}

impl fmt::Debug for ActorCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActorCell")
            .field("id", &self.id)
            .field("state", &self.state.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl ActorCell {
    pub(crate) fn new() -> Self {
        ActorCell {
            id: ActorId::next(),
            signal: AtomicU8::new(0),
            waker: AtomicWaker::new(),
            state: AtomicU8::new(RUNNING),
            depth: AtomicUsize::new(0),
            handled: AtomicU64::new(0),
            stopped: Notify::new(),
            reason: OnceLock::new(),
            on_stopped: Mutex::new(None),
        }
    }

    pub(crate) fn id(&self) -> ActorId {
        self.id
    }

    /// Raises a stop request; a weaker request never replaces a stronger one.
    pub(crate) fn signal(&self, sig: Signal) {
        let prev = self.signal.fetch_max(sig as u8, Ordering::AcqRel);
        if prev < sig as u8 {
            self.waker.wake();
        }
    }

    /// The pending stop request, if any.
    #[inline]
    pub(crate) fn pending_signal(&self) -> Option<Signal> {
        Signal::from_u8(self.signal.load(Ordering::Acquire))
    }

    /// Forgets stop requests aimed at the previous instance (supervised restart).
    pub(crate) fn clear_signal(&self) {
        self.signal.store(0, Ordering::Release);
    }

    /// Registers the task to be woken by the next [`ActorCell::signal`], then
    /// returns the pending signal, if any (one may have raced in).
    #[inline]
    pub(crate) fn register_for_signal(&self, cx: &mut Context<'_>) -> Option<Signal> {
        self.waker.register(cx.waker());
        self.pending_signal()
    }

    /// Records the queue length of an unbounded mailbox (by its actor).
    #[inline]
    pub(crate) fn publish_depth(&self, depth: usize) {
        self.depth.store(depth, Ordering::Relaxed);
    }

    pub(crate) fn published_depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Counts a handled message. Only the actor's task writes the count: a
    /// plain load and store, no locked read-modify-write on the message path.
    #[inline]
    pub(crate) fn count_handled(&self) {
        let n = self.handled.load(Ordering::Relaxed);
        self.handled.store(n + 1, Ordering::Relaxed);
    }

    pub(crate) fn handled(&self) -> u64 {
        self.handled.load(Ordering::Relaxed)
    }

    pub(crate) fn set_restarting(&self, restarting: bool) {
        let _ = self.state.compare_exchange(
            if restarting { RUNNING } else { RESTARTING },
            if restarting { RESTARTING } else { RUNNING },
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    pub(crate) fn is_alive(&self) -> bool {
        self.state.load(Ordering::Acquire) != STOPPED
    }

    pub(crate) fn stop_reason(&self) -> Option<StopReason> {
        self.reason.get().map(|r| (**r).clone())
    }

    /// Stops the actor by force ([`Signal::Kill`]): it ends with [`StopReason::Aborted`].
    pub(crate) fn kill(&self) {
        self.signal(Signal::Kill);
    }

    /// Runs `f` once the actor has stopped for good (at once if it already has).
    pub(crate) fn on_stopped(&self, f: Box<dyn FnOnce() + Send>) {
        let mut hooks = self.on_stopped.lock().unwrap_or_else(|e| e.into_inner());
        if self.is_alive() {
            hooks.get_or_insert_with(Box::default).push(f);
        } else {
            drop(hooks);
            f();
        }
    }

    /// Marks the actor stopped for good with `reason` and wakes everyone waiting.
    pub(crate) fn finish(&self, reason: StopReason) {
        let _ = self.reason.set(Box::new(reason));
        let hooks = {
            let mut hooks = self.on_stopped.lock().unwrap_or_else(|e| e.into_inner());
            self.state.store(STOPPED, Ordering::Release);
            hooks.take()
        };
        self.stopped.notify_waiters();
        for hook in hooks.into_iter().flat_map(|h| *h) {
            hook();
        }
    }

    /// Waits until the actor has stopped for good and returns why.
    pub(crate) async fn wait_stopped(&self) -> StopReason {
        loop {
            let notified = self.stopped.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !self.is_alive() {
                return self.stop_reason().unwrap_or(StopReason::Aborted);
            }
            notified.await;
        }
    }
}
