//! [`System`]: where actors are spawned and, at the end, shut down.
//!
//! A system is a cheap, clonable reference. It remembers the actors it spawned
//! (in spawn order) so that [`System::shutdown`] can stop them newest first,
//! each with a bounded time to drain its mailbox, then abort what is left.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Greeter;
//!
//! #[actor]
//! impl Greeter {
//!     #[message]
//!     fn greet(&self, name: String) -> String { format!("hello, {name}") }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let greeter = system.spawn(Greeter);
//! assert_eq!(greeter.greet("ada".into()).await?, "hello, ada");
//! system.shutdown().await;
//! assert!(!greeter.is_alive());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tracing::Instrument;

use crate::actor::{Actor, StopReason};
use crate::actors::Actors;
use crate::cell::{ActorCell, Live, Signal};
use crate::context::Context;
use crate::cpu::CpuPool;
use crate::error::SpawnError;
use crate::events::{DEFAULT_EVENT_CAPACITY, EventBuses, Events};
use crate::handle::{ActorHandle, ActorRef};
use crate::io::Io;
use crate::mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind, MailboxReceiver, mailbox};
use crate::metrics::{self, Metrics};
use crate::registry::{Registry, RegistryError};
use crate::supervisor::{Escalation, Supervisor, SupervisorRef, spawn_top_level};
use crate::task::{self, Parent, TaskState, Unsupervised};

/// How long [`System::shutdown`] gives each actor to drain its mailbox and stop
/// before aborting it, unless the builder says otherwise.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// An actor system. See the [module docs](self).
///
/// Must be used from within a tokio runtime: actors are tokio tasks spawned on
/// the ambient runtime (`tokio::spawn`).
#[derive(Clone)]
pub struct System {
    inner: Arc<SystemInner>,
}

struct SystemInner {
    default_mailbox: usize,
    shutdown_timeout: Duration,
    shutting_down: AtomicBool,
    /// Set once [`System::shutdown`] has finished.
    shut_down: tokio::sync::watch::Sender<bool>,
    /// Failures of top-level supervisors, oldest first.
    escalations: tokio::sync::watch::Sender<Vec<Escalation>>,
    /// Every live actor and supervisor.
    actors: Actors,
    /// Counters per actor type.
    metrics: metrics::Registry,
    /// The rayon pool for CPU-bound work; its threads start on first use.
    cpu: CpuPool,
    /// The tokio runtime for IO: the one given to the builder, else the one
    /// the system was built in, else the one `io()` is first called from.
    io: OnceLock<Io>,
    /// Event buses, one per event type.
    events: EventBuses,
    /// Names of registered actors.
    registry: Registry,
    /// The cluster this node belongs to (feature `remote`).
    #[cfg(feature = "remote")]
    cluster: Option<crate::remote::Cluster>,
}

impl fmt::Debug for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("System")
            .field("actors", &self.inner.actors.len())
            .field("shutting_down", &self.is_shutting_down())
            .finish_non_exhaustive()
    }
}

impl Default for System {
    fn default() -> Self {
        System::new()
    }
}

