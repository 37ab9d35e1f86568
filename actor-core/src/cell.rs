//! The record an actor's task shares with its handles: identity, the signal
//! slot that lets stop requests overtake queued messages, the lifecycle state
//! and the final stop reason.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::task::Context;
use std::time::Duration;

use futures::task::AtomicWaker;
use tokio::sync::Notify;

use crate::actor::StopReason;
use crate::system::DEFAULT_SHUTDOWN_TIMEOUT;

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

thread_local! {
    /// The actor whose task is being polled on this thread, if any (0: none).
    static CURRENT_ACTOR: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Marks an actor as the one running on this thread while its task is polled.
pub(crate) struct Running(u64);

impl Running {
    #[inline]
    pub(crate) fn enter(id: ActorId) -> Self {
        Running(CURRENT_ACTOR.with(|r| r.replace(id.0)))
    }

    /// `true` when called from inside the task of actor `id` (its handlers,
    /// hooks and what they await), where waiting on the actor itself would
    /// wait forever.
    #[inline]
    pub(crate) fn is(id: ActorId) -> bool {
        CURRENT_ACTOR.with(|r| r.get() == id.0)
    }
}

impl Drop for Running {
    #[inline]
    fn drop(&mut self) {
        CURRENT_ACTOR.with(|r| r.set(self.0));
    }
}

/// A stop request. Larger values win: a stop overtakes a drain, a shutdown a
/// normal stop, a kill everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Signal {
    /// A supervisor stops this instance to start a new one (a sibling's
    /// restart): like [`Signal::StopShutdown`], but the mailbox stays open,
    /// since the next instance will take its messages.
    Restart = 1,
    /// Handle what is queued, then stop normally.
    DrainNormal = 2,
    /// Handle what is queued, then stop with [`StopReason::Shutdown`].
    DrainShutdown = 3,
    /// Stop after the current message; queued messages are dropped.
    StopNormal = 4,
    /// Stop after the current message with [`StopReason::Shutdown`].
    StopShutdown = 5,
    /// Stop now ([`ActorRef::kill`](crate::ActorRef::kill)): the message in
    /// hand is abandoned at its next `.await`, no `on_stop`; the instance ends
    /// with [`StopReason::Killed`], a failure.
    Kill = 6,
    /// Stop now because a stop took longer than the actor's shutdown timeout:
    /// as [`Signal::Kill`], with [`StopReason::Aborted`].
    Abort = 7,
}

impl Signal {
    fn from_u8(v: u8) -> Option<Signal> {
        match v {
            1 => Some(Signal::Restart),
            2 => Some(Signal::DrainNormal),
            3 => Some(Signal::DrainShutdown),
            4 => Some(Signal::StopNormal),
            5 => Some(Signal::StopShutdown),
            6 => Some(Signal::Kill),
            7 => Some(Signal::Abort),
            _ => None,
        }
    }

    pub(crate) fn is_drain(self) -> bool {
        matches!(self, Signal::DrainNormal | Signal::DrainShutdown)
    }

    /// A kill or an abort: the instance is dropped where it stands.
    pub(crate) fn is_hard(self) -> bool {
        self >= Signal::Kill
    }

    /// Every request but a supervisor's restart closes the mailbox: from then
    /// on new messages fail with `Stopped`.
    pub(crate) fn closes(self) -> bool {
        self != Signal::Restart
    }

    pub(crate) fn reason(self) -> StopReason {
        match self {
            Signal::DrainNormal | Signal::StopNormal => StopReason::Normal,
            Signal::Restart | Signal::DrainShutdown | Signal::StopShutdown => StopReason::Shutdown,
            Signal::Kill => StopReason::Killed,
            Signal::Abort => StopReason::Aborted,
        }
    }
}

/// [`ActorCell::slot`] of an actor the system does not list.
pub(crate) const NOT_LISTED: u32 = u32::MAX;

const RUNNING: u8 = 0;
const STOPPED: u8 = 2;

/// The final stop reasons that carry nothing, kept as a code in the cell
/// (`ended_as`) rather than boxed: stopping an actor normally allocates
/// nothing. 0: none yet, or one that carries something (boxed in `reason`).
fn reason_code(reason: &StopReason) -> u8 {
    match reason {
        StopReason::Normal => 1,
        StopReason::Shutdown => 2,
        StopReason::Aborted => 3,
        StopReason::Killed => 4,
        _ => 0,
    }
}

fn reason_of_code(code: u8) -> Option<StopReason> {
    match code {
        1 => Some(StopReason::Normal),
        2 => Some(StopReason::Shutdown),
        3 => Some(StopReason::Aborted),
        4 => Some(StopReason::Killed),
        _ => None,
    }
}

