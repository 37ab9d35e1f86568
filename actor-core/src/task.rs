//! The actor's task: the loop that takes messages from the mailbox one at a
//! time and runs the handlers, with panics caught and stop signals checked
//! before every message.
//!
//! This is the code a careful engineer writes by hand on tokio (a task, an
//! mpsc receiver, a `match`), plus: a signal slot that lets a stop overtake the
//! queue, `catch_unwind` around each handler, and a guard that, however the
//! task ends (stop, panic, abort, runtime drop), closes the mailbox, fails the
//! queued asks and marks the actor stopped, so no caller ever hangs.

use std::any::Any;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use tracing::Instrument;

use crate::actor::{Actor, PanicError, StopReason};
use crate::cell::{ActorCell, Signal};
use crate::context::{Context, stop_children};
use crate::dead_letter::DeadLetter;
use crate::mailbox::MailboxReceiver;
use crate::metrics::TypeCounters;
use crate::reply::dropping_panicked;
use crate::trace;

/// Decides what follows when an instance of `A` stops: a new instance
/// (supervised restart) or the end of the actor.
pub(crate) trait Parent<A: Actor>: Send + 'static {
    /// The instance to run next, or the final reason to stop for good. `last`
    /// is why the previous instance stopped (`None` when there was none yet);
    /// `last.forced` says a stop was requested before that instance had
    /// started, which must not be undone by a restart. `cell` is the actor's
    /// own cell; a new instance is returned only once the cell takes messages
    /// again ([`ActorCell::reopen`]).
    fn next(
        &mut self,
        cell: &ActorCell,
        last: Option<Exit>,
    ) -> impl Future<Output = Result<A, StopReason>> + Send;

    /// The instance has run its start hook and takes messages.
    fn started(&mut self) {}

    /// `false` when no instance can follow this one (nobody supervises the
    /// actor): a graceful stop then closes the mailbox and handles every
    /// message that made it in.
    fn may_restart(&self) -> bool {
        true
    }
}

/// How an instance ended, as its parent learns it.
#[derive(Debug, Clone)]
pub(crate) struct Exit {
    pub(crate) reason: StopReason,
    /// A stop was requested before the instance had started (or while its
    /// supervisor restarted it): the actor stops for good.
    pub(crate) forced: bool,
}

/// An actor nobody supervises: when it stops, it stays stopped.
pub(crate) struct Unsupervised;

impl<A: Actor> Parent<A> for Unsupervised {
    async fn next(&mut self, _: &ActorCell, last: Option<Exit>) -> Result<A, StopReason> {
        Err(last.map_or(StopReason::Aborted, |exit| exit.reason))
    }

    fn may_restart(&self) -> bool {
        false
    }
}

/// Everything the task owns besides the actor instance. Its `Drop` is the one
/// place an actor ends, whatever ended it.
pub(crate) struct TaskState<A: Actor> {
    pub(crate) rx: MailboxReceiver<A::Message>,
    pub(crate) ctx: Context<A>,
    /// The handler running now, named in the report if it panics.
    current: &'static str,
    /// The stop request the current instance stopped for, if it stopped for one.
    stopped_for: Option<Signal>,
}

impl<A: Actor> TaskState<A> {
    pub(crate) fn new(rx: MailboxReceiver<A::Message>, ctx: Context<A>) -> Self {
        TaskState {
            rx,
            ctx,
            current: "",
            stopped_for: None,
        }
    }

    /// The instance stops for the request `sig`: remembers it, and gives the
    /// reason (the one given to `Context::stop_with`, if any).
    fn stop_for(&mut self, sig: Signal, forced: bool) -> Stopped {
        self.stopped_for = Some(sig);
        let reason = self
            .ctx
            .take_requested_reason()
            .or_else(|| self.ctx.actor_ref().cell().take_requested())
            .unwrap_or(sig.reason());
        Stopped { reason, forced }
    }

    /// The counters of this actor's type (looked up: it is needed only on
    /// rare events, and an idle actor should not carry it).
    fn counters(&self) -> Arc<TypeCounters> {
        self.ctx.system().counters(A::NAME)
    }

    /// Ends the actor with `reason`: the mailbox is closed and emptied (queued
    /// asks resolve to `NoReply`), and everyone waiting learns why it stopped.
    pub(crate) fn finish(mut self, reason: StopReason) {
        self.end(reason);
    }

