//! The actor's task: the loop that takes messages from the mailbox one at a
//! time and runs the handlers, with panics caught and stop signals checked
//! before every message.
//!
//! This is the code a careful engineer writes by hand on tokio (a task, an
//! mpsc receiver, a `match`), plus: a signal slot that lets a stop overtake the
//! queue, `catch_unwind` around each handler, and a guard that, however the
//! task ends (stop, panic, abort, runtime drop), closes the mailbox, fails the
//! queued asks and marks the actor stopped, so no caller ever hangs.

use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use tracing::Instrument;

use crate::actor::{Actor, PanicError, StopReason};
use crate::cell::{ActorCell, Signal};
use crate::context::{Context, stop_children};
use crate::mailbox::MailboxReceiver;
use crate::metrics::TypeCounters;
use crate::reply::dropping_panicked;

/// Decides what follows when an instance of `A` stops: a new instance
/// (supervised restart) or the end of the actor.
pub(crate) trait Parent<A: Actor>: Send + 'static {
    /// The instance to run next, or the final reason to stop for good. `last`
    /// is why the previous instance stopped (`None` when there was none yet).
    /// `cell` is the actor's own cell.
    fn next(
        &mut self,
        cell: &ActorCell,
        last: Option<StopReason>,
    ) -> impl Future<Output = Result<A, StopReason>> + Send;

    /// The instance has run its start hook and takes messages.
    fn started(&mut self) {}
}

/// An actor nobody supervises: when it stops, it stays stopped.
pub(crate) struct Unsupervised;

impl<A: Actor> Parent<A> for Unsupervised {
    async fn next(&mut self, _: &ActorCell, last: Option<StopReason>) -> Result<A, StopReason> {
        Err(last.unwrap_or(StopReason::Aborted))
    }
}

/// Everything the task owns besides the actor instance. Its `Drop` is the one
/// place an actor ends, whatever ended it.
pub(crate) struct TaskState<A: Actor> {
    pub(crate) rx: MailboxReceiver<A::Message>,
    pub(crate) ctx: Context<A>,
    pub(crate) counters: Arc<TypeCounters>,
    /// Messages this actor handled, all instances together; published in its
    /// cell after each one (a plain store), added to `counters` when it stops.
    handled: u64,
    /// The handler running now, named in the report if it panics.
    current: &'static str,
}

impl<A: Actor> TaskState<A> {
    pub(crate) fn new(
        rx: MailboxReceiver<A::Message>,
        ctx: Context<A>,
        counters: Arc<TypeCounters>,
    ) -> Self {
        TaskState {
            rx,
            ctx,
            counters,
            handled: 0,
            current: "",
        }
    }

    /// Publishes the queue length of an unbounded mailbox (a bounded one is
    /// measured exactly from the senders' side).
    #[inline]
    fn publish_depth(&self, cell: &ActorCell) {
        if let Some(depth) = self.rx.unbounded_len() {
            cell.publish_depth(depth);
        }
    }

    #[inline]
    fn count_handled(&mut self, cell: &ActorCell) {
        self.handled += 1;
        cell.publish_handled(self.handled);
    }

    /// Ends the actor with `reason`: the mailbox is closed and emptied (queued
    /// asks resolve to `NoReply`), and everyone waiting learns why it stopped.
    pub(crate) fn finish(mut self, reason: StopReason) {
        self.end(reason);
    }

    fn end(&mut self, reason: StopReason) {
        self.ctx.abandon_instance_resources();
        // Refuse new messages, then drop the queued ones: their asks resolve
        // to `NoReply` instead of waiting forever.
        self.rx.close();
        while let Some(msg) = self.rx.try_recv() {
            drop(msg);
        }
        let cell = self.ctx.actor_ref().cell.clone();
        match &reason {
            StopReason::Panicked(_) | StopReason::Aborted | StopReason::Escalated(_) => {
                tracing::warn!(actor = A::NAME, id = %cell.id(), %reason, "actor stopped")
            }
            _ => tracing::debug!(actor = A::NAME, id = %cell.id(), %reason, "actor stopped"),
        }
        self.ctx.system().forget(cell.id());
        self.counters.add_handled(self.handled);
        cell.finish(reason);
    }
}

