//! Monitors and links, as in Erlang/OTP: [`Context::watch`] and
//! [`Context::link`].
//!
//! - **Watch** (a monitor, one way): when the watched actor stops for good,
//!   the watcher's `#[on_down]` hook runs with the actor's id and its
//!   [`StopReason`], in mailbox order with the watcher's other messages. A
//!   supervised restart is not a stop for good: the handle still works, and
//!   no notice is sent. Watching an actor that has already stopped sends the
//!   notice at once (OTP's `noproc`).
//! - **Link** (both ways): when either actor stops for good *abnormally*
//!   ([`StopReason::is_failure`]: a panic, a failure, a kill, an escalation,
//!   a linked death), the other stops too, with [`StopReason::LinkDied`]
//!   naming who died and why, unless it declares `#[on_link_died]`, which is
//!   then called instead (OTP's `trap_exit`). A normal stop does not travel.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Worker;
//! #[actor]
//! impl Worker {
//!     #[message]
//!     fn crash(&mut self) { panic!("worker crashed") }
//! }
//!
//! #[actor]
//! #[derive(Default)]
//! struct Manager { downs: Vec<String> }
//! #[actor]
//! impl Manager {
//!     #[message]
//!     fn watch(&mut self, worker: WorkerHandle, ctx: &mut Context<Self>) {
//!         ctx.watch(&worker);
//!     }
//!     #[on_down]
//!     fn worker_down(&mut self, id: ActorId, reason: StopReason) {
//!         self.downs.push(format!("{id}: {reason}"));
//!     }
//!     #[message]
//!     fn downs(&self) -> Vec<String> { self.downs.clone() }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! # std::panic::set_hook(Box::new(|_| {}));
//! let system = System::new();
//! let manager = system.spawn(Manager::default());
//! let worker = system.spawn(Worker);
//! manager.watch(worker.clone()).await.unwrap();
//! let _ = worker.crash().await;
//! worker.wait_stopped().await;
//! let downs = manager.downs().await.unwrap();
//! assert_eq!(downs.len(), 1);
//! assert!(downs[0].contains("worker crashed"));
//! # }
//! ```
//!
//! Where this departs from OTP: an actor is its handle, not one process, so a
//! supervised actor that is restarted has not "died" for its watchers and
//! links; only its stop for good counts. Monitors and links last for the
//! actor's whole life (across its restarts) until `unwatch` / `unlink`.
//! Watching or linking yourself does nothing.

use std::sync::Arc;

use crate::actor::{Actor, StopReason};
use crate::cell::{ActorId, HookKey, Live};
use crate::context::Context;
use crate::error::TrySendError;
use crate::handle::{ActorHandle, ActorRef, WeakRef};

/// A notice from the runtime, delivered into an actor's mailbox as a message.
#[doc(hidden)]
#[derive(Debug)]
pub enum Notice {
    /// A watched actor stopped for good.
    Down {
        /// The actor.
        id: ActorId,
        /// Why.
        reason: StopReason,
    },
    /// A linked actor stopped abnormally, and this actor traps link deaths.
    LinkDied {
        /// The actor.
        id: ActorId,
        /// Why.
        reason: Arc<StopReason>,
    },
}

/// Runs the hook a notice is for. Generated dispatch calls it.
#[doc(hidden)]
pub async fn handle_notice<A: Actor>(actor: &mut A, notice: Notice, ctx: &mut Context<A>) {
    match notice {
        Notice::Down { id, reason } => {
            ctx.forget_watch(id);
            actor.on_down(ctx, id, reason).await;
        }
        Notice::LinkDied { id, reason } => {
            ctx.forget_link(id);
            actor.on_link_died(ctx, id, (*reason).clone()).await;
        }
    }
}

/// A watch or a link this actor holds, to take back.
pub(crate) struct Tie {
    id: ActorId,
    kind: TieKind,
    hold: Hold,
}

