//! Panics are caught, stopped actors answer with errors, nothing hangs.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use common::{Probe, hold, quiet_panics};

#[tokio::test]
async fn ask_to_a_stopped_actor_returns_stopped() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    probe.stop();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
    assert!(!probe.is_alive());
    assert_eq!(probe.count().await, Err(AskError::Stopped));
    assert_eq!(probe.add(0, 0).tell().await, Err(SendError::Stopped));
    assert_eq!(probe.add(0, 0).try_tell(), Err(TrySendError::Stopped));
}

#[tokio::test]
async fn ask_to_a_panicked_actor_returns_panicked_then_stopped() {
    quiet_panics();
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    assert_eq!(
        probe.boom().await,
        Err(AskError::Panicked(PanicError::new(
            "boom",
            "boom on purpose"
        )))
    );
    let reason = probe.wait_stopped().await;
    let StopReason::Panicked(panic) = reason else {
        panic!("expected a panic, got {reason:?}")
    };
    assert_eq!(panic.handler(), "boom");
    assert_eq!(panic.message(), "boom on purpose");
    assert_eq!(probe.count().await, Err(AskError::Stopped));
}

#[tokio::test]
async fn a_panic_in_an_async_handler_is_caught() {
    quiet_panics();
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    // An async handler's panic too, caught after its future is dropped.
    let err = probe.boom_later().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "the request's handler panicked in `boom_later`: async boom on purpose"
    );
    match probe.wait_stopped().await {
        StopReason::Panicked(p) => assert_eq!(p.handler(), "boom_later"),
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[tokio::test]
async fn asks_queued_behind_a_panic_resolve_to_no_reply() {
    quiet_panics();
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    // Queue: boom, then two asks; the mailbox holds four.
    let boom = tokio::spawn({
        let p = probe.clone();
        async move { p.boom().await }
    });
    tokio::task::yield_now().await;
    let queued: Vec<_> = (0..2)
        .map(|_| {
            let p = probe.clone();
            tokio::spawn(async move { p.count().await })
        })
        .collect();
    while probe.mailbox_len() < 3 {
        tokio::task::yield_now().await;
    }
    release.send(()).unwrap();
    assert!(matches!(boom.await.unwrap(), Err(AskError::Panicked(_))));
    for q in queued {
        assert_eq!(q.await.unwrap(), Err(AskError::NoReply));
    }
}

#[tokio::test]
async fn stop_overtakes_queued_messages() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    for seq in 0..3 {
        probe.add(0, seq).try_tell().unwrap();
    }
    let queued_ask = tokio::spawn({
        let p = probe.clone();
        async move { p.count().await }
    });
    while probe.mailbox_len() < 4 {
        tokio::task::yield_now().await;
    }
    probe.stop();
    release.send(()).unwrap();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
    // The ask was queued behind the stop: dropped unanswered, never hanging.
    assert_eq!(queued_ask.await.unwrap(), Err(AskError::NoReply));
}

