//! Supervision trees with Erlang/OTP semantics.
//!
//! A [`Supervisor`] starts its children from factories, in order, watches
//! them, and restarts them when they stop, according to
//! - its [`Strategy`]: restart only the child that stopped
//!   ([`Strategy::OneForOne`]), all children ([`Strategy::OneForAll`]), or the
//!   child and those started after it ([`Strategy::RestForOne`]);
//! - each child's [`Restart`] type: always ([`Restart::Permanent`]), only after
//!   a failure ([`Restart::Transient`]), never ([`Restart::Temporary`]);
//! - its restart intensity: more than `max_restarts` restarts within `period`
//!   and the supervisor gives up: it stops its children (newest first) and
//!   fails to its own parent ([`StopReason::Escalated`]). A top-level
//!   supervisor reports it to its [`System`] ([`System::wait_escalation`]).
//! - an optional [`Backoff`] between restarts.
//!
//! A child's handle stays valid across restarts: the new instance takes
//! messages from the same mailbox, so messages queued while the child was down
//! are handled by the new instance. Only the message being handled when the
//! child failed is lost; if it was an ask, its caller gets an error.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//! use actor_core::supervisor::{Restart, Strategy, Supervisor};
//!
//! #[actor]
//! #[derive(Default)]
//! struct Cache { hits: u64 }
//!
//! #[actor]
//! impl Cache {
//!     #[message]
//!     fn hit(&mut self) -> u64 { self.hits += 1; self.hits }
//!     #[message]
//!     fn crash(&mut self) { panic!("corrupt entry") }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! # std::panic::set_hook(Box::new(|_| {}));
//! let system = System::new();
//! let tree = Supervisor::new(Strategy::OneForOne).intensity(3, Duration::from_secs(5));
//! let cache: CacheHandle = tree.child(Cache::default).restart(Restart::Permanent).spawn()?;
//! let tree = system.spawn_supervisor(tree);
//!
//! assert_eq!(cache.hit().await?, 1);
//! assert_eq!(cache.crash().await, Err(AskError::Panicked));
//! // Same handle, new instance (fresh state from the factory):
//! assert_eq!(cache.hit().await?, 1);
//!
//! system.shutdown().await;
//! assert!(!tree.is_alive());
//! # Ok(())
//! # }
//! ```
//!
//! # Where this differs from OTP
//!
//! - A child is stopped by its supervisor with [`StopReason::Shutdown`] after
//!   the message in hand (OTP's `shutdown` exit); if it has not stopped within
//!   its shutdown timeout it is killed: the message in hand is abandoned at its
//!   next `.await` and `on_stop` does not run (OTP's `brutal_kill`). Code that
//!   blocks a thread without awaiting cannot be killed; tokio cannot preempt it.
//! - Stopping a child does not drop its mailbox: if it is restarted, queued
//!   messages are kept. Only a child that stops for good drops them (asks
//!   resolve to [`AskError::NoReply`](crate::AskError::NoReply)).
//! - A child that fails in its factory or `on_start` is treated like one that
//!   fails later (restarted per its type, counted against the intensity); OTP
//!   instead fails the supervisor's start.
//! - Backoff between restarts is not part of OTP (it is Akka's); none by default.

use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::Poll;
use std::time::Duration;

use rustc_hash::FxHashMap;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::Instrument;

use crate::actor::{Actor, PanicError, StopReason};
use crate::cell::{ActorCell, ActorId, Live, Signal};
use crate::error::SpawnError;
use crate::handle::{ActorHandle, ActorRef};
use crate::mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind, MailboxReceiver};
use crate::system::System;
use crate::task::{Exit, Parent};

/// The default restart intensity: more than 3 restarts within 5 seconds and a
/// supervisor gives up.
pub const DEFAULT_INTENSITY: (u32, Duration) = (3, Duration::from_secs(5));

/// The default time a child gets to stop before it is killed.
pub const DEFAULT_CHILD_SHUTDOWN: Duration = Duration::from_secs(5);

/// Which children a supervisor restarts when one of them stops and must be restarted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Only the child that stopped.
    OneForOne,
    /// Every child: the others are stopped (newest first), then all are
    /// started again in start order.
    OneForAll,
    /// The child that stopped and every child started after it; earlier
    /// children keep running untouched.
    RestForOne,
}

/// When a child is restarted after it stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Restart {
    /// Always, whatever the reason.
    #[default]
    Permanent,
    /// Only after a failure (a panic, [`Context::fail`](crate::Context::fail),
    /// a kill), never after a normal stop or a shutdown.
    Transient,
    /// Never, not even when the strategy restarts its siblings: it is removed
    /// once it stops.
    Temporary,
}

impl Restart {
    fn restarts_after(self, reason: &StopReason) -> bool {
        match self {
            Restart::Permanent => true,
            Restart::Transient => reason.is_failure(),
            Restart::Temporary => false,
        }
    }
}

/// Delays between restarts: exponential from `min` to `max`, with jitter, and
/// reset once a child has gone `reset_after` without restarting (Akka's
/// restart-with-backoff).
///
/// The n-th consecutive restart of a child waits `min * 2^n` capped at `max`,
/// plus a random extra of up to `jitter` times that (so restarts of many
/// children spread out instead of arriving together).
///
/// ```
/// use std::time::Duration;
/// use actor_core::supervisor::Backoff;
///
/// let backoff = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1))
///     .jitter(0.2)
///     .reset_after(Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    reset_after: Option<Duration>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::none()
    }
}

impl Backoff {
    /// No delay: restart at once (OTP's behaviour, the default).
    pub fn none() -> Self {
        Backoff {
            min: Duration::ZERO,
            max: Duration::ZERO,
            jitter: 0.0,
            reset_after: None,
        }
    }

