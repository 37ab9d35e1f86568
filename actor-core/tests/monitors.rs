//! Monitors (`ctx.watch`, `#[on_down]`) and links (`ctx.link`,
//! `#[on_link_died]`), after OTP: who is told, when, and what stops.

mod common;

use actor_core::prelude::*;
use common::{Probe, ProbeHandle, hold, quiet_panics};

/// Records what it is told, in order.
#[actor]
#[derive(Default)]
struct Watcher {
    log: Vec<String>,
    downs: Vec<(ActorId, StopReason)>,
}

#[actor]
impl Watcher {
    #[message]
    fn watch(&mut self, ctx: &mut Context<Self>, other: ProbeHandle) {
        ctx.watch(&other);
    }
    #[message]
    fn watch_me(&mut self, ctx: &mut Context<Self>) {
        let me = ctx.handle();
        ctx.watch(&me);
    }
    #[message]
    fn unwatch(&mut self, ctx: &mut Context<Self>, id: ActorId) {
        ctx.unwatch(id);
    }
    #[message]
    fn link(&mut self, ctx: &mut Context<Self>, other: ProbeHandle) {
        ctx.link(&other);
    }
    #[message]
    fn unlink(&mut self, ctx: &mut Context<Self>, id: ActorId) {
        ctx.unlink(id);
    }
    #[message]
    fn note(&mut self, what: String) {
        self.log.push(what);
    }
    #[message]
    fn log(&self) -> Vec<String> {
        self.log.clone()
    }
    #[message]
    fn downs(&self) -> Vec<(ActorId, StopReason)> {
        self.downs.clone()
    }
    #[message]
    async fn hold(
        &mut self,
        entered: tokio::sync::oneshot::Sender<()>,
        release: tokio::sync::oneshot::Receiver<()>,
    ) {
        let _ = entered.send(());
        let _ = release.await;
    }
    #[on_down]
    fn down(&mut self, id: ActorId, reason: StopReason) {
        self.log.push(format!("down {id}"));
        self.downs.push((id, reason));
    }
}

/// Traps link deaths: told, not stopped.
#[actor]
#[derive(Default)]
struct Trapper {
    died: Vec<(ActorId, StopReason)>,
}

#[actor]
impl Trapper {
    #[message]
    fn link(&mut self, ctx: &mut Context<Self>, other: ProbeHandle) {
        ctx.link(&other);
    }
    #[message]
    fn died(&self) -> Vec<(ActorId, StopReason)> {
        self.died.clone()
    }
    #[on_link_died]
    async fn partner_died(&mut self, ctx: &mut Context<Self>, id: ActorId, reason: StopReason) {
        let _ = ctx.id();
        tokio::task::yield_now().await;
        self.died.push((id, reason));
    }
}

fn is_panic(reason: &StopReason) -> bool {
    matches!(reason, StopReason::Panicked(_))
}

#[tokio::test]
async fn a_watcher_is_told_once_when_the_watched_actor_stops_for_good() {
    quiet_panics();
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.watch(probe.clone()).await.unwrap();
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    probe.wait_stopped().await;
    let downs = watcher.downs().await.unwrap();
    assert_eq!(downs.len(), 1);
    assert_eq!(downs[0].0, probe.id());
    assert!(is_panic(&downs[0].1));
    // Nothing more comes later.
    assert_eq!(watcher.downs().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_restart_does_not_fire_on_down() {
    quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let probe: ProbeHandle = tree.child(|| Probe::new(1)).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    let watcher = system.spawn(Watcher::default());
    watcher.watch(probe.clone()).await.unwrap();
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    assert_eq!(
        probe.count().await,
        Ok(0),
        "restarted: a new instance answers"
    );
    assert!(watcher.downs().await.unwrap().is_empty());
    // Stopped for good: now it is told.
    assert!(tree.remove_child(probe.id()).await);
    probe.wait_stopped().await;
    let downs = watcher.downs().await.unwrap();
    assert_eq!(downs.len(), 1);
    assert_eq!(downs[0], (probe.id(), StopReason::Shutdown));
}

#[tokio::test]
async fn watching_an_actor_that_has_already_stopped_fires_at_once() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    probe.stop();
    probe.wait_stopped().await;
    let watcher = system.spawn(Watcher::default());
    watcher.watch(probe.clone()).await.unwrap();
    assert_eq!(
        watcher.downs().await.unwrap(),
        [(probe.id(), StopReason::Normal)]
    );
}

#[tokio::test]
async fn several_watchers_of_several_actors_are_each_told_once() {
    let system = System::new();
    let watchers: Vec<WatcherHandle> = (0..3).map(|_| system.spawn(Watcher::default())).collect();
    let probes: Vec<ProbeHandle> = (0..2).map(|_| system.spawn(Probe::new(1))).collect();
    for w in &watchers {
        for p in &probes {
            w.watch(p.clone()).await.unwrap();
        }
    }
    for p in &probes {
        p.stop();
        p.wait_stopped().await;
    }
    for w in &watchers {
        let mut ids: Vec<ActorId> = w.downs().await.unwrap().into_iter().map(|d| d.0).collect();
        ids.sort();
        assert_eq!(ids, [probes[0].id(), probes[1].id()]);
    }
}

#[tokio::test]
async fn the_down_notice_comes_in_mailbox_order() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.watch(probe.clone()).await.unwrap();
    let (entered_tx, entered_rx) = tokio::sync::oneshot::channel();
    let (release, release_rx) = tokio::sync::oneshot::channel();
    watcher.hold(entered_tx, release_rx).tell().await.unwrap();
    entered_rx.await.unwrap();
    watcher.note("before".into()).tell().await.unwrap();
    probe.stop();
    probe.wait_stopped().await; // the notice is queued now
    watcher.note("after".into()).tell().await.unwrap();
    release.send(()).unwrap();
    assert_eq!(
        watcher.log().await.unwrap(),
        [
            "before".to_owned(),
            format!("down {}", probe.id()),
            "after".to_owned()
        ]
    );
}