impl System {
    /// A system with the default settings: bounded mailboxes of
    /// [`DEFAULT_MAILBOX_CAPACITY`], a shutdown timeout of
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`] per actor, a CPU pool of one thread per
    /// CPU, event buses of [`DEFAULT_EVENT_CAPACITY`], and IO on the ambient
    /// tokio runtime.
    pub fn new() -> Self {
        System::builder().build()
    }

    /// A builder to choose the system's settings.
    pub fn builder() -> SystemBuilder {
        SystemBuilder {
            default_mailbox: DEFAULT_MAILBOX_CAPACITY,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            cpu_threads: None,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            io_runtime: None,
            #[cfg(feature = "remote")]
            cluster: None,
        }
    }

    /// Spawns `actor` on its own tokio task and returns its handle.
    ///
    /// If the system is shutting down, the actor is not started: the handle
    /// reports it stopped ([`StopReason::Shutdown`]) and every message to it
    /// fails with `Stopped`. Use [`System::try_spawn`] to get an error instead.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime (an actor is a tokio task), with a message
    /// that points at the caller.
    #[track_caller]
    pub fn spawn<A: Actor>(&self, actor: A) -> A::Handle {
        self.spawn_with(actor, A::MAILBOX, Unsupervised, true)
    }

    /// Spawns `actor`, or fails with [`SpawnError::ShuttingDown`].
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`System::spawn`].
    #[track_caller]
    pub fn try_spawn<A: Actor>(&self, actor: A) -> Result<A::Handle, SpawnError> {
        if self.is_shutting_down() {
            return Err(SpawnError::ShuttingDown);
        }
        Ok(self.spawn(actor))
    }

    /// Spawns an actor with an explicit mailbox and parent. `track`: stop it
    /// at system shutdown (false for supervised children).
    #[track_caller]
    pub(crate) fn spawn_with<A: Actor, P: Parent<A>>(
        &self,
        actor: A,
        kind: MailboxKind,
        parent: P,
        track: bool,
    ) -> A::Handle {
        let runtime = runtime("spawn an actor");
        let (tx, rx) = mailbox(kind, self.inner.default_mailbox);
        let cell = ActorCell::with_stop_timeout(self.inner.shutdown_timeout);
        let actor_ref = ActorRef::new(cell, tx);
        self.start_on(
            Some(&runtime),
            actor_ref.clone(),
            rx,
            Some(actor),
            parent,
            track,
        );
        A::Handle::from_ref(actor_ref)
    }

    /// Makes the mailbox and cell of an actor that has not started yet.
    pub(crate) fn prepare_detached<A: Actor>(
        kind: MailboxKind,
        default_capacity: usize,
    ) -> (ActorRef<A>, MailboxReceiver<A::Message>) {
        let (tx, rx) = mailbox(kind, default_capacity);
        (ActorRef::new(ActorCell::new(), tx), rx)
    }

    /// Starts the task of a prepared actor. Without a `first` instance the
    /// parent provides it.
    pub(crate) fn start<A: Actor, P: Parent<A>>(
        &self,
        actor_ref: ActorRef<A>,
        rx: MailboxReceiver<A::Message>,
        first: Option<A>,
        parent: P,
        track: bool,
    ) {
        self.start_on(None, actor_ref, rx, first, parent, track);
    }

    /// [`System::start`] on `runtime`, if the caller has it at hand (else on
    /// the ambient one).
    fn start_on<A: Actor, P: Parent<A>>(
        &self,
        runtime: Option<&tokio::runtime::Handle>,
        actor_ref: ActorRef<A>,
        rx: MailboxReceiver<A::Message>,
        first: Option<A>,
        parent: P,
        track: bool,
    ) {
        let id = actor_ref.id();
        let st = TaskState::new(rx, Context::new(actor_ref.clone(), self.clone()));
        if !self.register_live(actor_ref.live(), track) {
            // Shutting down: never started.
            return st.finish(StopReason::Shutdown);
        }
        let task = task::run(first, st, parent);
        // The actor's span only when someone listens: an idle actor's task
        // then carries no span, and its polls enter none.
        if tracing::level_enabled!(tracing::Level::INFO) {
            let span = tracing::info_span!("actor", actor = A::NAME, id = %id);
            let task = task.instrument(span);
            match runtime {
                Some(runtime) => drop(runtime.spawn(task)),
                None => drop(tokio::spawn(task)),
            }
        } else {
            match runtime {
                Some(runtime) => drop(runtime.spawn(task)),
                None => drop(tokio::spawn(task)),
            }
        }
    }

    /// Records a live actor or supervisor (`track`: to stop at shutdown);
    /// `false` if a tracked one comes while the system shuts down.
    pub(crate) fn register_live(&self, live: Arc<dyn Live>, track: bool) -> bool {
        // Checked under the lock `shutdown` takes to set the flag, so
        // shutdown never misses an actor.
        self.inner
            .actors
            .insert(live, track, || !(track && self.is_shutting_down()))
    }

    /// The counters of the actor type `name`.
    pub(crate) fn counters(&self, name: &'static str) -> Arc<crate::metrics::TypeCounters> {
        self.inner.metrics.counters(name)
    }

    /// A snapshot of the metrics of every actor type: see [`metrics`].
    pub fn metrics(&self) -> Metrics {
        let (mut live, mut retired) = (Vec::new(), Vec::new());
        self.inner.actors.for_each_with_retired(
            |e| {
                let cell = e.live.cell();
                live.push((e.live.name(), cell.handled(), e.live.mailbox_len()));
            },
            |name, stopped, handled| retired.push((name, stopped, handled)),
        );
        self.inner.metrics.snapshot(live, retired)
    }

    /// Starts a supervisor and its children (in the order they were added).
    /// It is stopped, as one unit, at [`System::shutdown`].
    ///
    /// If the system is shutting down, the supervisor and its children are
    /// not started and report themselves stopped.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`System::spawn`].
    #[track_caller]
    pub fn spawn_supervisor(&self, supervisor: Supervisor) -> SupervisorRef {
        require_runtime("spawn a supervisor");
        spawn_top_level(self, supervisor)
    }

    /// The failures of top-level supervisors so far (those that gave up after
    /// too many restarts), oldest first.
    pub fn escalations(&self) -> Vec<Escalation> {
        self.inner.escalations.borrow().clone()
    }

    /// Waits until a top-level supervisor gives up and returns its failure
    /// (the first one, if there were several; at once if there already was one).
    pub fn wait_escalation(&self) -> impl Future<Output = Escalation> + Send + 'static {
        let mut rx = self.inner.escalations.subscribe();
        async move {
            let first = rx
                .wait_for(|e| !e.is_empty())
                .await
                .map(|list| list[0].clone());
            match first {
                Ok(escalation) => escalation,
                // Unreachable: the system owns the sender while anyone can call this.
                Err(_) => std::future::pending().await,
            }
        }
    }

    pub(crate) fn report_escalation(&self, escalation: Escalation) {
        self.inner
            .escalations
            .send_modify(|list| list.push(escalation));
    }

    /// The capacity of bounded mailboxes of actors that do not choose one.
    pub fn default_mailbox_capacity(&self) -> usize {
        self.inner.default_mailbox
    }

    /// `true` once [`System::shutdown`] has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.inner.shutting_down.load(Ordering::Acquire)
    }

    /// The number of actors and supervisors this system will stop at shutdown
    /// (those spawned with [`System::spawn`], [`Context::spawn`] or
    /// [`System::spawn_supervisor`] and still alive; supervised children are
    /// their supervisor's to stop).
    pub fn actor_count(&self) -> usize {
        let mut tracked = 0;
        self.inner
            .actors
            .for_each(|e| tracked += usize::from(e.track));
        tracked
    }

    /// The time each actor gets to stop at shutdown before it is aborted.
    pub fn shutdown_timeout(&self) -> Duration {
        self.inner.shutdown_timeout
    }

    /// Stops every actor and supervisor the system started, and returns when
    /// all have stopped. Each one handles the messages already in its mailbox
    /// (new ones fail with `Stopped` at once), runs `on_stop`, and stops with
    /// [`StopReason::Shutdown`]; a supervisor stops its children newest first.
    /// Later spawns are refused.
    ///
    /// Everything stops at once, under one deadline: the shutdown timeout.
    /// Whatever has not stopped by then is aborted ([`StopReason::Aborted`]:
    /// the message in hand is dropped at its next `.await`, no `on_stop`).
    /// Worst case, this returns after about twice the shutdown timeout: one
    /// for everything to stop, one for aborted actors to notice. An actor
    /// blocked in code that never awaits cannot be stopped by anyone (tokio
    /// cannot preempt it); it is reported and given up on.
    ///
    /// Safe to call from anywhere, an actor's own handler included, and more
    /// than once: the work runs on a task of its own, and every caller
    /// returns when it is done.
    pub async fn shutdown(&self) {
        let mut done = self.inner.shut_down.subscribe();
        let first = {
            let _actors = self.inner.actors.lock_all();
            // Under the lock: no actor to stop is added once this is set
            // (see `register_live`).
            !self.inner.shutting_down.swap(true, Ordering::AcqRel)
        };
        if first {
            let system = self.clone();
            let work = async move {
                system.stop_everything().await;
                system.inner.shut_down.send_replace(true);
            };
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => drop(runtime.spawn(work)),
                Err(_) => work.await,
            }
        }
        let _ = done.wait_for(|done| *done).await;
    }

    /// Signals every tracked actor to drain and stop, waits for them under one
    /// deadline, then aborts the rest.
    async fn stop_everything(&self) {
        let mut tracked: Vec<Arc<dyn Live>> = Vec::new();
        self.inner.actors.for_each(|e| {
            if e.track {
                tracked.push(e.live.clone());
            }
        });
        for live in &tracked {
            live.cell().signal(Signal::DrainShutdown);
        }
        let timeout = self.inner.shutdown_timeout;
        let all_stopped =
            || futures::future::join_all(tracked.iter().map(|l| l.cell().wait_stopped()));
        if tokio::time::timeout(timeout, all_stopped()).await.is_err() {
            for live in tracked.iter().filter(|l| !l.cell().has_ended()) {
                tracing::warn!(
                    actor = live.name(),
                    id = %live.cell().id(),
                    ?timeout,
                    "actor did not stop within the shutdown timeout; aborting it"
                );
                live.cell().abort();
            }
            if tokio::time::timeout(timeout, all_stopped()).await.is_err() {
                for live in tracked.iter().filter(|l| !l.cell().has_ended()) {
                    tracing::error!(
                        actor = live.name(),
                        id = %live.cell().id(),
                        "actor did not stop after being aborted (blocked without awaiting?); given up on"
                    );
                }
            }
        }
        for live in &tracked {
            self.forget(live.cell());
        }
    }

    /// The cluster given to [`SystemBuilder::cluster`].
    #[cfg(feature = "remote")]
    pub(crate) fn cluster_ref(&self) -> Option<&crate::remote::Cluster> {
        self.inner.cluster.as_ref()
    }

    /// Takes a stopped actor off the system's list.
    pub(crate) fn forget(&self, cell: &ActorCell) {
        self.inner.actors.remove(cell);
    }

    /// Takes an actor of type `name` that stopped for good off the system's
    /// list, and counts it (with the messages it handled) in the metrics.
    pub(crate) fn retire(&self, cell: &ActorCell, name: &'static str) {
        self.inner.actors.retire(cell, name, cell.handled());
    }
}

/// Panics, at the caller of the public function, when there is no tokio
/// runtime to spawn on: tokio's own panic would point inside this crate.
#[track_caller]
pub(crate) fn require_runtime(what: &str) {
    runtime(what);
}

/// The ambient tokio runtime; panics as [`require_runtime`] without one.
#[track_caller]
pub(crate) fn runtime(what: &str) -> tokio::runtime::Handle {
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => runtime,
        Err(_) => panic!(
            "cannot {what} outside a tokio runtime: actors are tokio tasks. Call this \
             from async code running on tokio (`#[tokio::main]`, `#[tokio::test]`), or \
             enter a runtime first with `Runtime::enter()` / `Handle::enter()`"
        ),
    }
}