    /// Exponential delays from `min` doubling up to `max` (`max` is raised to `min` if lower).
    pub fn exponential(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max: max.max(min),
            jitter: 0.0,
            reset_after: None,
        }
    }

    /// Adds a random extra of up to `fraction` of each delay (clamped to `0.0..=1.0`).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Starts again from `min` once a child has gone this long without a
    /// restart. Defaults to `max`.
    pub fn reset_after(mut self, quiet: Duration) -> Self {
        self.reset_after = Some(quiet);
        self
    }

    fn is_none(&self) -> bool {
        self.max.is_zero()
    }

    fn quiet_period(&self) -> Duration {
        self.reset_after.unwrap_or(self.max)
    }

    /// The delay before restart number `attempt` (0-based) of a child.
    fn delay(&self, attempt: u32, rng: &mut fastrand::Rng) -> Duration {
        if self.is_none() {
            return Duration::ZERO;
        }
        let factor = 2u32.checked_pow(attempt.min(31)).unwrap_or(u32::MAX);
        let base = self
            .min
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max);
        base + base.mul_f64(self.jitter * rng.f64())
    }
}

/// What a supervisor decides about a child that stopped.
#[derive(Debug)]
enum Decision {
    Restart,
    Stop,
}

/// What a supervisor hears, from its handles and its children.
enum SupMsg {
    Add(PreparedChild),
    Remove(ActorId, oneshot::Sender<bool>),
    Children(oneshot::Sender<Vec<ChildInfo>>),
    Started(ActorId),
    Exited {
        id: ActorId,
        reason: StopReason,
        /// The child stops for good whatever the supervisor decides: a stop
        /// was requested while it was being (re)started.
        forced: bool,
        decide: oneshot::Sender<Decision>,
    },
}

/// The way from a child (an actor or a supervisor) to its supervisor.
struct ChildLink {
    id: ActorId,
    tx: mpsc::UnboundedSender<SupMsg>,
}

impl ChildLink {
    fn started(&self) {
        let _ = self.tx.send(SupMsg::Started(self.id));
    }

    /// Reports an exit and waits for the decision. A supervisor that is gone
    /// means stop; so does `forced` (the supervisor is told, and forgets the child).
    async fn exited(&self, reason: StopReason, forced: bool) -> Decision {
        let (decide, decision) = oneshot::channel();
        if self
            .tx
            .send(SupMsg::Exited {
                id: self.id,
                reason,
                forced,
                decide,
            })
            .is_err()
        {
            return Decision::Stop;
        }
        decision.await.unwrap_or(Decision::Stop)
    }
}

/// The parent side of a supervised actor: builds instances with the factory,
/// reports exits and obeys the decisions.
struct Supervised<A, F> {
    factory: F,
    link: ChildLink,
    system: System,
    _actor: PhantomData<fn() -> A>,
}

impl<A, F> Parent<A> for Supervised<A, F>
where
    A: Actor,
    F: FnMut() -> A + Send + 'static,
{
    async fn next(&mut self, cell: &ActorCell, mut last: Option<Exit>) -> Result<A, StopReason> {
        loop {
            if let Some(Exit { reason, forced }) = last.take() {
                match self.link.exited(reason.clone(), forced).await {
                    Decision::Stop => return Err(reason),
                    Decision::Restart if forced => return Err(reason),
                    Decision::Restart => {}
                }
            }
            // A stop requested while the supervisor decided wins over the restart.
            if let Some(sig) = cell.pending_signal().filter(|sig| sig.closes()) {
                last = Some(Exit {
                    reason: sig.reason(),
                    forced: true,
                });
                continue;
            }
            let instance = match catch_unwind(AssertUnwindSafe(&mut self.factory)) {
                Ok(instance) => instance,
                Err(payload) => {
                    let panic = PanicError::from_payload(payload, "factory");
                    self.system.counters(A::NAME).panicked();
                    tracing::error!(actor = A::NAME, id = %self.link.id, %panic, "child factory panicked");
                    last = Some(Exit {
                        reason: StopReason::Panicked(panic),
                        forced: false,
                    });
                    continue;
                }
            };
            // ... and so does one requested while the factory ran.
            match cell.reopen() {
                Ok(()) => return Ok(instance),
                Err(sig) => {
                    let reason = match catch_unwind(AssertUnwindSafe(|| drop(instance))) {
                        Ok(()) => sig.reason(),
                        Err(payload) => {
                            self.system.counters(A::NAME).panicked();
                            StopReason::Panicked(PanicError::from_payload(payload, "drop"))
                        }
                    };
                    last = Some(Exit {
                        reason,
                        forced: true,
                    });
                }
            }
        }
    }

    fn started(&mut self) {
        self.link.started();
    }
}

/// A child whose mailbox and handle exist but whose task has not started.
/// Dropped unstarted (its supervisor stopped first), it marks the child
/// stopped, so its handle does not wait forever.
struct PreparedChild {
    id: ActorId,
    name: &'static str,
    actor: Arc<dyn Live>,
    restart: Restart,
    shutdown: Option<Duration>,
    start: Option<StartChild>,
}

/// Starts a prepared child's task, linked to its supervisor.
type StartChild = Box<dyn FnOnce(ChildLink, &System) + Send>;

impl Drop for PreparedChild {
    fn drop(&mut self) {
        if self.start.is_some() && !self.actor.cell().has_ended() {
            self.actor.cell().finish(StopReason::Shutdown);
        }
    }
}