/// A duration in whole milliseconds, saturating (at about 49 days).
fn duration_ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX)
}

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
type StopHooks = Vec<(HookKey, StopHook)>;

/// Runs when an actor stops for good, with the reason.
pub(crate) type StopHook = Box<dyn FnOnce(&StopReason) + Send>;

/// The rarely used part of a cell.
#[derive(Default)]
struct Cold {
    hooks: StopHooks,
    requested: Option<StopReason>,
}

/// Names a hook given to [`ActorCell::on_stopped`], to take it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HookKey(u64);

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
    /// Set by a stop request (or the end): senders check it before queueing,
    /// so nothing new is accepted once a stop was asked for.
    closed: AtomicBool,
    state: AtomicU8,
    /// The final stop reason when it carries nothing (see [`reason_code`]).
    ended_as: AtomicU8,
    /// How long a stop may take before the actor is aborted, in milliseconds.
    stop_timeout_ms: AtomicU32,
    /// The final stop reason when it carries something (a panic, a failure):
    /// boxed, since most actors never stop that way, and an idle actor
    /// should cost little memory.
    reason: OnceLock<Box<StopReason>>,
    /// What is rarely there: work to run when the actor stops for good
    /// (registry removal, monitors, links), and a stop reason asked for from
    /// outside. Made on first use.
    cold: Mutex<Option<Box<Cold>>>,
    stopped: Notify,
    // Written by the actor's task as it works.
    waker: AtomicWaker,
    /// Where the system keeps the actor while it lives (see
    /// `system::Actors`); [`NOT_LISTED`] before and after.
    slot: AtomicU32,
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
        ActorCell::with_stop_timeout(DEFAULT_SHUTDOWN_TIMEOUT)
    }

    /// A cell whose stops may take `stop_timeout` before the actor is aborted.
    pub(crate) fn with_stop_timeout(stop_timeout: Duration) -> Self {
        ActorCell {
            id: ActorId::next(),
            signal: AtomicU8::new(0),
            closed: AtomicBool::new(false),
            ended_as: AtomicU8::new(0),
            stop_timeout_ms: AtomicU32::new(duration_ms(stop_timeout)),
            waker: AtomicWaker::new(),
            state: AtomicU8::new(RUNNING),
            slot: AtomicU32::new(NOT_LISTED),
            handled: AtomicU64::new(0),
            stopped: Notify::new(),
            reason: OnceLock::new(),
            cold: Mutex::new(None),
        }
    }

    pub(crate) fn id(&self) -> ActorId {
        self.id
    }

    /// Where the system lists the actor (see `system::Actors`).
    #[inline]
    pub(crate) fn slot(&self) -> &AtomicU32 {
        &self.slot
    }

    /// Raises a stop request; a weaker request never replaces a stronger one.
    /// Every request but [`Signal::Restart`] closes the mailbox at once.
    pub(crate) fn signal(&self, sig: Signal) {
        if sig.closes() {
            self.closed.store(true, Ordering::SeqCst);
        }
        let prev = self.signal.fetch_max(sig as u8, Ordering::SeqCst);
        if prev < sig as u8 {
            self.waker.wake();
        }
    }

    /// The pending stop request, if any.
    #[inline]
    pub(crate) fn pending_signal(&self) -> Option<Signal> {
        Signal::from_u8(self.signal.load(Ordering::Acquire))
    }

    /// `false` once a stop was requested or the actor ended: senders check
    /// this before queueing.
    #[inline(always)]
    pub(crate) fn accepts(&self) -> bool {
        !self.closed.load(Ordering::Acquire)
    }

    /// Refuses new messages from now on (the actor is ending).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
    }

    /// The instance that stopped for `seen` is done with it: forget that
    /// request (a stronger one that came meanwhile stays), so that a request
    /// arriving while a supervisor restarts the actor is told apart.
    pub(crate) fn consume_signal(&self, seen: Option<Signal>) {
        if let Some(seen) = seen {
            let _ = self
                .signal
                .compare_exchange(seen as u8, 0, Ordering::SeqCst, Ordering::SeqCst);
        }
    }

    /// A new instance is about to take messages: accept them again, unless a
    /// stop was requested meanwhile, which is returned (and the mailbox stays
    /// closed). A [`Signal::Restart`] does not count: the instance sees it.
    pub(crate) fn reopen(&self) -> Result<(), Signal> {
        self.closed.store(false, Ordering::SeqCst);
        match self.pending_signal() {
            Some(sig) if sig.closes() => {
                self.closed.store(true, Ordering::SeqCst);
                Err(sig)
            }
            _ => Ok(()),
        }
    }

    /// How long a stop may take before the actor is aborted.
    pub(crate) fn stop_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.stop_timeout_ms.load(Ordering::Relaxed)))
    }

    pub(crate) fn set_stop_timeout(&self, timeout: Duration) {
        self.stop_timeout_ms
            .store(duration_ms(timeout), Ordering::Relaxed);
    }

    /// Registers the task to be woken by the next [`ActorCell::signal`], then
    /// returns the pending signal, if any (one may have raced in).
    #[inline]
    pub(crate) fn register_for_signal(&self, cx: &mut Context<'_>) -> Option<Signal> {
        self.waker.register(cx.waker());
        self.pending_signal()
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

    /// `false` once a stop was requested: the actor accepts no new messages.
    /// A supervised actor that failed and waits to be restarted is alive.
    pub(crate) fn is_alive(&self) -> bool {
        self.accepts()
    }

    /// `true` once the actor has stopped for good.
    pub(crate) fn has_ended(&self) -> bool {
        self.state.load(Ordering::Acquire) == STOPPED
    }

    pub(crate) fn stop_reason(&self) -> Option<StopReason> {
        reason_of_code(self.ended_as.load(Ordering::Acquire))
            .or_else(|| self.reason.get().map(|r| (**r).clone()))
    }

    /// Stops the actor by force ([`Signal::Kill`]): it ends with [`StopReason::Killed`].
    pub(crate) fn kill(&self) {
        self.signal(Signal::Kill);
    }

    /// Stops the actor by force after a stop took too long ([`Signal::Abort`]).
    pub(crate) fn abort(&self) {
        self.signal(Signal::Abort);
    }

    fn cold(&self) -> std::sync::MutexGuard<'_, Option<Box<Cold>>> {
        self.cold.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` once the actor has stopped for good (at once if it already
    /// has, and then returns `None`).
    pub(crate) fn on_stopped(&self, f: StopHook) -> Option<HookKey> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let mut cold = self.cold();
        if self.has_ended() {
            drop(cold);
            f(&self.stop_reason().unwrap_or(StopReason::Aborted));
            return None;
        }
        let key = HookKey(NEXT.fetch_add(1, Ordering::Relaxed));
        cold.get_or_insert_with(Box::default).hooks.push((key, f));
        Some(key)
    }

    /// How many stop hooks wait to run.
    #[cfg(test)]
    pub(crate) fn stop_hooks(&self) -> usize {
        self.cold().as_ref().map_or(0, |c| c.hooks.len())
    }

    /// Drops the hook `key` without running it (if it has not run yet).
    pub(crate) fn remove_hook(&self, key: HookKey) {
        let mut cold = self.cold();
        if let Some(c) = cold.as_mut() {
            c.hooks.retain(|(k, _)| *k != key);
            if c.hooks.is_empty() && c.requested.is_none() {
                *cold = None;
            }
        }
    }

    /// Asks the actor to stop with `reason` (a failure that reaches it from
    /// outside, such as a linked actor's death), overtaking queued messages.
    pub(crate) fn stop_with(&self, reason: StopReason) {
        {
            let mut cold = self.cold();
            let cold = cold.get_or_insert_with(Box::default);
            if cold.requested.is_none() {
                cold.requested = Some(reason);
            }
        }
        self.signal(Signal::StopShutdown);
    }

    /// The reason asked for with [`ActorCell::stop_with`], taken.
    pub(crate) fn take_requested(&self) -> Option<StopReason> {
        self.cold().as_mut().and_then(|c| c.requested.take())
    }

    /// Marks the actor stopped for good with `reason` and wakes everyone waiting.
    pub(crate) fn finish(&self, reason: StopReason) {
        // Once: the first reason stays (as `OnceLock::set` keeps the first).
        if self.ended_as.load(Ordering::Acquire) == 0 && self.reason.get().is_none() {
            match reason_code(&reason) {
                0 => drop(self.reason.set(Box::new(reason))),
                code => self.ended_as.store(code, Ordering::Release),
            }
        }
        self.close();
        let cold = {
            let mut cold = self.cold();
            self.state.store(STOPPED, Ordering::Release);
            cold.take()
        };
        self.stopped.notify_waiters();
        // No signal can wake the task any more: let its memory go with it,
        // rather than with the last handle.
        drop(self.waker.take());
        if let Some(cold) = cold {
            let reason = self.stop_reason().unwrap_or(StopReason::Aborted);
            for (_, hook) in cold.hooks {
                hook(&reason);
            }
        }
    }

    /// Waits until the actor has stopped for good and returns why.
    pub(crate) async fn wait_stopped(&self) -> StopReason {
        loop {
            // Already over: no waiting list to join (and leave).
            if self.has_ended() {
                return self.stop_reason().unwrap_or(StopReason::Aborted);
            }
            let notified = self.stopped.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.has_ended() {
                return self.stop_reason().unwrap_or(StopReason::Aborted);
            }
            notified.await;
        }
    }
}