    /// Ends the actor (see [`TaskState::finish`]); what is dropped afterwards
    /// has nothing left to do.
    fn end(&mut self, reason: StopReason) {
        // New messages fail with `Stopped` from here on.
        self.ctx.actor_ref().cell().close();
        self.ctx.abandon_instance_resources();
        self.ctx.release_ties();
        // Refuse new messages, then drop the queued ones: their asks resolve
        // to `NoReply` instead of waiting forever, and each is a dead letter.
        self.rx.close();
        let cell = self.ctx.actor_ref().cell();
        let system = self.ctx.system();
        let mut dead = 0;
        // The bus is looked up for the first dead letter: most stops have none.
        let mut letters = None;
        while let Some(msg) = self.rx.try_recv() {
            dead += 1;
            let letter = DeadLetter {
                actor: cell.id(),
                actor_type: A::NAME,
                message: A::message_name(&msg),
            };
            drop(msg);
            tracing::debug!(actor = A::NAME, id = %cell.id(), message = letter.message, "dead letter: dropped unhandled");
            letters
                .get_or_insert_with(|| system.events::<DeadLetter>())
                .publish(letter);
        }
        if dead > 0 {
            system.counters(A::NAME).dead_letters(dead);
        }
        match &reason {
            StopReason::Panicked(_)
            | StopReason::Aborted
            | StopReason::Killed
            | StopReason::Failed(_)
            | StopReason::Escalated(_) => {
                tracing::warn!(actor = A::NAME, id = %cell.id(), %reason, "actor stopped")
            }
            _ => tracing::debug!(actor = A::NAME, id = %cell.id(), %reason, "actor stopped"),
        }
        system.retire(cell, A::NAME);
        cell.finish(reason);
    }
}

impl<A: Actor> Drop for TaskState<A> {
    /// The task was dropped before it decided how to end (it was aborted, or
    /// its runtime went away).
    fn drop(&mut self) {
        if !self.ctx.actor_ref().cell().has_ended() {
            self.end(StopReason::Aborted);
        }
    }
}

/// The whole life of an actor: instances run one after the other until the
/// parent says stop. `actor` is the first instance, or `None` to ask the
/// parent for it (a supervised child is built by its factory).
///
/// Written as a function returning an `async move` block so the arguments
/// live in the future once (an `async fn` would copy them into locals).
#[allow(clippy::manual_async_fn)]
pub(crate) fn run<A: Actor, P: Parent<A>>(
    mut actor: Option<A>,
    mut st: TaskState<A>,
    mut parent: P,
) -> impl Future<Output = ()> + Send {
    async move {
        // Our own reference: `st` is borrowed by the instance meanwhile.
        let me = st.ctx.actor_ref().clone();
        let cell = me.cell();
        if actor.is_none() && !Box::pin(next_instance(&mut actor, &mut st, &mut parent, None)).await
        {
            return;
        }
        let mut restarted = false;
        while let Some(instance) = actor.as_mut() {
            let live = live(instance, &mut st, &mut parent, cell, restarted);
            let ended = Guard::new(live, cell, None).await;
            // What follows an instance runs rarely: boxed, it takes no room
            // in an idle actor.
            if !Box::pin(after_instance(&mut actor, &mut st, &mut parent, ended)).await {
                return;
            }
            restarted = true;
        }
    }
}

/// After an instance ran: its stop path (unless it was killed), then the
/// parent's decision. `false` when the actor has ended.
async fn after_instance<A: Actor, P: Parent<A>>(
    actor: &mut Option<A>,
    st: &mut TaskState<A>,
    parent: &mut P,
    (ended, deadline): (Ended<Stopped>, Option<Deadline>),
) -> bool {
    let me = st.ctx.actor_ref().clone();
    let cell = me.cell();
    let (stopped, forced) = match ended {
        Ended::Stopped(stopped) => (Ok(stopped.reason), stopped.forced),
        Ended::Panicked(payload) => (
            Ok(StopReason::Panicked(PanicError::from_payload(
                payload, st.current,
            ))),
            false,
        ),
        Ended::Killed(sig) => {
            st.stopped_for = Some(sig);
            (Err(sig), false)
        }
    };
    // A kill skips the stop path, or cuts it short; so does its deadline.
    let mut reason = match (stopped, actor.as_mut()) {
        (Ok(reason), Some(instance)) => {
            let stop = stop_instance(instance, st, cell, reason);
            match Guard::new(stop, cell, Some(deadline)).await.0 {
                Ended::Stopped(reason) => reason,
                Ended::Panicked(_) => StopReason::Aborted,
                Ended::Killed(sig) => {
                    st.stopped_for = Some(sig);
                    sig.reason()
                }
            }
        }
        (Err(sig), _) => sig.reason(),
        (Ok(_), None) => StopReason::Aborted,
    };
    // Whatever the instance started and did not stop is released.
    st.ctx.abandon_instance_resources();
    // The old instance goes before the next one is made; a panic in its
    // `Drop` is a failure like any other.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| drop(actor.take()))) {
        let panic = PanicError::from_payload(payload, "drop");
        st.counters().panicked();
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "actor state panicked when dropped");
        reason = StopReason::Panicked(panic);
    }
    // The request this instance stopped for is used up; one arriving from
    // now on, while the parent decides, stops the actor for good.
    cell.consume_signal(st.stopped_for.take());
    if !next_instance(actor, st, parent, Some(Exit { reason, forced })).await {
        return false;
    }
    st.counters().restarted();
    tracing::info!(actor = A::NAME, id = %cell.id(), "actor restarted");
    true
}