/// What [`SupervisorRef::children`] reports about one child.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChildInfo {
    /// The child's id, stable across restarts.
    pub id: ActorId,
    /// The actor type's name (`"Supervisor"` for a nested supervisor).
    pub name: &'static str,
    /// Its restart type.
    pub restart: Restart,
    /// How many times it has been restarted.
    pub restarts: u64,
    /// `true` while an instance runs; `false` while it waits to be restarted.
    pub running: bool,
}

/// Shared by a supervisor's builder, its handles and its task.
struct Shared {
    cell: Arc<ActorCell>,
    tx: mpsc::UnboundedSender<SupMsg>,
    rx: Mutex<Option<mpsc::UnboundedReceiver<SupMsg>>>,
    /// Set when the supervisor starts: children's default mailbox capacity.
    system: OnceLock<System>,
}

impl Shared {
    fn new() -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Shared {
            cell: Arc::new(ActorCell::new()),
            tx,
            rx: Mutex::new(Some(rx)),
            system: OnceLock::new(),
        })
    }

    fn add(&self, child: PreparedChild) -> Result<(), SpawnError> {
        if !self.cell.accepts() {
            return Err(SpawnError::SupervisorStopped);
        }
        // If the supervisor stops before it takes the child, dropping the
        // unstarted child marks it stopped.
        self.tx
            .send(SupMsg::Add(child))
            .map_err(|_| SpawnError::SupervisorStopped)
    }

    fn default_capacity(&self) -> usize {
        self.system
            .get()
            .map_or(DEFAULT_MAILBOX_CAPACITY, System::default_mailbox_capacity)
    }
}

/// The settings of a supervisor.
#[derive(Debug, Clone)]
struct Config {
    strategy: Strategy,
    max_restarts: u32,
    period: Duration,
    backoff: Backoff,
    child_shutdown: Duration,
}

/// A supervisor being set up: choose its settings, add children, then start it
/// with [`System::spawn_supervisor`] (or nest it with [`Supervisor::supervisor`]).
///
/// Children added before the supervisor starts are started, in the order they
/// were added, when it starts; messages sent to them meanwhile are queued.
pub struct Supervisor {
    shared: Arc<Shared>,
    config: Config,
    alias: Option<Arc<dyn Live>>,
}

impl fmt::Debug for Supervisor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Supervisor")
            .field("id", &self.shared.cell.id())
            .field("config", &self.config)
            .finish()
    }
}

impl Supervisor {
    /// A supervisor with `strategy`, the default intensity ([`DEFAULT_INTENSITY`])
    /// and no backoff.
    pub fn new(strategy: Strategy) -> Self {
        Supervisor {
            shared: Shared::new(),
            config: Config {
                strategy,
                max_restarts: DEFAULT_INTENSITY.0,
                period: DEFAULT_INTENSITY.1,
                backoff: Backoff::none(),
                child_shutdown: DEFAULT_CHILD_SHUTDOWN,
            },
            alias: None,
        }
    }

    /// Gives the supervisor a second cell that stands for it (a pool's
    /// routing handle): stopping that stops the supervisor, and it stops
    /// when the supervisor does.
    pub(crate) fn with_alias(mut self, alias: Arc<dyn Live>) -> Self {
        self.alias = Some(alias);
        self
    }

    /// Gives up after more than `max_restarts` restarts within `period`.
    /// `intensity(0, _)` gives up at the first restart.
    #[must_use]
    pub fn intensity(mut self, max_restarts: u32, period: Duration) -> Self {
        self.config.max_restarts = max_restarts;
        self.config.period = period;
        self
    }

    /// Waits between restarts as `backoff` says.
    #[must_use]
    pub fn backoff(mut self, backoff: Backoff) -> Self {
        self.config.backoff = backoff;
        self
    }

    /// The default time each child gets to stop before it is killed
    /// ([`DEFAULT_CHILD_SHUTDOWN`] unless set); a child can override it.
    #[must_use]
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.child_shutdown = timeout;
        self
    }

    /// This supervisor's id.
    pub fn id(&self) -> ActorId {
        self.shared.cell.id()
    }

    /// Adds a child actor built by `factory`, now and at every restart.
    pub fn child<A, F>(&self, factory: F) -> ChildBuilder<'_, A, F>
    where
        A: Actor,
        F: FnMut() -> A + Send + 'static,
    {
        ChildBuilder::new(&self.shared, factory)
    }

    /// Adds a nested supervisor as a child. When it gives up, this supervisor
    /// treats that as a failure of the child; restarting it restarts its whole
    /// subtree (with the same handles).
    pub fn supervisor(&self, child: Supervisor) -> SupervisorChildBuilder<'_> {
        SupervisorChildBuilder::new(&self.shared, child)
    }
}

/// A running supervisor. Cheap to clone.
#[derive(Clone)]
pub struct SupervisorRef {
    shared: Arc<Shared>,
}

impl fmt::Debug for SupervisorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorRef")
            .field("id", &self.id())
            .field("alive", &self.is_alive())
            .finish()
    }
}

impl SupervisorRef {
    /// The supervisor's id.
    pub fn id(&self) -> ActorId {
        self.shared.cell.id()
    }

    /// `false` once the supervisor has stopped for good.
    pub fn is_alive(&self) -> bool {
        self.shared.cell.is_alive()
    }

    /// Stops the supervisor: its children are stopped newest first (each
    /// within its shutdown timeout, or killed), then the supervisor stops.
    /// Returns at once; await [`SupervisorRef::wait_stopped`].
    pub fn stop(&self) {
        self.shared.cell.signal(Signal::StopNormal);
    }

    /// Stops the supervisor by force: its children are killed (OTP's
    /// `brutal_kill`), then the supervisor stops with [`StopReason::Killed`].
    pub fn kill(&self) {
        self.shared.cell.kill();
    }

