//! A child as its supervisor keeps it, and the link from a child's task back
//! to its supervisor: exits reported, decisions obeyed.

use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Duration;

use rustc_hash::FxHashMap;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::strategy::Restart;
use crate::actor::{Actor, PanicError, StopReason};
use crate::cell::{ActorCell, ActorId, Live};
use crate::system::System;
use crate::task::{Exit, Parent};

/// What a supervisor decides about a child that stopped.
#[derive(Debug)]
pub(super) enum Decision {
    Restart,
    Stop,
}

/// What a supervisor hears, from its handles and its children.
pub(super) enum SupMsg {
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
pub(super) struct ChildLink {
    pub(super) id: ActorId,
    pub(super) tx: mpsc::UnboundedSender<SupMsg>,
}

impl ChildLink {
    pub(super) fn started(&self) {
        let _ = self.tx.send(SupMsg::Started(self.id));
    }

    /// Reports an exit and waits for the decision. A supervisor that is gone
    /// means stop; so does `forced` (the supervisor is told, and forgets the child).
    pub(super) async fn exited(&self, reason: StopReason, forced: bool) -> Decision {
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
pub(super) struct Supervised<A, F> {
    pub(super) factory: F,
    pub(super) link: ChildLink,
    pub(super) system: System,
    pub(super) _actor: PhantomData<fn() -> A>,
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
pub(super) struct PreparedChild {
    pub(super) id: ActorId,
    pub(super) name: &'static str,
    pub(super) actor: Arc<dyn Live>,
    pub(super) restart: Restart,
    pub(super) shutdown: Option<Duration>,
    pub(super) start: Option<StartChild>,
}

/// Starts a prepared child's task, linked to its supervisor.
pub(super) type StartChild = Box<dyn FnOnce(ChildLink, &System) + Send>;

impl Drop for PreparedChild {
    fn drop(&mut self) {
        if self.start.is_some() && !self.actor.cell().has_ended() {
            self.actor.cell().finish(StopReason::Shutdown);
        }
    }
}

/// What [`SupervisorRef::children`](super::SupervisorRef::children) reports about one child.
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

#[derive(Debug)]
pub(super) enum ChildState {
    /// Started or restarted, not yet through its start hook.
    Starting,
    Running,
    /// Stopped, waiting for this supervisor's decision.
    Parked(oneshot::Sender<Decision>),
}

pub(super) struct Child {
    pub(super) id: ActorId,
    pub(super) name: &'static str,
    pub(super) actor: Arc<dyn Live>,
    pub(super) restart: Restart,
    pub(super) shutdown: Duration,
    pub(super) state: ChildState,
    pub(super) restarts: u64,
    pub(super) backoff_attempt: u32,
    pub(super) last_restart: Option<Instant>,
}

/// A supervisor's children in start order, found by id in constant time
/// (a pool or a worker manager may have many thousands).
#[derive(Default)]
pub(super) struct Children {
    /// In start order; a removed child leaves a hole until the next compaction.
    pub(super) slots: Vec<Option<Child>>,
    /// Where each child is in `slots`.
    pub(super) at: FxHashMap<ActorId, usize>,
    pub(super) holes: usize,
}

impl Children {
    pub(super) fn push(&mut self, child: Child) {
        self.at.insert(child.id, self.slots.len());
        self.slots.push(Some(child));
    }

    pub(super) fn get(&self, id: ActorId) -> Option<&Child> {
        self.at.get(&id).and_then(|&i| self.slots[i].as_ref())
    }

    pub(super) fn get_mut(&mut self, id: ActorId) -> Option<&mut Child> {
        self.at.get(&id).and_then(|&i| self.slots[i].as_mut())
    }

    pub(super) fn remove(&mut self, id: ActorId) -> Option<Child> {
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
    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = &Child> {
        self.slots.iter().flatten()
    }

    /// `id` and the children started after it, in start order.
    pub(super) fn ids_from(&self, id: ActorId) -> Vec<ActorId> {
        let from = self.at.get(&id).copied().unwrap_or(self.slots.len());
        self.slots[from..].iter().flatten().map(|c| c.id).collect()
    }

    /// All children, in start order, leaving none.
    pub(super) fn drain(&mut self) -> Vec<Child> {
        self.at.clear();
        self.holes = 0;
        std::mem::take(&mut self.slots)
            .into_iter()
            .flatten()
            .collect()
    }
}

impl Child {
    pub(super) fn info(&self) -> ChildInfo {
        ChildInfo {
            id: self.id,
            name: self.name,
            restart: self.restart,
            restarts: self.restarts,
            running: matches!(self.state, ChildState::Running),
        }
    }
}