/// Asks the parent for the next instance; without one, ends the actor.
async fn next_instance<A: Actor, P: Parent<A>>(
    actor: &mut Option<A>,
    st: &mut TaskState<A>,
    parent: &mut P,
    last: Option<Exit>,
) -> bool {
    let me = st.ctx.actor_ref().clone();
    match parent.next(me.cell(), last).await {
        Ok(next) => {
            *actor = Some(next);
            true
        }
        Err(reason) => {
            st.end(reason);
            false
        }
    }
}

/// (The task functions return `async move` blocks rather than being
/// `async fn`s: an `async fn` keeps a second copy of its arguments, and the
/// message loop's future lives inside every idle actor.)
///
/// One instance's start hook, then its messages until a stop signal or a
/// closed mailbox. A panic unwinds out of it, to the [`Guard`] around it:
/// one `catch_unwind` per poll rather than one per message, since a panic
/// ends the instance anyway; `st.current` names where it came from.
///
/// Synchronous handlers run inside the poll that receives their message, in a
/// loop, as a hand-written `while let Some(msg) = rx.recv().await` does: no
/// future per message, and the message moves once, from the mailbox into the
/// handler. Only a message with an async handler leaves the loop to be awaited.
#[allow(clippy::manual_async_fn)]
fn live<'f, A: Actor, P: Parent<A>>(
    actor: &'f mut A,
    st: &'f mut TaskState<A>,
    parent: &'f mut P,
    cell: &'f ActorCell,
    restarted: bool,
) -> impl Future<Output = Stopped> + Send + 'f {
    async move {
        // Hooks run once: boxed (an absent hook is zero-sized, and boxing it
        // allocates nothing), they take no room in an idle actor.
        if restarted {
            st.current = "on_restart";
            Box::pin(actor.on_restart(&mut st.ctx)).await;
        } else {
            st.current = "on_start";
            Box::pin(actor.on_start(&mut st.ctx)).await;
            tracing::debug!(actor = A::NAME, id = %cell.id(), "actor started");
        }
        // A stop asked for before the instance could start is not undone by
        // a restart: it stops the actor for good (queued messages are still
        // handled first if it was a graceful stop).
        let forced = cell.pending_signal().is_some_and(Signal::closes);
        parent.started();
        let may_restart = parent.may_restart();
        loop {
            let msg = match poll_fn(|cx| {
                loop {
                    // A pending signal overtakes queued messages.
                    if let Some(sig) = cell.pending_signal() {
                        return Poll::Ready(Next::Signal(sig));
                    }
                    // When idle, `Guard` registers for signals.
                    let msg = match st.rx.poll_recv(cx) {
                        Poll::Ready(Some(msg)) => msg,
                        Poll::Ready(None) => return Poll::Ready(Next::Closed),
                        Poll::Pending => return Poll::Pending,
                    };
                    if let Some(msg) = handle_sync(actor, msg, st) {
                        return Poll::Ready(Next::Async(msg));
                    }
                    cell.count_handled();
                }
            })
            .await
            {
                Next::Async(msg) => msg,
                Next::Signal(sig) if sig.is_drain() => {
                    let stopped = Box::pin(drain(actor, st, cell, !may_restart)).await;
                    return Stopped { forced, ..stopped };
                }
                Next::Signal(sig) => return st.stop_for(sig, forced),
                Next::Closed => {
                    return Stopped {
                        reason: StopReason::Normal,
                        forced: false,
                    };
                }
            };
            // Not `handle_async`: awaited inline, the handler's future is the
            // only state kept across this await (an idle actor stays small).
            if tracing::level_enabled!(tracing::Level::DEBUG) {
                Box::pin(handle_in_span(actor, msg, st)).await;
            } else {
                actor.handle(trace::plain::<A>(msg), &mut st.ctx).await;
            }
            cell.count_handled();
        }
    }
}