#[tokio::test]
async fn unwatch_means_no_notice() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.watch(probe.clone()).await.unwrap();
    watcher.unwatch(probe.id()).await.unwrap();
    probe.stop();
    probe.wait_stopped().await;
    watcher.note("later".into()).await.unwrap();
    assert!(watcher.downs().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_watcher_that_stops_first_is_not_told_and_the_watched_stops_normally() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.watch(probe.clone()).await.unwrap();
    watcher.stop();
    watcher.wait_stopped().await;
    probe.stop();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
}

#[tokio::test]
async fn watching_yourself_does_nothing() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    watcher.watch_me().await.unwrap();
    watcher.stop();
    assert_eq!(watcher.wait_stopped().await, StopReason::Normal);
}

#[tokio::test]
async fn an_actor_learns_of_its_spawned_childs_death() {
    quiet_panics();
    #[actor]
    #[derive(Default)]
    struct Parent {
        child: Option<ProbeHandle>,
        down: Option<StopReason>,
    }
    #[actor]
    impl Parent {
        #[message]
        fn spawn_child(&mut self, ctx: &mut Context<Self>) -> ProbeHandle {
            let child = ctx.spawn(Probe::new(1));
            ctx.watch(&child);
            self.child = Some(child.clone());
            child
        }
        #[message]
        fn down(&self) -> Option<StopReason> {
            self.down.clone()
        }
        #[on_down]
        fn child_down(&mut self, _id: ActorId, reason: StopReason) {
            self.down = Some(reason);
        }
    }
    let system = System::new();
    let parent = system.spawn(Parent::default());
    let child = parent.spawn_child().await.unwrap();
    assert!(matches!(child.boom().await, Err(AskError::Panicked(_))));
    child.wait_stopped().await;
    assert!(parent.down().await.unwrap().is_some_and(|r| is_panic(&r)));
}

#[tokio::test]
async fn a_linked_actor_stops_when_its_partner_panics() {
    quiet_panics();
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.link(probe.clone()).await.unwrap();
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    match watcher.wait_stopped().await {
        StopReason::LinkDied { id, reason } => {
            assert_eq!(id, probe.id());
            assert!(is_panic(&reason));
        }
        other => panic!("expected LinkDied, got {other:?}"),
    }
    assert!(
        watcher.wait_stopped().await.is_failure(),
        "and it travels on"
    );
}

#[tokio::test]
async fn a_link_works_both_ways() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.link(probe.clone()).await.unwrap();
    // The probe is busy: it stops after the message in hand, as for a stop().
    let release = hold(&probe).await;
    watcher.kill();
    assert_eq!(watcher.wait_stopped().await, StopReason::Killed);
    assert_eq!(
        probe.count().await,
        Err(AskError::Stopped),
        "stopping already"
    );
    drop(release);
    match probe.wait_stopped().await {
        StopReason::LinkDied { id, reason } => {
            assert_eq!(id, watcher.id());
            assert_eq!(*reason, StopReason::Killed);
        }
        other => panic!("expected LinkDied, got {other:?}"),
    }
}

#[tokio::test]
async fn a_normal_stop_does_not_travel_along_a_link() {
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.link(probe.clone()).await.unwrap();
    probe.stop();
    probe.wait_stopped().await;
    watcher.note("still here".into()).await.unwrap();
    assert!(watcher.is_alive());
}

#[tokio::test]
async fn on_link_died_is_called_instead_of_stopping() {
    quiet_panics();
    let system = System::new();
    let trapper = system.spawn(Trapper::default());
    let probe = system.spawn(Probe::new(1));
    trapper.link(probe.clone()).await.unwrap();
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    probe.wait_stopped().await;
    let died = trapper.died().await.unwrap();
    assert_eq!(died.len(), 1);
    assert_eq!(died[0].0, probe.id());
    assert!(is_panic(&died[0].1));
    assert!(trapper.is_alive());
}

#[tokio::test]
async fn unlink_removes_the_link_both_ways() {
    quiet_panics();
    let system = System::new();
    let watcher = system.spawn(Watcher::default());
    let probe = system.spawn(Probe::new(1));
    watcher.link(probe.clone()).await.unwrap();
    watcher.unlink(probe.id()).await.unwrap();
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    probe.wait_stopped().await;
    watcher.note("still here".into()).await.unwrap();
    assert!(watcher.is_alive());
    // And the other way: the watcher's death does not reach a new partner it unlinked.
    let other = system.spawn(Probe::new(1));
    watcher.link(other.clone()).await.unwrap();
    watcher.unlink(other.id()).await.unwrap();
    watcher.kill();
    watcher.wait_stopped().await;
    assert_eq!(other.count().await, Ok(0));
    assert!(other.is_alive());
}