impl<A: Actor> Drop for TaskState<A> {
    /// The task was dropped before it decided how to end (it was aborted, or
    /// its runtime went away).
    fn drop(&mut self) {
        if self.ctx.actor_ref().cell.is_alive() {
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
        let cell = st.ctx.actor_ref().cell.clone();
        if actor.is_none() {
            match Box::pin(parent.next(&cell, None)).await {
                Ok(first) => actor = Some(first),
                Err(reason) => return st.finish(reason),
            }
        }
        let mut restarted = false;
        while let Some(instance) = actor.as_mut() {
            let ended = Killable {
                inner: run_instance(instance, &mut st, &mut parent, &cell, restarted),
                cell: &cell,
            }
            .await;
            if matches!(ended, Killed) {
                // The instance was dropped mid-way: release what it started.
                st.ctx.abandon_instance_resources();
            }
            drop(actor.take()); // the old instance goes before the next one is made
            cell.set_restarting(true);
            match Box::pin(parent.next(&cell, Some(ended.into_reason()))).await {
                Ok(next) => {
                    actor = Some(next);
                    st.counters.restarted();
                    tracing::info!(actor = A::NAME, id = %cell.id(), "actor restarted");
                    restarted = true;
                    cell.clear_signal();
                    cell.set_restarting(false);
                }
                Err(reason) => return st.finish(reason),
            }
        }
    }
}

/// One instance: start hook, messages, linked resources, stop hook. The
/// hooks and the stop path run once per instance: they are boxed, so they
/// take no room in an idle actor's task (an absent hook is zero-sized and
/// boxing it allocates nothing).
async fn run_instance<A: Actor, P: Parent<A>>(
    actor: &mut A,
    st: &mut TaskState<A>,
    parent: &mut P,
    cell: &ActorCell,
    restarted: bool,
) -> StopReason {
    let started = if restarted {
        catch_panic(Box::pin(actor.on_restart(&mut st.ctx)), "on_restart").await
    } else {
        catch_panic(Box::pin(actor.on_start(&mut st.ctx)), "on_start").await
    };
    let reason = match started {
        Ok(()) => {
            if !restarted {
                tracing::debug!(actor = A::NAME, id = %cell.id(), "actor started");
            }
            parent.started();
            // One `catch_unwind` per poll of the whole loop rather than one per
            // message: a panic ends the instance anyway, and `st.current`
            // names the handler it came from.
            match catch_panic(process(actor, st, cell), "").await {
                Ok(reason) => reason,
                Err(panic) => StopReason::Panicked(panic.in_handler(st.current)),
            }
        }
        Err(panic) => StopReason::Panicked(panic),
    };
    Box::pin(stop_instance(actor, st, cell, reason)).await
}

/// After the last message of an instance: stop its children, run `on_stop`.
async fn stop_instance<A: Actor>(
    actor: &mut A,
    st: &mut TaskState<A>,
    cell: &ActorCell,
    reason: StopReason,
) -> StopReason {
    if let StopReason::Panicked(panic) = &reason {
        st.counters.panicked();
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "actor panicked");
    }
    let children = st.ctx.release_instance_resources();
    if !children.is_empty() {
        stop_children(children, st.ctx.system().shutdown_timeout()).await;
    }
    let on_stop = Box::pin(actor.on_stop(&mut st.ctx, &reason));
    if let Err(panic) = catch_panic(on_stop, "on_stop").await {
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "on_stop panicked");
    }
    reason
}

/// How an instance ended: by itself, or killed.
enum Ended {
    Stopped(StopReason),
    Killed,
}
use Ended::Killed;

impl Ended {
    fn into_reason(self) -> StopReason {
        match self {
            Ended::Stopped(reason) => reason,
            Ended::Killed => StopReason::Aborted,
        }
    }
}

pin_project_lite::pin_project! {
    /// Runs an instance until it ends or a [`Signal::Kill`] arrives. Also the
    /// one place the task registers to be woken by signals: when the instance
    /// has nothing to do, a stop request must still reach it.
    struct Killable<'c, F> {
        #[pin]
        inner: F,
        cell: &'c ActorCell,
    }
}

impl<F: Future<Output = StopReason>> Future for Killable<'_, F> {
    type Output = Ended;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Ended> {
        let mut this = self.project();
        if this.cell.pending_signal() == Some(Signal::Kill) {
            return Poll::Ready(Ended::Killed);
        }
        if let Poll::Ready(reason) = this.inner.as_mut().poll(cx) {
            return Poll::Ready(Ended::Stopped(reason));
        }
        // Always register, even with a signal already pending: a later, stronger
        // one (a kill after a drain) must wake the task too.
        match this.cell.register_for_signal(cx) {
            None => Poll::Pending,
            Some(Signal::Kill) => Poll::Ready(Ended::Killed),
            // A stop request raced in while the instance went idle: let the
            // message loop see it (a handler in progress finishes first).
            Some(_) => this.inner.poll(cx).map(Ended::Stopped),
        }
    }
}

/// What the message loop stops for.
enum Next<M> {
    /// A message whose handler is async: await it.
    Async(M),
    Signal(Signal),
    Closed,
}