/// After the last message of an instance: stop its children, run `on_stop`.
async fn stop_instance<A: Actor>(
    actor: &mut A,
    st: &mut TaskState<A>,
    cell: &ActorCell,
    reason: StopReason,
) -> StopReason {
    if let StopReason::Panicked(panic) = &reason {
        st.counters().panicked();
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "actor panicked");
    }
    let children = st.ctx.release_instance_resources();
    if !children.is_empty() {
        stop_children(children, st.ctx.system().shutdown_timeout()).await;
    }
    let on_stop = Box::pin(actor.on_stop(&mut st.ctx, &reason));
    match catch_panic(on_stop, "on_stop").await {
        Ok(()) => reason,
        // Reported as the reason, not only logged: a supervisor sees a failure.
        Err(panic) => {
            st.counters().panicked();
            tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "on_stop panicked");
            StopReason::Panicked(panic)
        }
    }
}

/// Why an instance's message loop returned.
struct Stopped {
    reason: StopReason,
    /// The stop was asked for before the instance started (see [`Exit::forced`]).
    forced: bool,
}

/// How an instance's run ended.
enum Ended<T> {
    Stopped(T),
    Panicked(Box<dyn Any + Send>),
    /// Dropped where it stood: a kill, or a stop past its deadline (the signal says which).
    Killed(Signal),
}

/// The time left for an instance to stop, armed by its first stop request.
type Deadline = Pin<Box<tokio::time::Sleep>>;

pin_project_lite::pin_project! {
    /// Runs part of an instance until it ends, panics, or is stopped by force:
    /// a [`Signal::Kill`], or its stop deadline passing. The deadline is armed
    /// when a stop request it has seen (or a stop path) does not end within
    /// the poll that saw it, and runs for the actor's shutdown timeout: every
    /// stop ends within it.
    ///
    /// Also the one place the task registers to be woken by signals (when
    /// the instance has nothing to do, a stop request must still reach it),
    /// and marks the actor as the one running on this thread, so that an ask
    /// it makes to itself fails at once instead of waiting for itself.
    struct Guard<'c, F> {
        #[pin]
        inner: Option<F>,
        cell: &'c ActorCell,
        deadline: Option<Deadline>,
        // The task's waker is in the cell: only a signal takes it out.
        registered: bool,
        // A stop path: the deadline runs from the start.
        stopping: bool,
    }
}

impl<'c, F> Guard<'c, F> {
    /// Guards `inner`; a stop path (`stopping`) carries on the deadline its
    /// instance's stop request armed, or arms one at once.
    fn new(inner: F, cell: &'c ActorCell, stopping: Option<Option<Deadline>>) -> Self {
        Guard {
            inner: Some(inner),
            cell,
            registered: false,
            stopping: stopping.is_some(),
            deadline: stopping.flatten(),
        }
    }
}

