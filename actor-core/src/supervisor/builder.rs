//! Setting up supervisors and their children, and the handle of a running one.

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tracing::Instrument;

use super::backoff::Backoff;
use super::child::{ChildInfo, ChildLink, Children, PreparedChild, SupMsg, Supervised};
use super::strategy::{DEFAULT_CHILD_SHUTDOWN, DEFAULT_INTENSITY, Restart, Strategy};
use super::supervising::SupervisorTask;
use crate::actor::{Actor, StopReason};
use crate::cell::{ActorCell, ActorId, Live, Signal};
use crate::error::SpawnError;
use crate::handle::{ActorHandle, ActorRef};
use crate::mailbox::{DEFAULT_MAILBOX_CAPACITY, MailboxKind, MailboxReceiver};
use crate::system::System;

/// Shared by a supervisor's builder, its handles and its task.
pub(super) struct Shared {
    pub(super) cell: Arc<ActorCell>,
    pub(super) tx: mpsc::UnboundedSender<SupMsg>,
    pub(super) rx: Mutex<Option<mpsc::UnboundedReceiver<SupMsg>>>,
    /// Set when the supervisor starts: children's default mailbox capacity.
    pub(super) system: OnceLock<System>,
}

impl Shared {
    pub(super) fn new() -> Arc<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        Arc::new(Shared {
            cell: Arc::new(ActorCell::new()),
            tx,
            rx: Mutex::new(Some(rx)),
            system: OnceLock::new(),
        })
    }

    pub(super) fn add(&self, child: PreparedChild) -> Result<(), SpawnError> {
        if !self.cell.accepts() {
            return Err(SpawnError::SupervisorStopped);
        }
        // If the supervisor stops before it takes the child, dropping the
        // unstarted child marks it stopped.
        self.tx
            .send(SupMsg::Add(child))
            .map_err(|_| SpawnError::SupervisorStopped)
    }

    pub(super) fn default_capacity(&self) -> usize {
        self.system
            .get()
            .map_or(DEFAULT_MAILBOX_CAPACITY, System::default_mailbox_capacity)
    }
}

/// The settings of a supervisor.
#[derive(Debug, Clone)]
pub(super) struct Config {
    pub(super) strategy: Strategy,
    pub(super) max_restarts: u32,
    pub(super) period: Duration,
    pub(super) backoff: Backoff,
    pub(super) child_shutdown: Duration,
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
    pub(super) fn new(shared: &'s Shared, factory: F) -> Self {
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

pub(super) fn start_supervised<A, F>(
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
    pub(super) fn new(shared: &'s Shared, child: Supervisor) -> Self {
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
pub(super) fn spawn_supervisor_task(
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