/// Pools, event buses and the registry; their modules say more:
/// [`cpu`](crate::cpu), [`io`](crate::io), [`events`](crate::events),
/// [`registry`](crate::registry).
impl System {
    /// The pool for CPU-bound work (rayon). See [`cpu`](crate::cpu).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// assert_eq!(system.cpu().spawn(|| 2 + 2).await, Ok(4));
    /// # }
    /// ```
    pub fn cpu(&self) -> &CpuPool {
        &self.inner.cpu
    }

    /// The tokio runtime for IO-bound futures and blocking calls, with a
    /// limiter for bounded fan-out. See [`io`](crate::io).
    ///
    /// It is the runtime given to [`SystemBuilder::io_runtime`], else the one
    /// the system was built in.
    ///
    /// # Panics
    ///
    /// If the system was built outside a tokio runtime, without
    /// [`SystemBuilder::io_runtime`], and this first call also comes from
    /// outside one.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// let task = system.io().spawn(async { 2 + 2 });
    /// assert_eq!(task.await.unwrap(), 4);
    /// # }
    /// ```
    #[track_caller]
    pub fn io(&self) -> &Io {
        self.inner
            .io
            .get_or_init(|| match tokio::runtime::Handle::try_current() {
                Ok(handle) => Io::new(handle),
                Err(_) => panic!(
                    "System::io() called outside a tokio runtime by a system built outside one; \
                 build the system inside the runtime or give it one with SystemBuilder::io_runtime"
                ),
            })
    }