/// What a tie holds on to.
enum Hold {
    /// Hooks on the cells of local actors.
    Local {
        other: Arc<dyn Live>,
        /// The hook on the other actor's cell.
        on_other: Option<HookKey>,
        /// The hook on this actor's own cell (links only).
        on_me: Option<HookKey>,
    },
    /// The task that waits for a remote actor's end.
    Task(tokio::task::AbortHandle),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TieKind {
    Watch,
    Link,
}

impl Tie {
    /// A watch of the actor `id` held by `task`, which delivers its notice.
    #[cfg_attr(not(feature = "remote"), allow(dead_code))]
    pub(crate) fn watch_task(id: ActorId, task: tokio::task::AbortHandle) -> Tie {
        Tie {
            id,
            kind: TieKind::Watch,
            hold: Hold::Task(task),
        }
    }

    /// Takes back the hooks of this tie (`me` is this actor's cell).
    fn undo(self, me: &dyn Live) {
        match self.hold {
            Hold::Local {
                other,
                on_other,
                on_me,
            } => {
                if let Some(key) = on_other {
                    other.cell().remove_hook(key);
                }
                if let Some(key) = on_me {
                    me.cell().remove_hook(key);
                }
            }
            Hold::Task(task) => task.abort(),
        }
    }

    /// This actor stopped for good: takes back what it left on others.
    fn release(self) {
        match self.hold {
            Hold::Local {
                other,
                on_other: Some(key),
                ..
            } => other.cell().remove_hook(key),
            Hold::Local { .. } => {}
            Hold::Task(task) => task.abort(),
        }
    }
}

/// What [`Context::watch`] watches: the handle of a local actor (any
/// [`ActorHandle`]), or, with the feature `remote`, the handle of an actor on
/// another node (a generated `FooRemote`, or a `remote::RemoteRef`).
pub trait Watchable {
    /// Makes the actor of `ctx` watch this one.
    #[doc(hidden)]
    fn watch_from<A: Actor>(&self, ctx: &mut Context<A>);
}

impl<H: ActorHandle> Watchable for H {
    fn watch_from<A: Actor>(&self, ctx: &mut Context<A>) {
        ctx.watch_local(self.actor_ref());
    }
}

impl<A: Actor> Context<A> {
    /// Watches `other` (a handle of any actor type): when it stops for good,
    /// this actor's `#[on_down]` hook runs with its id and stop reason, in
    /// mailbox order. At once if it has already stopped. Watching an actor
    /// twice sends two notices. See the [module docs](crate::monitor).
    ///
    /// With the feature `remote`, `other` may be the handle of an actor on
    /// another node: the hook then gets the handle's `id()` and
    /// `StopReason::Remote`, when the actor stops on its node or its node
    /// goes down (as `System::watch_remote` tells).
    pub fn watch<W: Watchable>(&mut self, other: &W) {
        other.watch_from(self);
    }

    /// Makes this actor's `#[on_down]` hook run with `id` and the reason
    /// `down` resolves to. The watch is held by a task, taken back by
    /// `unwatch` and when this actor stops.
    #[cfg_attr(not(feature = "remote"), allow(dead_code))]
    pub(crate) fn watch_future<F>(&mut self, id: ActorId, down: F)
    where
        F: std::future::Future<Output = StopReason> + Send + 'static,
    {
        let me = self.actor_ref().downgrade();
        let task = tokio::spawn(async move {
            let reason = down.await;
            deliver(&me, Notice::Down { id, reason });
        });
        self.ties().push(Tie::watch_task(id, task.abort_handle()));
    }

    fn watch_local<B: Actor>(&mut self, other: &ActorRef<B>) {
        if other.id() == self.id() {
            return;
        }
        let me = self.actor_ref().downgrade();
        let id = other.id();
        let hook = other.cell().on_stopped(Box::new(move |reason| {
            deliver(
                &me,
                Notice::Down {
                    id,
                    reason: reason.clone(),
                },
            );
        }));
        if hook.is_some() {
            self.ties().push(Tie {
                id,
                kind: TieKind::Watch,
                hold: Hold::Local {
                    other: other.live(),
                    on_other: hook,
                    on_me: None,
                },
            });
        }
    }