    /// Waits until the supervisor has stopped for good and returns why:
    /// [`StopReason::Escalated`] if it gave up after too many restarts.
    pub async fn wait_stopped(&self) -> StopReason {
        self.shared.cell.wait_stopped().await
    }

    /// Why the supervisor stopped, or `None` while it runs.
    pub fn stop_reason(&self) -> Option<StopReason> {
        self.shared.cell.stop_reason()
    }

    /// Adds a child actor to the running supervisor; it starts after the
    /// children already there.
    pub fn child<A, F>(&self, factory: F) -> ChildBuilder<'_, A, F>
    where
        A: Actor,
        F: FnMut() -> A + Send + 'static,
    {
        ChildBuilder::new(&self.shared, factory)
    }

    /// Adds a nested supervisor to the running supervisor.
    pub fn supervisor(&self, child: Supervisor) -> SupervisorChildBuilder<'_> {
        SupervisorChildBuilder::new(&self.shared, child)
    }

    /// Stops the child `id` (within its shutdown timeout) and forgets it: it
    /// is not restarted, and its handles report it stopped. `false` if the
    /// supervisor has no such child.
    pub async fn remove_child(&self, id: ActorId) -> bool {
        let (ack, done) = oneshot::channel();
        if self.shared.tx.send(SupMsg::Remove(id, ack)).is_err() {
            return false;
        }
        done.await.unwrap_or(false)
    }

    /// The children, in start order. Empty once the supervisor has stopped.
    pub async fn children(&self) -> Vec<ChildInfo> {
        let (ack, done) = oneshot::channel();
        if self.shared.tx.send(SupMsg::Children(ack)).is_err() {
            return Vec::new();
        }
        done.await.unwrap_or_default()
    }
}

/// Options of a child actor being added: see [`Supervisor::child`].
#[must_use = "a child is added only by `spawn()`"]
pub struct ChildBuilder<'s, A, F> {
    shared: &'s Shared,
    factory: F,
    restart: Restart,
    shutdown: Option<Duration>,
    mailbox: MailboxKind,
    _actor: PhantomData<fn() -> A>,
}

impl<A, F> fmt::Debug for ChildBuilder<'_, A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildBuilder")
            .field("restart", &self.restart)
            .field("shutdown", &self.shutdown)
            .field("mailbox", &self.mailbox)
            .finish_non_exhaustive()
    }
}

impl<'s, A, F> ChildBuilder<'s, A, F>
where
    A: Actor,
    F: FnMut() -> A + Send + 'static,
{
    fn new(shared: &'s Shared, factory: F) -> Self {
        ChildBuilder {
            shared,
            factory,
            restart: Restart::Permanent,
            shutdown: None,
            mailbox: A::MAILBOX,
            _actor: PhantomData,
        }
    }

    /// When to restart the child ([`Restart::Permanent`] by default).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// How long the child gets to stop before it is killed (the supervisor's
    /// default unless set).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown = Some(timeout);
        self
    }

    /// Overrides the actor type's mailbox. A default mailbox of a child added
    /// before its supervisor starts has [`DEFAULT_MAILBOX_CAPACITY`].
    pub fn mailbox(mut self, kind: MailboxKind) -> Self {
        self.mailbox = kind;
        self
    }

    /// Adds the child and returns its handle at once; the child starts when
    /// the supervisor gets to it. Fails if the supervisor has stopped.
    pub fn spawn(self) -> Result<A::Handle, SpawnError> {
        let (actor_ref, rx) =
            System::prepare_detached::<A>(self.mailbox, self.shared.default_capacity());
        let actor = actor_ref.live();
        let handle = A::Handle::from_ref(actor_ref.clone());
        let factory = self.factory;
        let start = move |link: ChildLink, system: &System| {
            start_supervised(system, actor_ref, rx, factory, link);
        };
        self.shared.add(PreparedChild {
            id: actor.cell().id(),
            name: A::NAME,
            actor,
            restart: self.restart,
            shutdown: self.shutdown,
            start: Some(Box::new(start)),
        })?;
        Ok(handle)
    }
}

fn start_supervised<A, F>(
    system: &System,
    actor_ref: ActorRef<A>,
    rx: MailboxReceiver<A::Message>,
    factory: F,
    link: ChildLink,
) where
    A: Actor,
    F: FnMut() -> A + Send + 'static,
{
    let parent = Supervised {
        factory,
        link,
        system: system.clone(),
        _actor: PhantomData,
    };
    system.start(actor_ref, rx, None, parent, false);
}

/// Options of a nested supervisor being added: see [`Supervisor::supervisor`].
#[must_use = "a child is added only by `spawn()`"]
pub struct SupervisorChildBuilder<'s> {
    shared: &'s Shared,
    child: Supervisor,
    restart: Restart,
    shutdown: Option<Duration>,
}

impl fmt::Debug for SupervisorChildBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SupervisorChildBuilder")
            .field("child", &self.child)
            .field("restart", &self.restart)
            .finish_non_exhaustive()
    }
}

impl<'s> SupervisorChildBuilder<'s> {
    fn new(shared: &'s Shared, child: Supervisor) -> Self {
        SupervisorChildBuilder {
            shared,
            child,
            restart: Restart::Permanent,
            shutdown: None,
        }
    }