    /// The event bus for events of type `E`, made on first use. See
    /// [`events`](crate::events).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// let mut sub = system.events::<String>().subscribe();
    /// system.events::<String>().publish("deployed".to_owned());
    /// assert_eq!(sub.recv().await.unwrap(), "deployed");
    /// # }
    /// ```
    pub fn events<E: Clone + Send + Sync + 'static>(&self) -> Events<E> {
        self.inner.events.get::<E>()
    }

    /// Registers `handle` under `name` until its actor stops or the name is
    /// [unregistered](System::unregister). See [`registry`](crate::registry).
    ///
    /// Fails with [`RegistryError::NameTaken`] if a live actor holds `name`,
    /// and with [`RegistryError::Stopped`] if the actor has stopped.
    pub fn register<H: ActorHandle>(
        &self,
        name: impl Into<String>,
        handle: &H,
    ) -> Result<(), RegistryError> {
        self.inner.registry.register(name.into(), handle)
    }

    /// The handle registered under `name`, as an `H`.
    ///
    /// Fails with [`RegistryError::NotFound`] if no live actor holds `name`, and
    /// with [`RegistryError::WrongType`] if it holds a different handle type.
    ///
    /// ```
    /// use actor_core::prelude::*;
    ///
    /// #[actor]
    /// struct Db;
    /// #[actor]
    /// impl Db {}
    ///
    /// #[actor]
    /// struct Cache;
    /// #[actor]
    /// impl Cache {}
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = System::new();
    /// system.register("db", &system.spawn(Db)).unwrap();
    /// assert!(system.lookup::<DbHandle>("db").is_ok());
    /// let err = system.lookup::<CacheHandle>("db").unwrap_err();
    /// assert!(matches!(err, RegistryError::WrongType { .. }));
    /// assert!(err.to_string().contains("DbHandle"));
    /// # }
    /// ```
    pub fn lookup<H: ActorHandle>(&self, name: &str) -> Result<H, RegistryError> {
        self.inner.registry.lookup(name)
    }

    /// Frees `name`; the actor goes on running. Fails with
    /// [`RegistryError::NotFound`] if no live actor holds it.
    pub fn unregister(&self, name: &str) -> Result<(), RegistryError> {
        self.inner.registry.unregister(name)
    }

    /// The names held by live actors, sorted.
    pub fn registered_names(&self) -> Vec<String> {
        self.inner.registry.names()
    }
}