    /// Stops watching the actor `id` (every watch of it). A notice already
    /// queued is still delivered.
    pub fn unwatch(&mut self, id: ActorId) {
        self.untie(id, TieKind::Watch);
    }

    /// Links this actor and `other` (a handle of any actor type): when either
    /// stops for good abnormally, the other stops with
    /// [`StopReason::LinkDied`], or, if it declares `#[on_link_died]`, has
    /// that hook called instead. A normal stop does not travel. Linking an
    /// actor that has already stopped abnormally acts at once. See the
    /// [module docs](crate::monitor).
    pub fn link<H: ActorHandle>(&mut self, other: &H) {
        let other = other.actor_ref();
        let me = self.actor_ref();
        if other.id() == me.id() {
            return;
        }
        let (my_id, other_id) = (me.id(), other.id());
        let towards_me = me.downgrade();
        let on_other = other.cell().on_stopped(Box::new(move |reason| {
            link_died(&towards_me, other_id, reason);
        }));
        let towards_other = other.downgrade();
        let on_me = me.cell().on_stopped(Box::new(move |reason| {
            link_died(&towards_other, my_id, reason);
        }));
        self.ties().push(Tie {
            id: other_id,
            kind: TieKind::Link,
            hold: Hold::Local {
                other: other.live(),
                on_other,
                on_me,
            },
        });
    }

    /// Removes the link with the actor `id`, both ways.
    pub fn unlink(&mut self, id: ActorId) {
        self.untie(id, TieKind::Link);
    }

    fn untie(&mut self, id: ActorId, kind: TieKind) {
        let me = self.actor_ref().live();
        let ties = self.ties();
        let mut i = 0;
        while i < ties.len() {
            if ties[i].id == id && ties[i].kind == kind {
                ties.swap_remove(i).undo(&*me);
            } else {
                i += 1;
            }
        }
    }

    /// A watch of `id` fired: its hook is gone, forget it.
    pub(crate) fn forget_watch(&mut self, id: ActorId) {
        self.forget_tie(id, TieKind::Watch);
    }

    /// A link with `id` fired: forget it (and its hook on this actor).
    pub(crate) fn forget_link(&mut self, id: ActorId) {
        self.untie(id, TieKind::Link);
    }

    fn forget_tie(&mut self, id: ActorId, kind: TieKind) {
        let ties = self.ties();
        if let Some(i) = ties.iter().position(|t| t.id == id && t.kind == kind) {
            ties.swap_remove(i);
        }
    }

    /// This actor has stopped for good: take back the hooks it left on
    /// others (its own cell's hooks have run).
    pub(crate) fn release_ties(&mut self) {
        for tie in self.take_ties() {
            tie.release();
        }
    }
}

/// `target`'s linked actor `from` stopped with `reason`: a failure stops
/// `target`, or is a notice to it if it traps link deaths.
fn link_died<B: Actor>(target: &WeakRef<B>, from: ActorId, reason: &StopReason) {
    if !reason.is_failure() {
        return;
    }
    let reason = Arc::new(reason.clone());
    if B::TRAPS_LINK_DEATHS {
        deliver(target, Notice::LinkDied { id: from, reason });
    } else if let Some(target) = target.upgrade_ref() {
        target
            .cell()
            .stop_with(StopReason::LinkDied { id: from, reason });
    }
}

/// Queues `notice` in `target`'s mailbox, waiting for room if it is full (on
/// a task of its own: hooks run where an actor stops, which must not wait).
fn deliver<B: Actor>(target: &WeakRef<B>, notice: Notice) {
    let Some(target) = target.upgrade_ref() else {
        return; // gone: nobody to tell
    };
    let Some(msg) = B::notice(notice) else {
        return;
    };
    match target.try_send(msg) {
        Ok(()) | Err((_, TrySendError::Stopped)) => {}
        Err((msg, TrySendError::Full)) => {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = ActorRef::send(&target, msg).await;
                });
            }
        }
    }
}