#[tokio::test]
async fn stop_gracefully_handles_what_is_queued_first() {
    #[actor]
    struct Tally {
        seen: std::sync::Arc<std::sync::atomic::AtomicU64>,
    }
    #[actor]
    impl Tally {
        #[message]
        async fn bump(&mut self) {
            tokio::task::yield_now().await;
            self.seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let system = System::new();
    let tally = system.spawn(Tally { seen: seen.clone() });
    for _ in 0..100 {
        tally.bump().try_tell().unwrap();
    }
    tally.stop_gracefully();
    assert_eq!(tally.wait_stopped().await, StopReason::Normal);
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 100);
}

#[tokio::test]
async fn a_panic_in_on_start_stops_the_actor_and_fails_its_asks() {
    quiet_panics();
    #[actor]
    struct BadStart;
    #[actor]
    impl BadStart {
        #[message]
        fn ping(&self) -> u8 {
            1
        }
        #[on_start]
        fn started(&mut self) {
            panic!("cannot start, on purpose");
        }
    }
    let system = System::new();
    let bad = system.spawn(BadStart);
    let answer = bad.ping().await;
    assert!(
        matches!(answer, Err(AskError::NoReply) | Err(AskError::Stopped)),
        "got {answer:?}"
    );
    match bad.wait_stopped().await {
        StopReason::Panicked(p) => assert_eq!(p.handler(), "on_start"),
        other => panic!("expected a panic, got {other:?}"),
    }
}

#[tokio::test]
async fn a_delegated_reply_dropped_unsent_resolves_to_no_reply() {
    #[actor]
    struct Forgetful;
    #[actor]
    impl Forgetful {
        #[message(response = u8)]
        fn forget(&self, reply: Reply<u8>) {
            drop(reply);
        }
    }
    let system = System::new();
    let f = system.spawn(Forgetful);
    assert_eq!(f.forget().await, Err(AskError::NoReply));
    assert!(
        f.is_alive(),
        "dropping a reply is not a failure of the actor"
    );
}

#[tokio::test]
async fn a_delegated_reply_dropped_by_a_panic_elsewhere_resolves_to_panicked() {
    quiet_panics();
    #[actor]
    struct Delegator;
    #[actor]
    impl Delegator {
        #[message(response = u8)]
        fn delegate(&self, reply: Reply<u8>) {
            std::thread::spawn(move || {
                let _reply = reply;
                panic!("worker failed on purpose");
            });
        }
    }
    let system = System::new();
    let d = system.spawn(Delegator);
    // The worker's thread is not the runtime's: its panic is not known.
    let Err(AskError::Panicked(panic)) = d.delegate().await else {
        panic!("the ask learns of a panic");
    };
    assert_eq!(panic.handler(), "?");
    assert!(d.is_alive(), "the worker panicked, not the actor");
}

#[tokio::test(start_paused = true)]
async fn an_ask_never_hangs_when_the_actor_is_aborted() {
    #[actor]
    struct Stuck;
    #[actor]
    impl Stuck {
        #[message]
        async fn wedge(&self) {
            std::future::pending::<()>().await;
        }
        #[message]
        fn ping(&self) -> u8 {
            1
        }
    }
    let system = System::builder()
        .shutdown_timeout(Duration::from_millis(100))
        .build();
    let stuck = system.spawn(Stuck);
    stuck.wedge().tell().await.unwrap();
    let ask = tokio::spawn({
        let s = stuck.clone();
        async move { s.ping().await }
    });
    tokio::task::yield_now().await;
    system.shutdown().await;
    assert_eq!(stuck.wait_stopped().await, StopReason::Aborted);
    assert_eq!(ask.await.unwrap(), Err(AskError::NoReply));
}

/// Actors whose handlers panic in each place a reply can be dropped.
#[actor]
struct Faulty;

#[actor]
impl Faulty {
    #[message]
    fn sync_panic(&self, n: u32) -> u32 {
        panic!("sync fault {n} on purpose")
    }
    #[message(response = u32)]
    async fn delegated_async_panic(&self, reply: Reply<u32>) {
        tokio::task::yield_now().await;
        let _keep = reply;
        panic!("async delegated fault on purpose")
    }
    #[message(response = u32)]
    fn delegated_sync_panic(&self, reply: Reply<u32>) {
        let _keep = reply;
        panic!("sync delegated fault on purpose")
    }
    #[message(response = u32)]
    fn caught_in_cpu_work(&self, reply: Reply<u32>, ctx: &mut Context<Self>) {
        ctx.spawn_cpu(move || {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
                let _keep = reply;
                panic!("caught by the work itself on purpose")
            }));
            assert!(caught.is_err());
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_asker_learns_the_panic_of_its_handler_on_any_thread() {
    quiet_panics();
    let system = System::new();
    // The asker runs on one worker thread while the actor unwinds on the
    // other: it waits for the panic to be caught, never sees a placeholder.
    let asks: Vec<_> = (0..64u32)
        .map(|n| {
            let faulty = system.spawn(Faulty);
            tokio::spawn(async move { (n, faulty.sync_panic(n).await) })
        })
        .collect();
    for ask in asks {
        let (n, answer) = ask.await.unwrap();
        assert_eq!(
            answer,
            Err(AskError::Panicked(PanicError::new(
                "sync_panic",
                format!("sync fault {n} on purpose")
            )))
        );
    }
}

#[tokio::test]
async fn a_delegated_reply_dropped_by_its_handlers_panic_is_panicked_and_the_stop_says_which() {
    quiet_panics();
    let system = System::new();
    // Unwinding, a delegated reply cannot know whether the runtime will catch
    // the panic (it may be in a thread of the user's): a placeholder at once;
    // the actor's stop reason has the panic.
    for sync in [true, false] {
        let faulty = system.spawn(Faulty);
        let answer = if sync {
            faulty.delegated_sync_panic().await
        } else {
            faulty.delegated_async_panic().await
        };
        let Err(AskError::Panicked(panic)) = answer else {
            panic!("the ask learns of a panic: {answer:?}");
        };
        assert_eq!(panic.handler(), "?");
        let StopReason::Panicked(stopped) = faulty.wait_stopped().await else {
            panic!("the actor stopped for its panic");
        };
        assert!(stopped.message().contains("delegated fault"), "{stopped}");
    }
}

#[tokio::test]
async fn a_reply_dropped_by_a_panic_the_work_caught_itself_does_not_hang() {
    quiet_panics();
    let faulty = System::new().spawn(Faulty);
    let Err(AskError::Panicked(panic)) = faulty.caught_in_cpu_work().await else {
        panic!("the ask learns of a panic");
    };
    assert_eq!(panic.handler(), "?");
    assert!(faulty.is_alive(), "nothing panicked out of the work");
}

#[test]
fn a_panicked_ask_says_which_handler_and_why() {
    let err = AskError::Panicked(PanicError::new("parse", "not a number"));
    assert_eq!(
        err.to_string(),
        "the request's handler panicked in `parse`: not a number"
    );
    let any: actor_core::Error = err.clone().into();
    assert_eq!(any.to_string(), err.to_string());
}
