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
use std::task::{Context as TaskContext, Poll};

use tracing::Instrument;

use crate::actor::{Actor, PanicError, StopReason};
use crate::cell::{ActorCell, Signal};
use crate::context::Context;
use crate::mailbox::MailboxReceiver;
use crate::reply::dropping_panicked;

/// Decides what follows when an instance of `A` stops: a new instance
/// (supervised restart) or the end of the actor.
pub(crate) trait Parent<A: Actor>: Send + 'static {
    /// Returns the instance to run next, or `None` to stop for good.
    /// `cell` is the actor's own cell, to watch for stop requests while waiting.
    fn after_stop(
        &mut self,
        cell: &ActorCell,
        reason: &StopReason,
    ) -> impl Future<Output = Option<A>> + Send;
}

/// An actor nobody supervises: when it stops, it stays stopped.
pub(crate) struct Unsupervised;

impl<A: Actor> Parent<A> for Unsupervised {
    async fn after_stop(&mut self, _: &ActorCell, _: &StopReason) -> Option<A> {
        None
    }
}

/// Everything the task owns besides the actor instance. Its `Drop` is the one
/// place an actor ends, whatever ended it.
pub(crate) struct TaskState<A: Actor> {
    pub(crate) rx: MailboxReceiver<A::Message>,
    pub(crate) ctx: Context<A>,
    /// The final reason; stays `None` (reported as `Aborted`) if the task is
    /// dropped before deciding, as when it is aborted.
    pub(crate) reason: Option<StopReason>,
}

impl<A: Actor> TaskState<A> {
    pub(crate) fn new(rx: MailboxReceiver<A::Message>, ctx: Context<A>) -> Self {
        TaskState {
            rx,
            ctx,
            reason: None,
        }
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
        cell.finish(reason);
    }
}

/// The whole life of an actor: instances run one after the other until the
/// parent says stop.
pub(crate) async fn run<A: Actor, P: Parent<A>>(mut actor: A, mut st: TaskState<A>, mut parent: P) {
    let cell = st.ctx.actor_ref().cell.clone();
    let mut restarted = false;
    loop {
        let reason = run_instance(&mut actor, &mut st, &cell, restarted).await;
        cell.set_restarting(true);
        match parent.after_stop(&cell, &reason).await {
            Some(next) => {
                actor = next;
                restarted = true;
                cell.clear_signal();
                cell.set_restarting(false);
            }
            None => {
                st.reason = Some(reason);
                return;
            }
        }
    }
}

/// One instance: start hook, messages, linked resources, stop hook.
async fn run_instance<A: Actor>(
    actor: &mut A,
    st: &mut TaskState<A>,
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
            tracing::debug!(actor = A::NAME, id = %cell.id(), restarted, "actor started");
            process(actor, st, cell).await
        }
        Err(panic) => StopReason::Panicked(panic),
    };
    if let StopReason::Panicked(panic) = &reason {
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "actor panicked");
    }
    let timeout = st.ctx.system().shutdown_timeout();
    st.ctx.stop_instance_resources(timeout).await;
    if let Err(panic) = catch_panic(actor.on_stop(&mut st.ctx, &reason), "on_stop").await {
        tracing::error!(actor = A::NAME, id = %cell.id(), %panic, "on_stop panicked");
    }
    reason
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
            match st.rx.poll_recv(cx) {
                Poll::Ready(Some(msg)) => Poll::Ready(Next::Message(msg)),
                Poll::Ready(None) => Poll::Ready(Next::Closed),
                // Idle: also wake up for a signal.
                Poll::Pending => cell.poll_signal(cx).map(Next::Signal),
            }
        })
        .await;
        let msg = match next {
            Next::Message(msg) => msg,
            Next::Signal(sig) if sig.is_drain() => return drain(actor, st, cell).await,
            Next::Signal(sig) => return sig.reason(),
            Next::Closed => return StopReason::Normal,
        };
        if let Err(panic) = handle_one(actor, msg, &mut st.ctx).await {
            return StopReason::Panicked(panic);
        }
    }
}

/// Handles what is queued now, then stops; a stronger stop signal cuts it short.
async fn drain<A: Actor>(actor: &mut A, st: &mut TaskState<A>, cell: &ActorCell) -> StopReason {
    loop {
        let sig = cell.pending_signal().unwrap_or(Signal::DrainNormal);
        if !sig.is_drain() {
            return sig.reason();
        }
        let Some(msg) = st.rx.try_recv() else {
            return sig.reason();
        };
        if let Err(panic) = handle_one(actor, msg, &mut st.ctx).await {
            return StopReason::Panicked(panic);
        }
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