/// Builds a [`System`] with chosen settings.
///
/// ```
/// use std::time::Duration;
/// use actor_core::System;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let system = System::builder()
///     .default_mailbox_capacity(64)
///     .shutdown_timeout(Duration::from_secs(1))
///     .cpu_threads(2)
///     .event_capacity(256)
///     .build();
/// assert_eq!(system.cpu().threads(), 2);
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct SystemBuilder {
    default_mailbox: usize,
    shutdown_timeout: Duration,
    cpu_threads: Option<usize>,
    event_capacity: usize,
    io_runtime: Option<tokio::runtime::Handle>,
    #[cfg(feature = "remote")]
    cluster: Option<crate::remote::Cluster>,
}

impl SystemBuilder {
    /// Capacity of bounded mailboxes for actors that do not choose one
    /// (`#[actor]` without `mailbox = ..`). Zero is raised to one.
    pub fn default_mailbox_capacity(mut self, capacity: usize) -> Self {
        self.default_mailbox = capacity.max(1);
        self
    }

    /// How long a stop may take before the actor is aborted: any stop of an
    /// actor spawned by this system (`stop()`, `stop_gracefully()`,
    /// `ctx.stop()`, a linked child when its parent stops), and
    /// [`System::shutdown`] as a whole (one deadline for every actor).
    /// Supervised children have their supervisor's shutdown timeout instead.
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.shutdown_timeout = timeout;
        self
    }

    /// The number of threads of the CPU pool ([`System::cpu`]); default: the
    /// number of CPUs. Zero is raised to one. The threads start on first use.
    pub fn cpu_threads(mut self, threads: usize) -> Self {
        self.cpu_threads = Some(threads.max(1));
        self
    }

    /// How many events each event bus ([`System::events`]) holds for its
    /// slowest subscriber before that one lags; default
    /// [`DEFAULT_EVENT_CAPACITY`]. Rounded up to a power of two; zero is raised
    /// to one.
    pub fn event_capacity(mut self, capacity: usize) -> Self {
        self.event_capacity = capacity.clamp(1, usize::MAX >> 2);
        self
    }

    /// The tokio runtime [`System::io`] spawns on; default: the runtime the
    /// system is built in. Actors themselves run on the runtime they are
    /// spawned from.
    pub fn io_runtime(mut self, handle: tokio::runtime::Handle) -> Self {
        self.io_runtime = Some(handle);
        self
    }

    /// Makes the system a node of `cluster` (feature `remote`): it can then
    /// [expose](System::expose) its actors and reach other nodes'. See
    /// [`remote`](crate::remote).
    #[cfg(feature = "remote")]
    pub fn cluster(mut self, cluster: crate::remote::Cluster) -> Self {
        self.cluster = Some(cluster);
        self
    }

    /// Builds the system.
    pub fn build(self) -> System {
        let io = OnceLock::new();
        if let Some(handle) = self
            .io_runtime
            .or_else(|| tokio::runtime::Handle::try_current().ok())
        {
            let _ = io.set(Io::new(handle));
        }
        System {
            inner: Arc::new(SystemInner {
                default_mailbox: self.default_mailbox,
                shutdown_timeout: self.shutdown_timeout,
                shutting_down: AtomicBool::new(false),
                shut_down: tokio::sync::watch::Sender::new(false),
                escalations: tokio::sync::watch::Sender::new(Vec::new()),
                actors: Actors::new(),
                metrics: metrics::Registry::default(),
                cpu: CpuPool::new(self.cpu_threads),
                io,
                events: EventBuses::new(self.event_capacity),
                registry: Registry::new(),
                #[cfg(feature = "remote")]
                cluster: self.cluster,
            }),
        }
    }
}
