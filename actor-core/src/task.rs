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
use crate::context::Context;
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
    /// The final reason; stays `None` (reported as `Aborted`) if the task is
    /// dropped before deciding, as when it is aborted.
    pub(crate) reason: Option<StopReason>,
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
            reason: None,
        }
    }

    #[inline]
    fn count_handled(&mut self, cell: &ActorCell) {
        self.handled += 1;
        cell.publish_handled(self.handled);
    }
}

impl<A: Actor> Drop for TaskState<A> {
    fn drop(&mut self) {
        self.ctx.abandon_instance_resources();
        // Refuse new messages, then drop the queued ones: their asks resolve
        // to `NoReply` instead of waiting forever.
        self.rx.close();
        while let Some(msg) = self.rx.try_recv() {
            drop(msg);
        }
        let reason = self.reason.take().unwrap_or(StopReason::Aborted);
        let cell = &self.ctx.actor_ref().cell;
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

/// The whole life of an actor: instances run one after the other until the
/// parent says stop. `first` is the first instance, or `None` to ask the
/// parent for it (a supervised child is built by its factory).
pub(crate) async fn run<A: Actor, P: Parent<A>>(
    first: Option<A>,
    mut st: TaskState<A>,
    mut parent: P,
) {
    let cell = st.ctx.actor_ref().cell.clone();
    let mut next = match first {
        Some(actor) => Ok(actor),
        None => parent.next(&cell, None).await,
    };
    let mut restarted = false;
    loop {
        let mut actor = match next {
            Ok(actor) => actor,
            Err(reason) => {
                st.reason = Some(reason);
                return;
            }
        };
        let reason = Killable {
            inner: run_instance(&mut actor, &mut st, &mut parent, &cell, restarted),
            cell: &cell,
        }
        .await;
        if matches!(reason, Killed) {
            // The instance was dropped mid-way: release what it started.
            st.ctx.abandon_instance_resources();
        }
        let reason = reason.into_reason();
        drop(actor);
        cell.set_restarting(true);
        next = parent.next(&cell, Some(reason)).await;
        if next.is_ok() {
            st.counters.restarted();
            tracing::info!(actor = A::NAME, id = %cell.id(), "actor restarted");
            restarted = true;
            cell.clear_signal();
            cell.set_restarting(false);
        }
    }
}

/// One instance: start hook, messages, linked resources, stop hook.
async fn run_instance<A: Actor, P: Parent<A>>(
    actor: &mut A,
    st: &mut TaskState<A>,
    parent: &mut P,
    cell: &ActorCell,
    restarted: bool,
) -> StopReason {
    let started = if restarted {
        catch_panic(actor.on_restart(&mut st.ctx), "on_restart").await
    } else {
        catch_panic(actor.on_start(&mut st.ctx), "on_start").await
    };
    let reason = match started {
        Ok(()) => {
            if !restarted {
                tracing::debug!(actor = A::NAME, id = %cell.id(), "actor started");
            }
            parent.started();
            process(actor, st, cell).await
        }
        Err(panic) => StopReason::Panicked(panic),
    };
    if let StopReason::Panicked(panic) = &reason {
        st.counters.panicked();
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "actor panicked");
    }
    let timeout = st.ctx.system().shutdown_timeout();
    st.ctx.stop_instance_resources(timeout).await;
    if let Err(panic) = catch_panic(actor.on_stop(&mut st.ctx, &reason), "on_stop").await {
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

enum Next<M> {
    Message(M),
    Signal(Signal),
    Closed,
}

/// Takes messages until a stop signal, a panic or a closed mailbox.
async fn process<A: Actor>(actor: &mut A, st: &mut TaskState<A>, cell: &ActorCell) -> StopReason {
    loop {
        let next = poll_fn(|cx| {
            // A pending signal overtakes queued messages.
            if let Some(sig) = cell.pending_signal() {
                return Poll::Ready(Next::Signal(sig));
            }
            // When idle, `Killable` registers for signals.
            st.rx
                .poll_recv(cx)
                .map(|msg| msg.map_or(Next::Closed, Next::Message))
        })
        .await;
        let msg = match next {
            Next::Message(msg) => msg,
            Next::Signal(sig) if sig.is_drain() => return drain(actor, st, cell).await,
            Next::Signal(sig) => return st.ctx.take_requested_reason().unwrap_or(sig.reason()),
            Next::Closed => return StopReason::Normal,
        };
        if let Some(depth) = st.rx.unbounded_len() {
            cell.publish_depth(depth);
        }
        if let Err(panic) = handle_one(actor, msg, &mut st.ctx).await {
            return StopReason::Panicked(panic);
        }
        st.count_handled(cell);
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
        if let Err(panic) = handle_one(actor, msg, &mut st.ctx).await {
            return StopReason::Panicked(panic);
        }
        st.count_handled(cell);
    }
}

/// Runs one handler inside its tracing span, catching a panic.
#[inline]
async fn handle_one<A: Actor>(
    actor: &mut A,
    msg: A::Message,
    ctx: &mut Context<A>,
) -> Result<(), PanicError> {
    let name = A::message_name(&msg);
    let span = tracing::debug_span!("message", message = name);
    catch_panic(actor.handle(msg, ctx), name)
        .instrument(span)
        .await
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
                Poll::Ready(Err(panic_error(payload, this.handler)))
            }
        }
    }
}

fn panic_error(payload: Box<dyn Any + Send>, handler: &'static str) -> PanicError {
    PanicError::from_payload(payload, handler)
}
