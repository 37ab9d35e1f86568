//! The supervisor's task: starts children, hears their exits, decides,
//! restarts or gives up, and stops its children when it stops.

use std::collections::VecDeque;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::builder::Config;
use super::child::{Child, ChildLink, ChildState, Children, Decision, PreparedChild, SupMsg};
use super::strategy::{Restart, Strategy};
use crate::actor::StopReason;
use crate::cell::{ActorCell, ActorId, Live, Signal};
use crate::system::System;

/// The signal a supervisor stopping for `sig` gives its children: when it is
/// itself stopped to be restarted, they will be restarted with it.
pub(super) fn children_signal(sig: Signal) -> Signal {
    if sig == Signal::Restart {
        Signal::Restart
    } else {
        Signal::StopShutdown
    }
}

/// Something a supervisor waited for.
pub(super) enum Event {
    Msg(SupMsg),
    /// A stop request on the supervisor itself (stronger than any seen before).
    Stop(Signal),
    Timeout,
}

/// What happened while waiting for one child.
pub(super) enum Awaited {
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

pub(super) struct SupervisorTask {
    pub(super) cell: Arc<ActorCell>,
    /// A pool's routing handle has a cell of its own that stands for this
    /// supervisor: stop requests on it count, and it stops with it.
    pub(super) alias: Option<Arc<dyn Live>>,
    pub(super) tx: mpsc::UnboundedSender<SupMsg>,
    pub(super) rx: mpsc::UnboundedReceiver<SupMsg>,
    pub(super) config: Config,
    pub(super) system: System,
    /// In start order.
    pub(super) children: Children,
    /// Messages put aside while waiting for a particular child.
    pub(super) backlog: VecDeque<SupMsg>,
    /// When recent restarts happened, for the intensity.
    pub(super) restarts: VecDeque<Instant>,
    /// The strongest stop request received.
    pub(super) stop: Option<Signal>,
    pub(super) parent: Option<ChildLink>,
    pub(super) rng: fastrand::Rng,
}

impl SupervisorTask {
    pub(super) async fn run(mut self) {
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
    pub(super) async fn start_queued(&mut self) {
        while let Ok(msg) = self.rx.try_recv() {
            match msg {
                SupMsg::Add(child) => self.start_child(child).await,
                other => self.backlog.push_back(other),
            }
        }
    }

    /// Handles messages until asked to stop or until the intensity is exceeded;
    /// every child is stopped (parked) when it returns.
    pub(super) async fn supervise(&mut self) -> StopReason {
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

    pub(super) async fn handle(&mut self, msg: SupMsg) -> Option<StopReason> {
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

    pub(super) fn mark_running(&mut self, id: ActorId) {
        if let Some(child) = self.children.get_mut(id)
            && matches!(child.state, ChildState::Starting)
        {
            child.state = ChildState::Running;
        }
    }

    /// Starts a new child and waits until it runs (or fails to start, which
    /// is then handled like any exit).
    pub(super) async fn start_child(&mut self, mut prepared: PreparedChild) {
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
    pub(super) async fn await_start(&mut self, id: ActorId) {
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
    pub(super) async fn child_exited(
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
    pub(super) fn note_restart(&mut self) -> bool {
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

    pub(super) fn backoff_delay(&mut self, id: ActorId) -> Duration {
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
    pub(super) async fn restart(&mut self, id: ActorId) {
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
    pub(super) async fn restart_all(&mut self) {
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
    pub(super) async fn terminate_all(&mut self, sig: Signal) {
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
    pub(super) async fn terminate(&mut self, id: ActorId, sig: Signal) {
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
    pub(super) fn abandon(&mut self, id: ActorId) {
        if let Some(child) = self.children.remove(id) {
            tracing::error!(child = child.name, id = %id, "child did not stop after being killed (blocked without awaiting?); abandoned");
        }
    }

    /// Tells a parked child to stop for good and forgets it.
    pub(super) fn forget(&mut self, id: ActorId) {
        let Some(child) = self.children.remove(id) else {
            return;
        };
        if let ChildState::Parked(decide) = child.state {
            let _ = decide.send(Decision::Stop);
        }
    }

    /// Waits `delay` (a backoff); `Err` if a stop request cuts it short.
    pub(super) async fn pause(&mut self, delay: Duration) -> Result<(), ()> {
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
    pub(super) async fn await_child(
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
    pub(super) async fn recv(&mut self, until: Option<Instant>) -> Event {
        match self.backlog.pop_front() {
            Some(msg) => Event::Msg(msg),
            None => self.recv_raw(until).await,
        }
    }

    /// The next new event: a stronger stop request, a message, or the deadline.
    pub(super) async fn recv_raw(&mut self, until: Option<Instant>) -> Event {
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
    pub(super) async fn finish(mut self, reason: StopReason) {
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
        self.system.forget(&self.cell);
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

/// A top-level supervisor's failure, as the system learns it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Escalation {
    /// The supervisor that gave up.
    pub supervisor: ActorId,
    /// Why: [`StopReason::Escalated`], carrying the last child failure.
    pub reason: StopReason,
}