impl<F: Future> Future for Guard<'_, F> {
    type Output = (Ended<F::Output>, Option<Deadline>);

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let _running = crate::cell::Running::enter(this.cell.id());
        let mut signalled = this.cell.pending_signal();
        loop {
            if let Some(deadline) = this.deadline.as_mut()
                && deadline.as_mut().poll(cx).is_ready()
            {
                tracing::warn!(id = %this.cell.id(), timeout = ?this.cell.stop_timeout(), "actor did not stop within its shutdown timeout; aborting it");
                this.cell.abort();
                signalled = Some(Signal::Abort);
            }
            if let Some(sig) = signalled.filter(|sig| sig.is_hard()) {
                // Dropped mid-way, as an abort would; replies it held fail with NoReply.
                this.inner.set(None);
                return Poll::Ready((Ended::Killed(sig), this.deadline.take()));
            }
            if this.inner.is_none() {
                return Poll::Pending;
            }
            match poll_catching(this.inner.as_mut(), cx) {
                Poll::Ready(Ok(out)) => {
                    return Poll::Ready((Ended::Stopped(out), this.deadline.take()));
                }
                Poll::Ready(Err(payload)) => {
                    return Poll::Ready((Ended::Panicked(payload), this.deadline.take()));
                }
                Poll::Pending => {}
            }
            // A stop that did not end within the poll that saw it runs from
            // now on against its deadline. (One that ends at once, as most
            // do, sets no timer.)
            if (signalled.is_some() || *this.stopping) && this.deadline.is_none() {
                *this.deadline = arm(this.cell.stop_timeout());
                // Polled once to register the timer; a zero timeout is over
                // at once, and the top of the loop aborts the instance.
                if let Some(deadline) = this.deadline.as_mut()
                    && deadline.as_mut().poll(cx).is_ready()
                {
                    continue;
                }
            }
            // Register, even with a signal already pending: a later, stronger
            // one (a kill after a drain) must wake the task too. While no
            // signal came, the waker registered last time is still there (a
            // tokio task's waker does not change): looking is enough.
            let now = if *this.registered && signalled.is_none() {
                this.cell.pending_signal()
            } else {
                *this.registered = true;
                this.cell.register_for_signal(cx)
            };
            match now {
                None => return Poll::Pending,
                // A stop request raced in while the instance went idle: poll
                // again so the message loop sees it (a handler in progress
                // finishes first). A repeated stop request changes nothing.
                Some(sig) if Some(sig) == signalled => return Poll::Pending,
                sig => signalled = sig,
            }
        }
    }
}

/// A stop deadline `timeout` from now. Without a timer on this runtime (one
/// built without `enable_time`) there is none: the stop is not bounded.
#[cold]
fn arm(timeout: std::time::Duration) -> Option<Deadline> {
    let handle = tokio::runtime::Handle::try_current().ok()?;
    let _enter = handle.enter();
    catch_unwind(|| Box::pin(tokio::time::sleep(timeout))).ok()
}

/// What the message loop stops for.
enum Next<M> {
    /// A message whose handler is async: await it.
    Async(M),
    Signal(Signal),
    Closed,
}

/// Handles what is queued now, then stops; a stronger stop signal cuts it
/// short. New messages are refused from the request on (the mailbox is
/// closed to senders), so this ends however busy the senders are. When no
/// instance can follow (`last`), the queue itself is closed once it looks
/// empty, and the messages of senders that raced the request are handled too:
/// every message a sender was told is queued gets handled.
async fn drain<A: Actor>(
    actor: &mut A,
    st: &mut TaskState<A>,
    cell: &ActorCell,
    last: bool,
) -> Stopped {
    let mut closed = false;
    loop {
        let sig = cell.pending_signal().unwrap_or(Signal::DrainNormal);
        if !sig.is_drain() {
            return st.stop_for(sig, false);
        }
        let Some(msg) = st.rx.try_recv() else {
            if last && !closed {
                st.rx.close();
                closed = true;
                continue;
            }
            return st.stop_for(sig, false);
        };
        if let Some(msg) = handle_sync(actor, msg, st) {
            handle_async(actor, msg, st).await;
        }
        cell.count_handled();
    }
}

/// Runs `msg`'s handler if it is synchronous; gives the message back if it is
/// async. The `message` tracing span is made only when something listens at
/// DEBUG level (checking costs one atomic load). Without that, a message that
/// came with its sender's span is given back too: the async path unwraps it.
#[inline(always)]
fn handle_sync<A: Actor>(
    actor: &mut A,
    msg: A::Message,
    st: &mut TaskState<A>,
) -> Option<A::Message> {
    st.current = A::message_name(&msg);
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        handle_sync_in_span(actor, msg, st)
    } else {
        actor.handle_sync(msg, &mut st.ctx)
    }
}

/// [`handle_sync`] inside the message's span (see [`trace`]).
#[inline(never)]
fn handle_sync_in_span<A: Actor>(
    actor: &mut A,
    msg: A::Message,
    st: &mut TaskState<A>,
) -> Option<A::Message> {
    let (msg, parent) = trace::incoming::<A>(msg);
    let span = trace::message_span::<A>(parent.as_ref(), st.current);
    let left = span.in_scope(|| actor.handle_sync(msg, &mut st.ctx));
    // An async handler's message goes on with its sender's span.
    left.map(|msg| trace::rejoin::<A>(msg, parent))
}