    /// When to restart the nested supervisor ([`Restart::Permanent`] by default).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// How long the nested supervisor gets to stop its subtree before it is killed.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown = Some(timeout);
        self
    }

    /// Adds the nested supervisor and returns its handle.
    pub fn spawn(self) -> Result<SupervisorRef, SpawnError> {
        let child_ref = SupervisorRef {
            shared: self.child.shared.clone(),
        };
        let child = self.child;
        let actor: Arc<dyn Live> = child.shared.cell.clone();
        let start = move |link: ChildLink, system: &System| {
            spawn_supervisor_task(system, child, Some(link), false);
        };
        self.shared.add(PreparedChild {
            id: actor.cell().id(),
            name: "Supervisor",
            actor,
            restart: self.restart,
            shutdown: self.shutdown,
            start: Some(Box::new(start)),
        })?;
        Ok(child_ref)
    }
}

/// Starts a top-level supervisor (for [`System::spawn_supervisor`]).
pub(crate) fn spawn_top_level(system: &System, sup: Supervisor) -> SupervisorRef {
    spawn_supervisor_task(system, sup, None, true)
}

/// Starts a supervisor's task. `track`: stop it at system shutdown (top level).
fn spawn_supervisor_task(
    system: &System,
    sup: Supervisor,
    parent: Option<ChildLink>,
    track: bool,
) -> SupervisorRef {
    let shared = sup.shared.clone();
    let _ = shared.system.set(system.clone());
    let handle = SupervisorRef {
        shared: shared.clone(),
    };
    let rx = shared.rx.lock().unwrap_or_else(|e| e.into_inner()).take();
    let Some(rx) = rx else {
        return handle; // already started
    };
    if !system.register_live(shared.cell.clone(), track) {
        // The system is shutting down: the supervisor never starts; dropping
        // the queued children marks them stopped.
        drop(rx);
        shared.cell.finish(StopReason::Shutdown);
        return handle;
    }
    let task = SupervisorTask {
        cell: shared.cell.clone(),
        alias: sup.alias,
        tx: shared.tx.clone(),
        rx,
        config: sup.config,
        system: system.clone(),
        children: Children::default(),
        backlog: VecDeque::new(),
        restarts: VecDeque::new(),
        stop: None,
        parent,
        rng: fastrand::Rng::new(),
    };
    let span = tracing::info_span!("supervisor", id = %shared.cell.id());
    tokio::spawn(task.run().instrument(span));
    handle
}

#[derive(Debug)]
enum ChildState {
    /// Started or restarted, not yet through its start hook.
    Starting,
    Running,
    /// Stopped, waiting for this supervisor's decision.
    Parked(oneshot::Sender<Decision>),
}

struct Child {
    id: ActorId,
    name: &'static str,
    actor: Arc<dyn Live>,
    restart: Restart,
    shutdown: Duration,
    state: ChildState,
    restarts: u64,
    backoff_attempt: u32,
    last_restart: Option<Instant>,
}

/// The signal a supervisor stopping for `sig` gives its children: when it is
/// itself stopped to be restarted, they will be restarted with it.
fn children_signal(sig: Signal) -> Signal {
    if sig == Signal::Restart {
        Signal::Restart
    } else {
        Signal::StopShutdown
    }
}

/// Something a supervisor waited for.
enum Event {
    Msg(SupMsg),
    /// A stop request on the supervisor itself (stronger than any seen before).
    Stop(Signal),
    Timeout,
}

/// What happened while waiting for one child.
enum Awaited {
    Started,
    Exited {
        reason: StopReason,
        forced: bool,
        decide: oneshot::Sender<Decision>,
    },
    TimedOut,
    /// A stop request on the supervisor cut the wait short.
    Stopping,
}

struct SupervisorTask {
    cell: Arc<ActorCell>,
    /// A pool's routing handle has a cell of its own that stands for this
    /// supervisor: stop requests on it count, and it stops with it.
    alias: Option<Arc<dyn Live>>,
    tx: mpsc::UnboundedSender<SupMsg>,
    rx: mpsc::UnboundedReceiver<SupMsg>,
    config: Config,
    system: System,
    /// In start order.
    children: Children,
    /// Messages put aside while waiting for a particular child.
    backlog: VecDeque<SupMsg>,
    /// When recent restarts happened, for the intensity.
    restarts: VecDeque<Instant>,
    /// The strongest stop request received.
    stop: Option<Signal>,
    parent: Option<ChildLink>,
    rng: fastrand::Rng,
}

