//! [`Context<A>`]: what a handler can reach besides its own state.
//!
//! A handler or hook that takes `ctx: &mut Context<Self>` (in any argument
//! position) gets its own handle, can stop itself, spawn child actors that stop
//! with it, and set timers that send it messages.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Heartbeat { beats: u32 }
//!
//! #[actor]
//! impl Heartbeat {
//!     #[on_start]
//!     fn started(&mut self, ctx: &mut Context<Self>) {
//!         ctx.send_interval(Duration::from_millis(10), |me| me.beat());
//!     }
//!
//!     #[message]
//!     fn beat(&mut self, ctx: &mut Context<Self>) {
//!         self.beats += 1;
//!         if self.beats == 3 {
//!             ctx.stop();
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let hb = system.spawn(Heartbeat { beats: 0 });
//! assert_eq!(hb.wait_stopped().await, StopReason::Normal);
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::actor::{Actor, StopReason};
use crate::cell::{ActorId, Live, Signal};
use crate::cpu::CpuTask;
use crate::handle::{ActorHandle, ActorRef};
use crate::monitor::Tie;
use crate::reply::Reply;
use crate::request::Request;
use crate::system::System;

/// The context of a running actor. See the [module docs](self).
pub struct Context<A: Actor> {
    me: A::Handle,
    system: System,
    /// What this instance started, made on first use: most actors start
    /// nothing, and an idle actor should cost little memory.
    owned: Option<Box<Owned>>,
}

/// What an instance started and must stop with it.
#[derive(Default)]
struct Owned {
    /// Actors spawned with [`Context::spawn`], in spawn order.
    children: Vec<Arc<dyn Live>>,
    /// Timers and tasks, aborted when the instance stops.
    tasks: Vec<AbortHandle>,
    /// The reason given to [`Context::stop_with`], if any.
    requested: Option<StopReason>,
    /// Watches and links: they last for the actor's life, not one instance's.
    ties: Vec<Tie>,
}

impl<A: Actor> fmt::Debug for Context<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (children, tasks) = self
            .owned
            .as_ref()
            .map_or((0, 0), |o| (o.children.len(), o.tasks.len()));
        f.debug_struct("Context")
            .field("actor", &A::NAME)
            .field("id", &self.id())
            .field("children", &children)
            .field("tasks", &tasks)
            .finish()
    }
}

impl<A: Actor> Context<A> {
    pub(crate) fn new(me: ActorRef<A>, system: System) -> Self {
        Context {
            me: A::Handle::from_ref(me),
            system,
            owned: None,
        }
    }

    /// This actor's own handle (a clone: keep it, send it to others).
    pub fn handle(&self) -> A::Handle {
        self.me.clone()
    }

    /// This actor's [`ActorRef`].
    pub fn actor_ref(&self) -> &ActorRef<A> {
        self.me.actor_ref()
    }

    /// This actor's id.
    pub fn id(&self) -> ActorId {
        self.actor_ref().id()
    }

    /// The system the actor runs in.
    pub fn system(&self) -> &System {
        &self.system
    }

