//! Stand-ins: a real handle of an actor type whose messages the test's
//! closure answers.

use std::future::poll_fn;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use tokio::sync::mpsc;

use super::Probe;
use crate::actor::{Actor, StopReason};
use crate::handle::{ActorHandle, ActorRef};
use crate::mailbox::MailboxReceiver;
use crate::system::{System, require_runtime};

/// An actor type's messages as a stand-in gets them: implemented by
/// `#[actor]` (with the `testing` feature) for every actor, with `Call` the
/// generated `FooCall` enum. Each variant is named after its message (the
/// method `charge` gives `FooCall::Charge`) and holds its arguments by name
/// and `reply`, a [`Reply`](crate::Reply) through which an ask is answered
/// (a tell's is empty: sending into it does nothing). A reply dropped unsent
/// answers the ask with [`AskError::NoReply`](crate::AskError::NoReply).
///
/// ```
/// use actor_core::prelude::*;
/// use actor_core::testing::Calls;
///
/// #[actor]
/// struct Bank;
/// #[actor]
/// impl Bank {
///     #[message]
///     fn deposit(&mut self, account: u32, cents: u64) -> u64 { cents }
/// }
///
/// fn is_deposit(call: &<Bank as Calls>::Call) -> bool {
///     matches!(call, BankCall::Deposit { .. })
/// }
/// ```
pub trait Calls: Actor {
    /// `FooCall`: one variant per `#[message]` method.
    type Call;

    /// The call a message makes; `None` for what the runtime sends an actor
    /// on its own (a watched actor's stop notice), which a stand-in does
    /// not see.
    fn call(msg: Self::Message) -> Option<Self::Call>;
}

/// A handle of actor type `A` whose messages `answer` takes, one at a time,
/// in mailbox order, instead of `A`'s handlers: answer an ask with
/// `reply.send(..)`; keep the reply (move it into a task) to answer later.
/// The actor under test gets this handle where it expects an `A` and
/// cannot tell the difference.
///
/// The stand-in has the mailbox `A` declares, an id, and the lifecycle of an
/// actor: it is alive until it is stopped ([`ActorRef::stop`],
/// [`ActorRef::stop_gracefully`], [`ActorRef::kill`], the system's shutdown,
/// a linked actor's failure); it counts as an `A` in the system's metrics.
/// A panic in `answer` stops it with [`StopReason::Panicked`], the ask being
/// answered resolves to [`AskError::Panicked`](crate::AskError::Panicked),
/// and queued asks to `NoReply`. What it cannot do: see the
/// [module docs](super#what-the-kit-cannot-do).
///
/// ```
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// struct Inventory;
/// #[actor]
/// impl Inventory {
///     #[message]
///     fn reserve(&mut self, sku: String, count: u32) -> bool { unimplemented!("the database") }
///     #[message]
///     fn release(&mut self, sku: String) {}
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let system = System::new();
/// let mut released = Vec::new();
/// let inventory = testing::stand_in::<Inventory>(&system, move |call| match call {
///     InventoryCall::Reserve { count, reply, .. } => reply.send(count <= 3),
///     InventoryCall::Release { sku, .. } => released.push(sku),
/// });
/// assert_eq!(inventory.reserve("tea".into(), 2).await, Ok(true));
/// assert_eq!(inventory.reserve("tea".into(), 9).await, Ok(false));
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime, as [`System::spawn`].
#[track_caller]
pub fn stand_in<A: Calls>(
    system: &System,
    answer: impl FnMut(A::Call) + Send + 'static,
) -> A::Handle {
    require_runtime("spawn a stand-in");
    let (me, rx) = System::prepare_detached::<A>(A::MAILBOX, system.default_mailbox_capacity());
    let handle = A::Handle::from_ref(me.clone());
    if !system.register_live(me.live(), true) {
        // The system is shutting down: never started, as `System::spawn`.
        me.cell().finish(StopReason::Shutdown);
        return handle;
    }
    tokio::spawn(run(
        Ending {
            me,
            rx,
            system: system.clone(),
            reason: None,
        },
        answer,
    ));
    handle
}