impl SupervisorTask {
    async fn run(mut self) {
        self.start_queued().await;
        if let Some(parent) = &self.parent {
            parent.started();
        }
        let reason = 'life: loop {
            let reason = self.supervise().await;
            let Some(parent) = &self.parent else {
                break reason;
            };
            // The request it stopped for is used up; one that comes while
            // its own supervisor decides stops it for good.
            self.cell.consume_signal(self.stop);
            let mut forced = false;
            loop {
                match parent.exited(reason.clone(), forced).await {
                    Decision::Restart if !forced => {}
                    Decision::Stop | Decision::Restart => break 'life reason,
                }
                if self.cell.reopen().is_ok() {
                    break;
                }
                forced = true;
            }
            // A restarted supervisor starts its subtree afresh.
            self.restarts.clear();
            self.stop = None;
            self.restart_all().await;
            if let Some(parent) = &self.parent {
                parent.started();
            }
        };
        self.finish(reason).await;
    }

    /// Starts the children added before the supervisor started, in order.
    async fn start_queued(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                SupMsg::Add(child) => self.start_child(child).await,
                other => self.backlog.push_back(other),
            }
        }
    }

    /// Handles messages until asked to stop or until the intensity is exceeded;
    /// every child is stopped (parked) when it returns.
    async fn supervise(&mut self) -> StopReason {
        loop {
            if let Some(sig) = self.stop {
                self.terminate_all(children_signal(sig)).await;
                return sig.reason();
            }
            match self.recv(None).await {
                Event::Stop(sig) => self.stop = Some(sig),
                Event::Timeout => {}
                Event::Msg(msg) => {
                    if let Some(escalated) = self.handle(msg).await {
                        return escalated;
                    }
                }
            }
        }
    }

    async fn handle(&mut self, msg: SupMsg) -> Option<StopReason> {
        match msg {
            SupMsg::Add(child) => {
                if self.stop.is_none() {
                    self.start_child(child).await;
                }
            }
            SupMsg::Remove(id, ack) => {
                let found = self.children.get(id).is_some();
                if found {
                    self.terminate(id, Signal::StopShutdown).await;
                    self.forget(id);
                }
                let _ = ack.send(found);
            }
            SupMsg::Children(ack) => {
                let info = self.children.iter().map(Child::info).collect();
                let _ = ack.send(info);
            }
            SupMsg::Started(id) => self.mark_running(id),
            SupMsg::Exited {
                id,
                reason,
                forced,
                decide,
            } => {
                return self.child_exited(id, reason, forced, decide).await;
            }
        }
        None
    }

    fn mark_running(&mut self, id: ActorId) {
        if let Some(child) = self.children.get_mut(id)
            && matches!(child.state, ChildState::Starting)
        {
            child.state = ChildState::Running;
        }
    }

    /// Starts a new child and waits until it runs (or fails to start, which
    /// is then handled like any exit).
    async fn start_child(&mut self, mut prepared: PreparedChild) {
        let Some(start) = prepared.start.take() else {
            return;
        };
        let link = ChildLink {
            id: prepared.id,
            tx: self.tx.clone(),
        };
        let shutdown = prepared.shutdown.unwrap_or(self.config.child_shutdown);
        prepared.actor.cell().set_stop_timeout(shutdown);
        self.children.push(Child {
            id: prepared.id,
            name: prepared.name,
            actor: prepared.actor.clone(),
            restart: prepared.restart,
            shutdown,
            state: ChildState::Starting,
            restarts: 0,
            backoff_attempt: 0,
            last_restart: None,
        });
        start(link, &self.system);
        self.await_start(prepared.id).await;
    }

    /// Waits for a starting child to run; an exit during start is put back to
    /// be handled in turn.
    async fn await_start(&mut self, id: ActorId) {
        match self.await_child(id, None, true).await {
            Awaited::Started => self.mark_running(id),
            Awaited::Exited {
                reason,
                forced,
                decide,
            } => {
                self.backlog.push_back(SupMsg::Exited {
                    id,
                    reason,
                    forced,
                    decide,
                });
            }
            Awaited::TimedOut | Awaited::Stopping => {}
        }
    }

    /// A child stopped by itself. Returns the escalation if the intensity is exceeded.
    async fn child_exited(
        &mut self,
        id: ActorId,
        reason: StopReason,
        forced: bool,
        decide: oneshot::Sender<Decision>,
    ) -> Option<StopReason> {
        let Some(child) = self.children.get_mut(id) else {
            let _ = decide.send(Decision::Stop);
            return None;
        };
        child.state = ChildState::Parked(decide);
        let (name, restart) = (child.name, child.restart);
        if forced || !restart.restarts_after(&reason) {
            tracing::debug!(child = name, id = %id, %reason, ?restart, "child stopped; not restarted");
            self.forget(id);
            return None;
        }
        if self.note_restart() {
            tracing::error!(
                child = name,
                id = %id,
                %reason,
                max_restarts = self.config.max_restarts,
                period = ?self.config.period,
                "restart intensity exceeded; supervisor gives up"
            );
            self.terminate_all(Signal::StopShutdown).await;
            return Some(StopReason::Escalated(Arc::new(reason)));
        }
        tracing::warn!(child = name, id = %id, %reason, strategy = ?self.config.strategy, "child stopped; restarting");

        let targets: Vec<ActorId> = match self.config.strategy {
            Strategy::OneForOne => vec![id],
            Strategy::OneForAll => self.children.iter().map(|c| c.id).collect(),
            Strategy::RestForOne => self.children.ids_from(id),
        };
        // Stop the others, newest first; temporary ones are not coming back.
        for &other in targets.iter().rev().filter(|&&t| t != id) {
            self.terminate(other, Signal::Restart).await;
            if self
                .children
                .get(other)
                .is_some_and(|c| c.restart == Restart::Temporary)
            {
                self.forget(other);
            }
        }
        let delay = self.backoff_delay(id);
        if !delay.is_zero() && self.pause(delay).await.is_err() {
            return None; // asked to stop meanwhile: every target is parked
        }
        for target in targets {
            if self.stop.is_some() {
                break;
            }
            self.restart(target).await;
        }
        None
    }

    /// Records a restart; `true` if that makes more than the intensity allows.
    fn note_restart(&mut self) -> bool {
        let now = Instant::now();
        self.restarts.push_back(now);
        while let Some(&first) = self.restarts.front() {
            if now.duration_since(first) > self.config.period {
                self.restarts.pop_front();
            } else {
                break;
            }
        }
        self.restarts.len() > self.config.max_restarts as usize
    }

    fn backoff_delay(&mut self, id: ActorId) -> Duration {
        let backoff = &self.config.backoff;
        if backoff.is_none() {
            return Duration::ZERO;
        }
        let Some(child) = self.children.get_mut(id) else {
            return Duration::ZERO;
        };
        if child
            .last_restart
            .is_some_and(|t| t.elapsed() > backoff.quiet_period())
        {
            child.backoff_attempt = 0;
        }
        let delay = backoff.delay(child.backoff_attempt, &mut self.rng);
        child.backoff_attempt = child.backoff_attempt.saturating_add(1);
        delay
    }

    /// Restarts a parked child and waits until it runs.
    async fn restart(&mut self, id: ActorId) {
        let Some(child) = self.children.get_mut(id) else {
            return;
        };
        let ChildState::Parked(decide) = std::mem::replace(&mut child.state, ChildState::Starting)
        else {
            return;
        };
        child.restarts += 1;
        child.last_restart = Some(Instant::now());
        if decide.send(Decision::Restart).is_err() {
            self.children.remove(id);
            return;
        }
        self.await_start(id).await;
    }

    /// Restarts every parked child in start order (a restarted supervisor).
    async fn restart_all(&mut self) {
        let temporary: Vec<ActorId> = self
            .children
            .iter()
            .filter(|c| c.restart == Restart::Temporary)
            .map(|c| c.id)
            .collect();
        for id in temporary {
            self.forget(id);
        }
        let ids: Vec<ActorId> = self.children.iter().map(|c| c.id).collect();
        for id in ids {
            if self.stop.is_some() {
                break;
            }
            self.restart(id).await;
        }
    }

    /// Stops every running child with `sig`, newest first; they stay parked.
    async fn terminate_all(&mut self, sig: Signal) {
        let ids: Vec<ActorId> = self.children.iter().rev().map(|c| c.id).collect();
        for id in ids {
            self.terminate(id, sig).await;
        }
    }

    /// Stops a running child with `sig` (a supervisor's stop, or
    /// [`Signal::Restart`] when a new instance follows) and waits until it is
    /// parked; kills it if it takes longer than its shutdown timeout. A child
    /// that does not stop even then (blocked in code that never awaits) is
    /// given up on, so this always returns.
    async fn terminate(&mut self, id: ActorId, sig: Signal) {
        let Some(child) = self.children.get(id) else {
            return;
        };
        if matches!(child.state, ChildState::Parked(_)) {
            return;
        }
        let actor = child.actor.clone();
        let cell = actor.cell();
        let (name, shutdown) = (child.name, child.shutdown);
        let mut killed = self.stop.is_some_and(Signal::is_hard);
        if killed {
            cell.kill();
        } else {
            cell.signal(sig);
        }
        let mut deadline = Instant::now() + shutdown;
        loop {
            match self.await_child(id, Some(deadline), !killed).await {
                Awaited::Exited { forced, decide, .. } => {
                    if let Some(child) = self.children.get_mut(id) {
                        child.state = ChildState::Parked(decide);
                    }
                    if forced {
                        self.forget(id);
                    }
                    return;
                }
                Awaited::Started => {}
                Awaited::TimedOut if killed => {
                    self.abandon(id);
                    return;
                }
                Awaited::TimedOut => {
                    tracing::warn!(child = name, id = %id, "child did not stop within its shutdown timeout; killing it");
                    cell.abort();
                    killed = true;
                    deadline = Instant::now() + shutdown;
                }
                Awaited::Stopping => {
                    if !killed && self.stop.is_some_and(Signal::is_hard) {
                        cell.kill();
                        killed = true;
                        deadline = Instant::now() + shutdown;
                    }
                }
            }
        }
    }

    /// Gives up on a child that was killed and still has not stopped (its
    /// task is blocked): it is forgotten, and reported.
    fn abandon(&mut self, id: ActorId) {
        if let Some(child) = self.children.remove(id) {
            tracing::error!(child = child.name, id = %id, "child did not stop after being killed (blocked without awaiting?); abandoned");
        }
    }

    /// Tells a parked child to stop for good and forgets it.
    fn forget(&mut self, id: ActorId) {
        let Some(child) = self.children.remove(id) else {
            return;
        };
        if let ChildState::Parked(decide) = child.state {
            let _ = decide.send(Decision::Stop);
        }
    }

    /// Waits `delay` (a backoff); `Err` if a stop request cuts it short.
    async fn pause(&mut self, delay: Duration) -> Result<(), ()> {
        let deadline = Instant::now() + delay;
        loop {
            match self.recv_raw(Some(deadline)).await {
                Event::Timeout => return Ok(()),
                Event::Stop(sig) => {
                    self.stop = Some(sig);
                    return Err(());
                }
                Event::Msg(msg) => self.backlog.push_back(msg),
            }
        }
    }

    /// Waits for `id` to start or exit. Messages about others are put aside.
    async fn await_child(
        &mut self,
        id: ActorId,
        until: Option<Instant>,
        interruptible: bool,
    ) -> Awaited {
        let about = |msg: &SupMsg| match msg {
            SupMsg::Started(c) => *c == id,
            SupMsg::Exited { id: c, .. } => *c == id,
            _ => false,
        };
        let found = self
            .backlog
            .iter()
            .position(about)
            .and_then(|p| self.backlog.remove(p));
        let mut next = found.map(Event::Msg);
        loop {
            let event = match next.take() {
                Some(event) => event,
                None => self.recv_raw(until).await,
            };
            match event {
                Event::Timeout => return Awaited::TimedOut,
                Event::Stop(sig) => {
                    self.stop = Some(sig);
                    if interruptible {
                        return Awaited::Stopping;
                    }
                }
                Event::Msg(SupMsg::Started(c)) if c == id => return Awaited::Started,
                Event::Msg(SupMsg::Exited {
                    id: c,
                    reason,
                    forced,
                    decide,
                }) if c == id => {
                    return Awaited::Exited {
                        reason,
                        forced,
                        decide,
                    };
                }
                Event::Msg(other) => self.backlog.push_back(other),
            }
        }
    }

    /// The next event: put-aside messages first.
    async fn recv(&mut self, until: Option<Instant>) -> Event {
        match self.backlog.pop_front() {
            Some(msg) => Event::Msg(msg),
            None => self.recv_raw(until).await,
        }
    }

    /// The next new event: a stronger stop request, a message, or the deadline.
    async fn recv_raw(&mut self, until: Option<Instant>) -> Event {
        let seen = self.stop;
        let cell = &self.cell;
        let alias = self.alias.as_deref();
        let stop = poll_fn(|cx| {
            let own = cell.register_for_signal(cx);
            let aliased = alias.and_then(|a| a.cell().register_for_signal(cx));
            match own.max(aliased) {
                Some(sig) if Some(sig) > seen => Poll::Ready(sig),
                _ => Poll::Pending,
            }
        });
        let deadline = async {
            match until {
                Some(t) => tokio::time::sleep_until(t).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            sig = stop => Event::Stop(sig),
            msg = self.rx.recv() => match msg {
                Some(msg) => Event::Msg(msg),
                // Unreachable: the task holds a sender. Treat as a stop.
                None => Event::Stop(Signal::StopShutdown),
            },
            () = deadline => Event::Timeout,
        }
    }

    /// Stops every child for good, newest first, waits for them, and marks
    /// the supervisor stopped.
    async fn finish(mut self, reason: StopReason) {
        // From here on a child reporting an exit is told to stop (its send
        // fails); what is already queued is answered the same way, and
        // unstarted children are marked stopped when dropped.
        self.rx.close();
        let leftovers: Vec<SupMsg> = self.backlog.drain(..).collect();
        for msg in leftovers
            .into_iter()
            .chain(std::iter::from_fn(|| self.rx.try_recv().ok()))
        {
            match msg {
                SupMsg::Exited { decide, .. } => {
                    let _ = decide.send(Decision::Stop);
                }
                SupMsg::Remove(_, ack) => {
                    let _ = ack.send(false);
                }
                SupMsg::Add(_) | SupMsg::Children(_) | SupMsg::Started(_) => {}
            }
        }
        let children: Vec<Child> = self.children.drain().into_iter().rev().collect();
        for child in children {
            let cell = child.actor.cell();
            match child.state {
                ChildState::Parked(decide) => {
                    let _ = decide.send(Decision::Stop);
                }
                ChildState::Starting | ChildState::Running => cell.abort(),
            }
            // Bounded: a child blocked in code that never awaits is given up on.
            let stopped = tokio::time::timeout(child.shutdown, cell.wait_stopped()).await;
            if stopped.is_err() {
                cell.abort();
                if tokio::time::timeout(child.shutdown, cell.wait_stopped())
                    .await
                    .is_err()
                {
                    tracing::error!(child = child.name, id = %child.id, "child did not stop after being killed (blocked without awaiting?); abandoned");
                }
            }
        }
        self.system.forget(self.cell.id());
        if let Some(alias) = &self.alias {
            alias.cell().finish(reason.clone());
        }
        self.cell.finish(reason.clone());
        // Told once the supervisor has stopped: whoever waits for the
        // escalation finds the tree down.
        if self.parent.is_none()
            && let StopReason::Escalated(_) = &reason
        {
            tracing::error!(id = %self.cell.id(), %reason, "top-level supervisor gave up");
            self.system.report_escalation(Escalation {
                supervisor: self.cell.id(),
                reason,
            });
        }
    }
}