/// Takes messages until a stop signal or a closed mailbox. A panic unwinds
/// out of it, to the `catch_unwind` around it.
///
/// Synchronous handlers run inside the poll that receives their message, in a
/// loop, as a hand-written `while let Some(msg) = rx.recv().await` does: no
/// future per message, and the message moves once, from the mailbox into the
/// handler. Only a message with an async handler leaves the loop to be awaited.
async fn process<A: Actor>(actor: &mut A, st: &mut TaskState<A>, cell: &ActorCell) -> StopReason {
    loop {
        let next = poll_fn(|cx| {
            loop {
                // A pending signal overtakes queued messages.
                if let Some(sig) = cell.pending_signal() {
                    return Poll::Ready(Next::Signal(sig));
                }
                // When idle, `Killable` registers for signals.
                let msg = match st.rx.poll_recv(cx) {
                    Poll::Ready(Some(msg)) => msg,
                    Poll::Ready(None) => return Poll::Ready(Next::Closed),
                    Poll::Pending => return Poll::Pending,
                };
                // An unbounded mailbox's length is read from the senders'
                // side of the queue, a cache line they keep writing: sample it.
                if st.handled.is_multiple_of(64) {
                    st.publish_depth(cell);
                }
                if let Some(msg) = handle_sync(actor, msg, st) {
                    return Poll::Ready(Next::Async(msg));
                }
                st.count_handled(cell);
            }
        })
        .await;
        match next {
            Next::Async(msg) => {
                // Messages may pile up while the handler awaits: say how many wait.
                st.publish_depth(cell);
                handle_async(actor, msg, st).await;
                st.count_handled(cell);
            }
            Next::Signal(sig) if sig.is_drain() => return Box::pin(drain(actor, st, cell)).await,
            Next::Signal(sig) => return st.ctx.take_requested_reason().unwrap_or(sig.reason()),
            Next::Closed => return StopReason::Normal,
        }
    }
}

/// Handles what is queued now, then stops; a stronger stop signal cuts it short.
async fn drain<A: Actor>(actor: &mut A, st: &mut TaskState<A>, cell: &ActorCell) -> StopReason {
    loop {
        let sig = cell.pending_signal().unwrap_or(Signal::DrainNormal);
        if !sig.is_drain() {
            return st.ctx.take_requested_reason().unwrap_or(sig.reason());
        }
        let Some(msg) = st.rx.try_recv() else {
            return sig.reason();
        };
        if let Some(msg) = handle_sync(actor, msg, st) {
            handle_async(actor, msg, st).await;
        }
        st.count_handled(cell);
    }
}

/// Runs `msg`'s handler if it is synchronous; gives the message back if it is
/// async. The `message` tracing span is made only when something listens at
/// DEBUG level (checking costs one atomic load).
#[inline(always)]
fn handle_sync<A: Actor>(
    actor: &mut A,
    msg: A::Message,
    st: &mut TaskState<A>,
) -> Option<A::Message> {
    st.current = A::message_name(&msg);
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        let span = tracing::debug_span!("message", message = st.current);
        span.in_scope(|| actor.handle_sync(msg, &mut st.ctx))
    } else {
        actor.handle_sync(msg, &mut st.ctx)
    }
}

/// Awaits an async handler, inside the message's span when one is wanted.
async fn handle_async<A: Actor>(actor: &mut A, msg: A::Message, st: &mut TaskState<A>) {
    if tracing::level_enabled!(tracing::Level::DEBUG) {
        let span = tracing::debug_span!("message", message = st.current);
        actor.handle(msg, &mut st.ctx).instrument(span).await;
    } else {
        actor.handle(msg, &mut st.ctx).await;
    }
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
        let mut this = self.project();
        let Some(fut) = this.fut.as_mut().as_pin_mut() else {
            return Poll::Pending;
        };
        match catch_unwind(AssertUnwindSafe(|| fut.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(out)) => {
                this.fut.set(None);
                Poll::Ready(Ok(out))
            }
            Err(payload) => {
                dropping_panicked(|| this.fut.set(None));
                Poll::Ready(Err(PanicError::from_payload(payload, this.handler)))
            }
        }
    }
}

#[cfg(test)]
mod size_probe {
    use super::*;
    use crate::prelude::*;

    #[actor(crate = crate)]
    #[derive(Default)]
    struct Probe {
        a: [u64; 7],
    }

    #[actor(crate = crate)]
    impl Probe {
        #[message]
        fn record(&mut self, sender: u32, seq: u64) {
            self.a[0] += u64::from(sender) + seq;
        }
        #[message]
        fn ping(&mut self, seq: u64) -> u64 {
            seq
        }
    }

    #[tokio::test]
    async fn print_sizes() {
        let system = System::new();
        let (aref, rx) = System::prepare_detached::<Probe>(crate::MailboxKind::Default, 1024);
        let counters = system.counters_for_test::<Probe>();
        let st = TaskState::new(rx, Context::new(aref, system.clone()), counters);
        let fut = run(Some(Probe::default()), st, Unsupervised);
        eprintln!("run future: {}", std::mem::size_of_val(&fut));
        eprintln!("message: {}", std::mem::size_of::<ProbeMessage>());
        eprintln!("TaskState: {}", std::mem::size_of::<TaskState<Probe>>());
        eprintln!("Context: {}", std::mem::size_of::<Context<Probe>>());
        eprintln!("ActorCell: {}", std::mem::size_of::<ActorCell>());
        eprintln!("StopReason: {}", std::mem::size_of::<StopReason>());
        eprintln!("Reply<u64>: {}", std::mem::size_of::<crate::Reply<u64>>());
        let instrumented = tracing::Instrument::instrument(fut, tracing::Span::none());
        eprintln!("instrumented: {}", std::mem::size_of_val(&instrumented));
    }
}