    /// Runs `f` on the system's CPU pool: the same as
    /// [`ctx.system().cpu().spawn(f)`](crate::cpu::CpuPool::spawn). Await the
    /// [`CpuTask`] for the result (the actor then waits too), or give `f` the
    /// handler's [`Reply`] and return at once, so the actor takes its next
    /// message while `f` runs. See [`cpu`](crate::cpu).
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// #[actor]
    /// struct Primes;
    ///
    /// #[actor]
    /// impl Primes {
    ///     /// The number of primes below `n`, counted on the CPU pool.
    ///     #[message(response = usize)]
    ///     fn count_below(&mut self, n: u64, reply: Reply<usize>, ctx: &mut Context<Self>) {
    ///         ctx.spawn_cpu(move || {
    ///             let is_prime = |k: u64| k >= 2 && (2..).take_while(|d| d * d <= k).all(|d| k % d != 0);
    ///             reply.send((0..n).filter(|&k| is_prime(k)).count())
    ///         });
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), actor_core::Error> {
    /// let system = System::new();
    /// let primes = system.spawn(Primes);
    /// assert_eq!(primes.count_below(100).await?, 25);
    /// # Ok(())
    /// # }
    /// ```
    pub fn spawn_cpu<F, T>(&self, f: F) -> CpuTask<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.system.cpu().spawn(f)
    }

    /// Stops this actor once the current handler returns. New messages fail
    /// with `Stopped` from now on; messages still queued are dropped, their
    /// asks resolve to [`AskError::NoReply`](crate::AskError::NoReply).
    pub fn stop(&mut self) {
        self.actor_ref().cell().signal(Signal::StopNormal);
    }

    /// Stops this actor once the current handler returns, with `reason`. A
    /// supervisor restarts a transient child only if `reason` is a failure
    /// ([`StopReason::is_failure`]).
    pub fn stop_with(&mut self, reason: StopReason) {
        self.owned().requested = Some(reason);
        self.stop();
    }

    /// Stops this actor with [`StopReason::Failed`]: a failure without a panic,
    /// for when the actor cannot go on (a lost connection, a corrupt file).
    pub fn fail(&mut self, why: impl Into<String>) {
        self.stop_with(StopReason::Failed(why.into()));
    }

    /// The reason given to [`Context::stop_with`], consumed when the instance stops.
    pub(crate) fn take_requested_reason(&mut self) -> Option<StopReason> {
        self.owned.as_mut().and_then(|o| o.requested.take())
    }

    /// Spawns a child actor linked to this one: when this actor stops (or is
    /// restarted by a supervisor), the child is stopped first, in reverse
    /// spawn order, before this actor's `on_stop` runs.
    pub fn spawn<C: Actor>(&mut self, child: C) -> C::Handle {
        let handle = self.system.spawn(child);
        push_pruned(&mut self.owned().children, handle.actor_ref().live(), |c| {
            c.cell().is_alive()
        });
        handle
    }

    /// Spawns a tokio task that belongs to this actor: it is aborted when the
    /// actor stops (or a supervisor restarts it), like its timers. Use it for
    /// work whose result comes back as a message, or to forward an event bus
    /// into the mailbox:
    ///
    /// ```
    /// use actor_core::prelude::*;
    /// use actor_core::events::RecvError;
    ///
    /// #[derive(Clone, Debug)]
    /// struct Deployed(String);
    ///
    /// #[actor]
    /// struct Audit { seen: Vec<String> }
    ///
    /// #[actor]
    /// impl Audit {
    ///     #[message]
    ///     fn deployed(&mut self, what: String) { self.seen.push(what); }
    ///     #[message]
    ///     fn seen(&self) -> Vec<String> { self.seen.clone() }
    ///
    ///     #[on_start]
    ///     fn started(&mut self, ctx: &mut Context<Self>) {
    ///         let mut events = ctx.system().events::<Deployed>().subscribe();
    ///         let me = ctx.handle();
    ///         ctx.spawn_task(async move {
    ///             loop {
    ///                 let what = match events.recv().await {
    ///                     Ok(Deployed(what)) => what,
    ///                     // Fell behind: `n` events were missed. Say so and go on.
    ///                     Err(RecvError::Lagged(n)) => format!("{n} deployments missed"),
    ///                     Err(_closed) => break,
    ///                 };
    ///                 if me.deployed(what).tell().await.is_err() {
    ///                     break; // the actor stopped
    ///                 }
    ///             }
    ///         });
    ///     }
    /// }
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// let audit = system.spawn(Audit { seen: vec![] });
    /// audit.seen().await.unwrap(); // started: subscribed
    /// system.events::<Deployed>().publish(Deployed("web v2".into()));
    /// tokio::task::yield_now().await;
    /// assert_eq!(audit.seen().await.unwrap(), ["web v2"]);
    /// # }
    /// ```
    pub fn spawn_task<F>(&mut self, fut: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let task = tokio::spawn(fut);
        self.track_task(task.abort_handle());
        task
    }

    /// Sends this actor the message `make` builds, once, after `delay`.
    ///
    /// `make` receives this actor's handle and returns a request, for example
    /// `|me| me.tick()`; the message is told (no reply expected). The timer is
    /// cancelled if the actor stops first.
    pub fn send_after<R, G, F>(&mut self, delay: Duration, make: F) -> TimerHandle
    where
        F: for<'h> FnOnce(&'h A::Handle) -> Request<'h, A, R, G> + Send + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
    {
        let me = self.me.clone();
        let task = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let msg = make(&me).into_message();
            let _ = me.actor_ref().send(msg).await;
        });
        self.track_task(task.abort_handle())
    }

    /// Sends this actor the message `make` builds every `period`, the first one
    /// after one `period`. If the mailbox is full, the tick waits for room and
    /// later ticks are delayed, never bunched. Cancelled when the actor stops.
    ///
    /// A zero `period` is raised to one millisecond.
    pub fn send_interval<R, G, F>(&mut self, period: Duration, mut make: F) -> TimerHandle
    where
        F: for<'h> FnMut(&'h A::Handle) -> Request<'h, A, R, G> + Send + 'static,
        G: FnOnce(Reply<R>) -> A::Message,
        R: 'static,
    {
        let period = period.max(Duration::from_millis(1));
        let me = self.me.clone();
        let task = tokio::spawn(async move {
            let start = tokio::time::Instant::now() + period;
            let mut ticks = tokio::time::interval_at(start, period);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                let msg = make(&me).into_message();
                if me.actor_ref().send(msg).await.is_err() {
                    break;
                }
            }
        });
        self.track_task(task.abort_handle())
    }

    fn owned(&mut self) -> &mut Owned {
        self.owned.get_or_insert_with(Box::default)
    }

    /// This actor's watches and links.
    pub(crate) fn ties(&mut self) -> &mut Vec<Tie> {
        &mut self.owned().ties
    }

    /// This actor's watches and links, taken.
    pub(crate) fn take_ties(&mut self) -> Vec<Tie> {
        self.owned
            .as_mut()
            .map(|o| std::mem::take(&mut o.ties))
            .unwrap_or_default()
    }

    /// Keeps `handle` to abort when this instance stops.
    pub(crate) fn track_task(&mut self, handle: AbortHandle) -> TimerHandle {
        push_pruned(&mut self.owned().tasks, handle.clone(), |t| {
            !t.is_finished()
        });
        TimerHandle { handle }
    }

    /// Aborts this instance's timers and tasks; returns its linked children,
    /// newest first, for the caller to stop.
    pub(crate) fn release_instance_resources(&mut self) -> Vec<Arc<dyn Live>> {
        let Some(owned) = self.owned.as_mut() else {
            return Vec::new();
        };
        for t in owned.tasks.drain(..) {
            t.abort();
        }
        let mut children = std::mem::take(&mut owned.children);
        children.reverse();
        children
    }

    /// Stops what this instance started without waiting (the task is being torn down).
    pub(crate) fn abandon_instance_resources(&mut self) {
        for child in self.release_instance_resources() {
            child.cell().signal(Signal::StopShutdown);
        }
    }
}