/// A handle of actor type `A` whose messages wait in the returned [`Probe`]
/// as `A::Call`s (`FooCall`), for the test to check and answer; see
/// [`stand_in`] and [`Calls`].
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// struct Mailer;
/// #[actor]
/// impl Mailer {
///     #[message]
///     fn send(&mut self, to: String, body: String) { unimplemented!("SMTP") }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = System::new();
/// let (mailer, mut sent) = testing::stand_in_probe::<Mailer>(&system);
/// mailer.send("ada@example.com".into(), "hi".into()).tell().await.unwrap();
/// let MailerCall::Send { to, .. } = sent.expect_message(Duration::from_secs(1)).await;
/// assert_eq!(to, "ada@example.com");
/// sent.expect_no_message(Duration::from_secs(60)).await;
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime, as [`System::spawn`].
#[track_caller]
pub fn stand_in_probe<A>(system: &System) -> (A::Handle, Probe<A::Call>)
where
    A: Calls,
    A::Call: Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let handle = stand_in::<A>(system, move |call| {
        // The probe is gone: the call is dropped, an ask gets `NoReply`.
        let _ = tx.send(call);
    });
    let me = handle.actor_ref();
    let what = format!("stand-in for {} {}", A::NAME, me.id());
    (handle.clone(), Probe::new(rx, what, Some(me.live()), None))
}

/// What a stand-in's task owns. Its `Drop` is where the stand-in ends, however
/// its task ends (a stop, a panic, its runtime going away), so that no asker
/// waits forever.
struct Ending<A: Actor> {
    me: ActorRef<A>,
    rx: MailboxReceiver<A::Message>,
    system: System,
    /// Why it stops, once known.
    reason: Option<StopReason>,
}

impl<A: Actor> Drop for Ending<A> {
    fn drop(&mut self) {
        let cell = self.me.cell();
        // New messages fail with `Stopped`; queued asks resolve to `NoReply`.
        cell.close();
        self.rx.close();
        while let Some(msg) = self.rx.try_recv() {
            drop(msg);
        }
        let reason = self.reason.take().unwrap_or(StopReason::Aborted);
        if reason.is_failure() {
            tracing::warn!(actor = A::NAME, id = %cell.id(), %reason, "stand-in stopped");
        }
        self.system.retire(cell, A::NAME);
        cell.finish(reason);
    }
}

/// What the stand-in's loop waits for.
enum Next<M> {
    Message(M),
    Signal(crate::cell::Signal),
    Closed,
}

async fn run<A: Calls, F: FnMut(A::Call)>(mut st: Ending<A>, mut answer: F) {
    let me = st.me.clone();
    let cell = me.cell();
    let counters = st.system.counters(A::NAME);
    let mut take = |msg: A::Message| -> Result<(), StopReason> {
        cell.count_handled();
        let name = A::message_name(&msg);
        let Some(call) = A::call(msg) else {
            return Ok(());
        };
        // A reply the closure drops by panicking answers with its panic.
        crate::reply::catching(name, || catch_unwind(AssertUnwindSafe(|| answer(call)))).map_err(
            |panic| {
                counters.panicked();
                StopReason::Panicked(panic)
            },
        )
    };
    let reason = loop {
        let next = poll_fn(|cx| {
            // A stop request overtakes queued messages, as for an actor.
            if let Some(sig) = cell.register_for_signal(cx) {
                return Poll::Ready(Next::Signal(sig));
            }
            st.rx
                .poll_recv(cx)
                .map(|msg| msg.map_or(Next::Closed, Next::Message))
        })
        .await;
        match next {
            Next::Message(msg) => {
                if let Err(reason) = take(msg) {
                    break reason;
                }
            }
            // A graceful stop: what is queued now is answered first, unless
            // a stronger request comes meanwhile.
            Next::Signal(sig) if sig.is_drain() => {
                st.rx.close();
                let mut reason = sig.reason();
                while let Some(msg) = st.rx.try_recv() {
                    if let Some(now) = cell.pending_signal().filter(|s| !s.is_drain()) {
                        reason = now.reason();
                        break;
                    }
                    if let Err(failed) = take(msg) {
                        reason = failed;
                        break;
                    }
                }
                break cell.take_requested().unwrap_or(reason);
            }
            Next::Signal(sig) => break cell.take_requested().unwrap_or(sig.reason()),
            Next::Closed => break StopReason::Normal,
        }
    };
    st.reason = Some(reason);
}
