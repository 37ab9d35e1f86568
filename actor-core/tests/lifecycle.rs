//! Start and stop hooks, shutdown order, linked children, spawning after shutdown.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use actor_core::prelude::*;
use common::{Probe, Recorder, RecorderHandle, entries, log};

#[tokio::test]
async fn hooks_run_around_the_messages() {
    let log = log();
    let system = System::new();
    let r = system.spawn(Recorder::new("a", &log));
    r.note("hello".into()).tell().await.unwrap();
    r.stop_gracefully();
    r.wait_stopped().await;
    assert_eq!(
        entries(&log),
        ["a start", "a hello", "a stop: stopped normally"]
    );
}

#[tokio::test]
async fn shutdown_stops_every_top_level_actor_with_on_stop_and_reason_shutdown() {
    let log = log();
    let system = System::new();
    let a = system.spawn(Recorder::new("a", &log));
    let b = system.spawn(Recorder::new("b", &log));
    let c = system.spawn(Recorder::new("c", &log));
    for h in [&a, &b, &c] {
        h.note("up".into()).await.unwrap();
    }
    assert_eq!(system.actor_count(), 3);
    system.shutdown().await;
    // Unrelated top-level actors stop concurrently: no order among them.
    let mut stops: Vec<String> = entries(&log)
        .into_iter()
        .filter(|e| e.contains("stop"))
        .collect();
    stops.sort();
    assert_eq!(
        stops,
        [
            "a stop: shut down",
            "b stop: shut down",
            "c stop: shut down"
        ]
    );
    assert_eq!(system.actor_count(), 0);
    for h in [&a, &b, &c] {
        assert_eq!(h.stop_reason(), Some(StopReason::Shutdown));
    }
}

#[tokio::test]
async fn shutdown_drains_queued_messages_before_stopping() {
    #[actor]
    struct Tally {
        seen: Arc<AtomicU64>,
    }
    #[actor]
    impl Tally {
        #[message]
        async fn bump(&mut self) {
            tokio::task::yield_now().await;
            self.seen.fetch_add(1, Ordering::SeqCst);
        }
    }
    let seen = Arc::new(AtomicU64::new(0));
    let system = System::new();
    let tally = system.spawn(Tally { seen: seen.clone() });
    for _ in 0..500 {
        tally.bump().try_tell().unwrap();
    }
    system.shutdown().await;
    assert_eq!(tally.stop_reason(), Some(StopReason::Shutdown));
    assert_eq!(
        seen.load(Ordering::SeqCst),
        500,
        "every queued message is handled"
    );
}

#[tokio::test(start_paused = true)]
async fn shutdown_aborts_an_actor_that_outlives_its_timeout() {
    #[actor]
    struct Stubborn;
    #[actor]
    impl Stubborn {
        #[message]
        async fn wedge(&self) {
            std::future::pending::<()>().await;
        }
    }
    let log = log();
    let system = System::builder()
        .shutdown_timeout(Duration::from_secs(2))
        .build();
    let first = system.spawn(Recorder::new("first", &log));
    let stubborn = system.spawn(Stubborn);
    stubborn.wedge().tell().await.unwrap();
    let started = tokio::time::Instant::now();
    system.shutdown().await;
    assert_eq!(started.elapsed(), Duration::from_secs(2));
    assert_eq!(stubborn.stop_reason(), Some(StopReason::Aborted));
    // The actor spawned before it still stopped normally, after it.
    assert_eq!(first.stop_reason(), Some(StopReason::Shutdown));
}

#[tokio::test]
async fn spawning_after_shutdown_is_refused() {
    let system = System::new();
    system.shutdown().await;
    assert!(system.is_shutting_down());
    assert_eq!(
        system.try_spawn(Probe::new(1)).unwrap_err(),
        actor_core::SpawnError::ShuttingDown
    );
    let late = system.spawn(Probe::new(1));
    assert_eq!(late.wait_stopped().await, StopReason::Shutdown);
    assert_eq!(late.count().await, Err(AskError::Stopped));
}

#[tokio::test]
async fn a_child_stops_with_its_parent_before_the_parent_on_stop() {
    #[actor]
    struct Parent {
        log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
        child: Option<RecorderHandle>,
    }
    #[actor]
    impl Parent {
        #[message]
        fn child(&self) -> Option<RecorderHandle> {
            self.child.clone()
        }
        #[on_start]
        fn started(&mut self, ctx: &mut Context<Self>) {
            self.child = Some(ctx.spawn(Recorder::new("child", &self.log)));
        }
        #[on_stop]
        fn stopped(&mut self) {
            self.log.lock().unwrap().push("parent stop".into());
        }
    }
    let log = log();
    let system = System::new();
    let parent = system.spawn(Parent {
        log: log.clone(),
        child: None,
    });
    let child = parent
        .child()
        .await
        .unwrap()
        .expect("child spawned in on_start");
    child.note("hi".into()).await.unwrap();
    parent.stop();
    assert_eq!(parent.wait_stopped().await, StopReason::Normal);
    assert!(
        !child.is_alive(),
        "the child must be stopped before the parent finishes"
    );
    assert_eq!(child.stop_reason(), Some(StopReason::Shutdown));
    assert_eq!(
        entries(&log),
        [
            "child start",
            "child hi",
            "child stop: shut down",
            "parent stop"
        ]
    );
}

#[tokio::test]
async fn dropping_every_handle_does_not_stop_an_actor() {
    let log = log();
    let system = System::new();
    let r = system.spawn(Recorder::new("a", &log));
    let id = r.id();
    drop(r);
    tokio::task::yield_now().await;
    assert_eq!(system.actor_count(), 1, "actor {id} must keep running");
    system.shutdown().await;
    assert_eq!(entries(&log), ["a start", "a stop: shut down"]);
}

#[tokio::test]
async fn handles_compare_and_print_usefully() {
    let system = System::new();
    let a = system.spawn(Probe::new(1));
    let b = system.spawn(Probe::new(1));
    assert_eq!(a, a.clone());
    assert_ne!(a, b);
    assert!(a.id() < b.id());
    let printed = format!("{a:?}");
    assert!(
        printed.contains("ProbeHandle") && printed.contains("alive: true"),
        "{printed}"
    );
}

#[tokio::test]
async fn tasks_spawned_by_an_actor_are_aborted_when_it_stops() {
    struct Flag(Arc<AtomicU64>);
    impl Drop for Flag {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    #[actor]
    struct Owner {
        dropped: Arc<AtomicU64>,
        task: Option<tokio::task::JoinHandle<()>>,
    }
    #[actor]
    impl Owner {
        #[message]
        fn running(&self) -> bool {
            self.task.as_ref().is_some_and(|t| !t.is_finished())
        }
        #[on_start]
        fn started(&mut self, ctx: &mut Context<Self>) {
            let flag = Flag(self.dropped.clone());
            self.task = Some(ctx.spawn_task(async move {
                let _flag = flag;
                std::future::pending::<()>().await;
            }));
        }
    }
    let dropped = Arc::new(AtomicU64::new(0));
    let system = System::new();
    let owner = system.spawn(Owner {
        dropped: dropped.clone(),
        task: None,
    });
    assert_eq!(owner.running().await, Ok(true));
    assert_eq!(dropped.load(Ordering::SeqCst), 0);
    owner.stop();
    owner.wait_stopped().await;
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(
        dropped.load(Ordering::SeqCst),
        1,
        "the task was aborted with its actor"
    );
}