/// Pushes `item`, first dropping the items that no longer count (`keep` is
/// false) whenever the list has doubled past 32: a long-lived actor that keeps
/// starting short-lived children or tasks does not grow without bound.
fn push_pruned<T>(list: &mut Vec<T>, item: T, keep: impl FnMut(&T) -> bool) {
    if list.len() >= 32 && list.len().is_power_of_two() {
        list.retain(keep);
    }
    list.push(item);
}

/// Stops linked children in order, each within `timeout` or killed.
pub(crate) async fn stop_children(children: Vec<Arc<dyn Live>>, timeout: Duration) {
    for child in children {
        let child = child.cell();
        child.signal(Signal::DrainShutdown);
        if tokio::time::timeout(timeout, child.wait_stopped())
            .await
            .is_err()
        {
            child.abort();
            // Bounded too: a child blocked without awaiting is given up on.
            let _ = tokio::time::timeout(timeout, child.wait_stopped()).await;
        }
    }
}

/// A timer set with [`Context::send_after`] or [`Context::send_interval`], or
/// a stream fed into the mailbox with [`Context::attach`].
#[derive(Debug, Clone)]
pub struct TimerHandle {
    handle: AbortHandle,
}

impl TimerHandle {
    /// Cancels the timer (or stops feeding the stream); a message it already
    /// queued stays queued.
    pub fn cancel(&self) {
        self.handle.abort();
    }

    /// `true` once a one-shot timer has fired, or any timer was cancelled.
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
}