/// A supervisor's children in start order, found by id in constant time
/// (a pool or a worker manager may have many thousands).
#[derive(Default)]
struct Children {
    /// In start order; a removed child leaves a hole until the next compaction.
    slots: Vec<Option<Child>>,
    /// Where each child is in `slots`.
    at: FxHashMap<ActorId, usize>,
    holes: usize,
}

impl Children {
    fn push(&mut self, child: Child) {
        self.at.insert(child.id, self.slots.len());
        self.slots.push(Some(child));
    }

    fn get(&self, id: ActorId) -> Option<&Child> {
        self.at.get(&id).and_then(|&i| self.slots[i].as_ref())
    }

    fn get_mut(&mut self, id: ActorId) -> Option<&mut Child> {
        self.at.get(&id).and_then(|&i| self.slots[i].as_mut())
    }

    fn remove(&mut self, id: ActorId) -> Option<Child> {
        let i = self.at.remove(&id)?;
        let child = self.slots[i].take();
        self.holes += 1;
        if self.holes > 32 && self.holes * 2 > self.slots.len() {
            self.slots.retain(Option::is_some);
            self.holes = 0;
            for (i, child) in self.slots.iter().flatten().enumerate() {
                self.at.insert(child.id, i);
            }
        }
        child
    }

    /// In start order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = &Child> {
        self.slots.iter().flatten()
    }

    /// `id` and the children started after it, in start order.
    fn ids_from(&self, id: ActorId) -> Vec<ActorId> {
        let from = self.at.get(&id).copied().unwrap_or(self.slots.len());
        self.slots[from..].iter().flatten().map(|c| c.id).collect()
    }

    /// All children, in start order, leaving none.
    fn drain(&mut self) -> Vec<Child> {
        self.at.clear();
        self.holes = 0;
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}

impl Child {
    fn info(&self) -> ChildInfo {
        ChildInfo {
            id: self.id,
            name: self.name,
            restart: self.restart,
            restarts: self.restarts,
            running: matches!(self.state, ChildState::Running),
        }
    }
}

/// A top-level supervisor's failure, as the system learns it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Escalation {
    /// The supervisor that gave up.
    pub supervisor: ActorId,
    /// Why: [`StopReason::Escalated`], carrying the last child failure.
    pub reason: StopReason,
}