/// Awaits an async handler, inside the message's span when one is wanted
/// (boxed then: it is the debugging path, and it keeps the span out of the
/// task's size).
#[allow(clippy::manual_async_fn)]
fn handle_async<'f, A: Actor>(
    actor: &'f mut A,
    msg: A::Message,
    st: &'f mut TaskState<A>,
) -> impl Future<Output = ()> + Send + 'f {
    async move {
        if tracing::level_enabled!(tracing::Level::DEBUG) {
            Box::pin(handle_in_span(actor, msg, st)).await;
        } else {
            actor.handle(trace::plain::<A>(msg), &mut st.ctx).await;
        }
    }
}

/// An async handler inside its message's span (see [`trace`]); boxed by the
/// callers, it takes no room in an idle actor.
async fn handle_in_span<A: Actor>(actor: &mut A, msg: A::Message, st: &mut TaskState<A>) {
    let (msg, parent) = trace::incoming::<A>(msg);
    let span = trace::message_span::<A>(parent.as_ref(), st.current);
    drop(parent);
    actor.handle(msg, &mut st.ctx).instrument(span).await;
}

/// Polls `fut`, turning a panic into an error. The future's state is dropped
/// with [`dropping_panicked`] so that replies it held report the panic.
fn catch_panic<F: Future>(fut: F, handler: &'static str) -> CatchPanic<F> {
    CatchPanic {
        fut: Some(fut),
        handler,
    }
}

pin_project_lite::pin_project! {
    struct CatchPanic<F> {
        #[pin]
        fut: Option<F>,
        handler: &'static str,
    }
}

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, PanicError>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        poll_catching(this.fut, cx)
            .map(|done| done.map_err(|payload| PanicError::from_payload(payload, this.handler)))
    }
}

/// Polls the future in `slot` (`Pending` once it is gone), catching a panic.
/// A finished future is dropped at once; one that panicked is dropped with
/// [`dropping_panicked`], so that replies it held report the panic.
#[inline]
fn poll_catching<F: Future>(
    mut slot: Pin<&mut Option<F>>,
    cx: &mut TaskContext<'_>,
) -> Poll<Result<F::Output, Box<dyn Any + Send>>> {
    let Some(fut) = slot.as_mut().as_pin_mut() else {
        return Poll::Pending;
    };
    match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
        Ok(Poll::Pending) => Poll::Pending,
        Ok(Poll::Ready(out)) => {
            slot.set(None);
            Poll::Ready(Ok(out))
        }
        Err(payload) => {
            dropping_panicked(|| slot.set(None));
            Poll::Ready(Err(payload))
        }
    }
}

#[cfg(test)]
mod footprint {
    //! An idle actor's memory is mostly its task (whose size tokio rounds up
    //! to a multiple of 128 bytes) and its cell: these bounds keep the
    //! benchmark's memory target (at most 1.3x a hand-written tokio actor)
    //! from slipping unnoticed. Measured with this toolchain; a new rustc may
    //! lay futures out differently, and then the bounds are to be revisited.
    use super::*;
    use crate::prelude::*;

    /// The benchmark's actor: 56 bytes of state, a tell and an ask.
    #[actor(crate = crate)]
    #[derive(Default)]
    struct Tally {
        seen: [u64; 7],
    }

    #[actor(crate = crate)]
    impl Tally {
        #[message]
        fn record(&mut self, sender: u32, seq: u64) {
            self.seen[0] += u64::from(sender) + seq;
        }
        #[message]
        fn ping(&mut self, seq: u64) -> u64 {
            self.seen[0] + seq
        }
    }

    #[tokio::test]
    async fn an_idle_actor_stays_small() {
        let system = System::new();
        let (aref, rx) = System::prepare_detached::<Tally>(crate::MailboxKind::Default, 1024);
        let st = TaskState::new(rx, Context::new(aref, system.clone()));
        let task = run(Some(Tally::default()), st, Unsupervised);
        let task_size = std::mem::size_of_val(&task);
        // tokio adds 96 bytes and rounds up to 128: at most 288 keeps the
        // task in 384 bytes.
        assert!(
            task_size <= 288,
            "the actor task's future grew to {task_size} bytes"
        );
        // Messages as small as a hand-written enum's: the reply slot is one pointer.
        assert_eq!(std::mem::size_of::<TallyMessage>(), 24);
        assert!(std::mem::size_of::<ActorCell>() <= 120);
        drop(task);

        let h = system.spawn(Tally::default());
        h.record(1, 2).tell().await.unwrap();
        assert_eq!(h.ping(3).await, Ok(6));
    }
}
