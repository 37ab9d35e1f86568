//! The stop and failure contract, under load and faults: what a stop request
//! does to new and queued messages, that every stop ends, that a stop is
//! never lost during a restart, that kills and panics anywhere in an actor's
//! life are contained and reported, and that an actor cannot deadlock on
//! itself.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use actor_core::prelude::*;
use common::{Probe, ProbeHandle, hold, quiet_panics};
use tokio::sync::oneshot;

/// A watchdog for waits that hang when the feature under test is broken: far
/// longer than any loaded machine needs for what it guards.
const HANG: Duration = Duration::from_secs(120);

async fn within<F: std::future::Future>(what: &str, fut: F) -> F::Output {
    tokio::time::timeout(HANG, fut)
        .await
        .unwrap_or_else(|_| panic!("{what} did not finish (hang)"))
}

/// Asserts every way of sending fails at once with `Stopped`.
async fn refuses_everything(probe: &ProbeHandle) {
    assert!(!probe.is_alive(), "is_alive agrees with the errors");
    assert_eq!(probe.add(0, 0).try_tell(), Err(TrySendError::Stopped));
    assert_eq!(probe.add(0, 0).tell().await, Err(SendError::Stopped));
    assert_eq!(probe.count().await, Err(AskError::Stopped));
    assert_eq!(
        probe.count().timeout(Duration::from_secs(60)).await,
        Err(AskError::Stopped)
    );
}

/// Waits until the tree's first child has been restarted once and runs again.
async fn first_child_restarted_once(tree: &SupervisorRef) {
    within("the restart", async {
        loop {
            let children = tree.children().await;
            if children
                .first()
                .is_some_and(|c| c.restarts == 1 && c.running)
            {
                break;
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
}

// 1. Nothing new is accepted after a stop request.

#[tokio::test]
async fn nothing_new_is_accepted_after_stop_while_the_handler_still_runs() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    probe.stop();
    refuses_everything(&probe).await;
    release.send(()).unwrap();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
}

#[tokio::test]
async fn nothing_new_is_accepted_after_stop_gracefully_but_the_queue_is_handled() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    probe.add(0, 0).try_tell().unwrap(); // queued before the request: handled
    probe.stop_gracefully();
    refuses_everything(&probe).await;
    release.send(()).unwrap();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
}

#[tokio::test]
async fn nothing_new_is_accepted_after_ctx_stop() {
    #[actor]
    struct Quitter {
        handled: Arc<AtomicU64>,
    }
    #[actor]
    impl Quitter {
        #[message]
        async fn quit_then_linger(
            &mut self,
            ctx: &mut Context<Self>,
            linger: oneshot::Receiver<()>,
        ) {
            ctx.stop();
            let _ = linger.await;
        }
        #[message]
        fn work(&mut self) {
            self.handled.fetch_add(1, Ordering::SeqCst);
        }
    }
    let handled = Arc::new(AtomicU64::new(0));
    let system = System::new();
    let q = system.spawn(Quitter {
        handled: handled.clone(),
    });
    let (release, linger) = oneshot::channel();
    q.quit_then_linger(linger).tell().await.unwrap();
    // The handler has asked to stop once its own ask is refused.
    within("ctx.stop", async {
        while q.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    assert_eq!(q.work().tell().await, Err(SendError::Stopped));
    assert_eq!(q.work().await, Err(AskError::Stopped));
    release.send(()).unwrap();
    assert_eq!(q.wait_stopped().await, StopReason::Normal);
    assert_eq!(handled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn nothing_new_is_accepted_once_shutdown_has_begun() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    let shutdown = tokio::spawn({
        let system = system.clone();
        async move { system.shutdown().await }
    });
    within("shutdown to begin", async {
        while probe.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    refuses_everything(&probe).await;
    release.send(()).unwrap();
    within("shutdown", shutdown).await.unwrap();
    assert_eq!(probe.stop_reason(), Some(StopReason::Shutdown));
}

#[tokio::test]
async fn nothing_new_is_accepted_once_a_supervisor_terminates_its_child() {
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let probe: ProbeHandle = tree.child(|| Probe::new(1)).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    let release = hold(&probe).await;
    tree.stop();
    within("the supervisor's terminate", async {
        while probe.is_alive() {
            tokio::task::yield_now().await;
        }
    })
    .await;
    refuses_everything(&probe).await;
    release.send(()).unwrap();
    within("the tree to stop", tree.wait_stopped()).await;
    assert!(probe.stop_reason().is_some());
}

#[tokio::test]
async fn is_alive_agrees_with_asks_after_a_supervisor_gave_up() {
    quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(0, Duration::from_secs(60));
    let probe: ProbeHandle = tree.child(|| Probe::new(1)).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    within("the escalation", system.wait_escalation()).await;
    assert!(!tree.is_alive());
    for _ in 0..59 {
        assert_eq!(probe.count().await, Err(AskError::Stopped));
        assert!(!probe.is_alive());
    }
}

// 2. A graceful stop ends, even under steady traffic.

/// Counts what it handled, and says so when it stops.
#[actor]
struct Sink {
    handled: u64,
    report: Arc<Mutex<Option<(u64, StopReason)>>>,
}

#[actor]
impl Sink {
    #[message]
    async fn put(&mut self, _n: u64) {
        tokio::task::yield_now().await;
        self.handled += 1;
    }

    #[message]
    async fn ask_put(&mut self, n: u64) -> u64 {
        tokio::task::yield_now().await;
        self.handled += 1;
        n
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        *self.report.lock().unwrap() = Some((self.handled, reason.clone()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_graceful_stop_ends_under_steady_traffic_and_handles_every_accepted_message() {
    let system = System::new();
    let report = Arc::new(Mutex::new(None));
    let sink = system.spawn(Sink {
        handled: 0,
        report: report.clone(),
    });
    let accepted = Arc::new(AtomicU64::new(0));
    // Senders that never stop on their own: only refusals end them.
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (sink, accepted) = (sink.clone(), accepted.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while sink.put(n).tell().await.is_ok() {
                    accepted.fetch_add(1, Ordering::SeqCst);
                    n += 1;
                }
            })
        })
        .collect();
    while accepted.load(Ordering::SeqCst) < 1000 {
        tokio::task::yield_now().await;
    }
    sink.stop_gracefully();
    assert_eq!(
        within("the graceful stop", sink.wait_stopped()).await,
        StopReason::Normal
    );
    for sender in senders {
        within("a sender", sender).await.unwrap();
    }
    let (handled, reason) = report.lock().unwrap().clone().expect("on_stop ran");
    assert_eq!(reason, StopReason::Normal);
    assert_eq!(
        handled,
        accepted.load(Ordering::SeqCst),
        "every message a sender was told is queued was handled"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_under_steady_asks_runs_every_on_stop_and_answers_every_accepted_ask() {
    let system = System::new();
    let mut reports = Vec::new();
    let mut askers = Vec::new();
    let outcomes = Arc::new(Mutex::new(Vec::new()));
    for _ in 0..100 {
        let report = Arc::new(Mutex::new(None));
        let sink = system.spawn(Sink {
            handled: 0,
            report: report.clone(),
        });
        reports.push(report);
        for _ in 0..2 {
            let (sink, outcomes) = (sink.clone(), outcomes.clone());
            askers.push(tokio::spawn(async move {
                let mut n = 0;
                loop {
                    let outcome = sink.ask_put(n).await;
                    let refused = outcome == Err(AskError::Stopped);
                    outcomes.lock().unwrap().push(outcome.map(|_| ()));
                    if refused {
                        break;
                    }
                    n += 1;
                }
            }));
        }
    }
    while outcomes.lock().unwrap().len() < 2000 {
        tokio::task::yield_now().await;
    }
    within("shutdown", system.shutdown()).await;
    for asker in askers {
        within("an asker", asker).await.unwrap();
    }
    for report in reports {
        let (_, reason) = report.lock().unwrap().clone().expect("on_stop ran");
        assert_eq!(reason, StopReason::Shutdown, "drained, not aborted");
    }
    let outcomes = outcomes.lock().unwrap();
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(()) | Err(AskError::Stopped))),
        "an accepted ask is answered; a refused one says Stopped"
    );
}

// 3. Shutdown has one deadline, not one per actor.

#[actor]
struct Stuck;

#[actor]
impl Stuck {
    #[message]
    async fn wait_forever(&mut self) {
        std::future::pending::<()>().await;
    }
}

#[tokio::test(start_paused = true)]
async fn shutdown_of_a_thousand_stuck_actors_takes_about_one_timeout() {
    let timeout = Duration::from_secs(1);
    let system = System::builder().shutdown_timeout(timeout).build();
    let stuck: Vec<StuckHandle> = (0..1000).map(|_| system.spawn(Stuck)).collect();
    for s in &stuck {
        s.wait_forever().tell().await.unwrap();
    }
    tokio::task::yield_now().await;
    let started = tokio::time::Instant::now();
    system.shutdown().await;
    let took = started.elapsed(); // virtual time: exact, whatever the machine
    assert!(
        took <= timeout * 2,
        "shutdown took {took:?} for a timeout of {timeout:?}"
    );
    for s in &stuck {
        assert_eq!(s.stop_reason(), Some(StopReason::Aborted));
    }
}

#[tokio::test(start_paused = true)]
async fn every_stop_is_bounded_by_the_shutdown_timeout_even_when_on_stop_never_returns() {
    #[actor]
    struct Hangs;
    #[actor]
    impl Hangs {
        #[on_stop]
        async fn stopped(&mut self) {
            std::future::pending::<()>().await;
        }
    }
    let timeout = Duration::from_secs(2);
    let system = System::builder().shutdown_timeout(timeout).build();
    let h = system.spawn(Hangs);
    let started = tokio::time::Instant::now();
    h.stop();
    assert_eq!(h.wait_stopped().await, StopReason::Aborted);
    assert!(started.elapsed() <= timeout + Duration::from_millis(10));
}

// 4. A stop is never lost during a restart.

#[tokio::test]
async fn a_stop_requested_while_the_factory_runs_wins_over_the_restart() {
    quiet_panics();
    let system = System::new();
    let me: Arc<OnceLock<ProbeHandle>> = Arc::new(OnceLock::new());
    let built = Arc::new(AtomicU64::new(0));
    let tree = Supervisor::new(Strategy::OneForOne);
    let probe: ProbeHandle = tree
        .child({
            let (me, built) = (me.clone(), built.clone());
            move || {
                if built.fetch_add(1, Ordering::SeqCst) == 1 {
                    // The restart's factory: a stop arrives while it runs.
                    me.get().unwrap().stop();
                }
                Probe::new(1)
            }
        })
        .restart(Restart::Permanent)
        .spawn()
        .unwrap();
    me.set(probe.clone()).unwrap();
    let tree = system.spawn_supervisor(tree);
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    assert_eq!(
        within("the child to stop", probe.wait_stopped()).await,
        StopReason::Normal
    );
    assert_eq!(built.load(Ordering::SeqCst), 2, "not restarted again");
    assert!(tree.children().await.is_empty(), "the supervisor forgot it");
    assert_eq!(probe.count().await, Err(AskError::Stopped));
    within("shutdown", system.shutdown()).await;
}

#[tokio::test]
async fn a_stop_requested_while_on_restart_runs_wins_over_the_restart() {
    quiet_panics();
    #[actor]
    struct Phoenix {
        entered: Option<oneshot::Sender<()>>,
        release: Option<oneshot::Receiver<()>>,
    }
    #[actor]
    impl Phoenix {
        #[message]
        fn crash(&mut self) {
            panic!("crashed on purpose");
        }
        #[message]
        fn ping(&self) {}
        #[on_restart]
        async fn restarted(&mut self) {
            if let (Some(entered), Some(release)) = (self.entered.take(), self.release.take()) {
                let _ = entered.send(());
                let _ = release.await;
            }
        }
    }
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    // The second instance (the restart) waits in `on_restart` until released.
    let hooks = Arc::new(Mutex::new(Some((entered_tx, release_rx))));
    let built = Arc::new(AtomicU64::new(0));
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let phoenix: PhoenixHandle = tree
        .child({
            let built = built.clone();
            move || {
                let (entered, release) = if built.fetch_add(1, Ordering::SeqCst) == 1 {
                    hooks.lock().unwrap().take().unzip()
                } else {
                    (None, None)
                };
                Phoenix { entered, release }
            }
        })
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert!(matches!(phoenix.crash().await, Err(AskError::Panicked(_))));
    entered_rx.await.unwrap();
    phoenix.stop(); // while on_restart runs
    release_tx.send(()).unwrap();
    assert_eq!(
        within("the child to stop", phoenix.wait_stopped()).await,
        StopReason::Normal
    );
    assert_eq!(built.load(Ordering::SeqCst), 2, "not restarted again");
    assert!(tree.children().await.is_empty());
    assert_eq!(phoenix.ping().await, Err(AskError::Stopped));
    within("shutdown", system.shutdown()).await;
}

#[tokio::test(start_paused = true)]
async fn a_stop_requested_while_the_supervisor_backs_off_wins_over_the_restart() {
    quiet_panics();
    let system = System::new();
    let built = Arc::new(AtomicU64::new(0));
    let tree = Supervisor::new(Strategy::OneForOne).backoff(Backoff::exponential(
        Duration::from_secs(10),
        Duration::from_secs(10),
    ));
    let probe: ProbeHandle = tree
        .child({
            let built = built.clone();
            move || {
                built.fetch_add(1, Ordering::SeqCst);
                Probe::new(1)
            }
        })
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    // The supervisor is deciding: waiting out the backoff before the restart.
    tokio::time::sleep(Duration::from_secs(1)).await;
    probe.stop();
    assert_eq!(probe.wait_stopped().await, StopReason::Normal);
    assert_eq!(built.load(Ordering::SeqCst), 1, "never rebuilt");
    assert!(tree.children().await.is_empty());
    system.shutdown().await;
}

// 5. kill()

#[tokio::test]
async fn kill_abandons_the_message_in_hand_and_skips_on_stop() {
    #[actor]
    struct Victim {
        on_stop_ran: Arc<AtomicBool>,
    }
    #[actor]
    impl Victim {
        #[message]
        async fn work(&mut self, entered: oneshot::Sender<()>) -> u64 {
            let _ = entered.send(());
            std::future::pending::<()>().await;
            1
        }
        #[on_stop]
        fn stopped(&mut self) {
            self.on_stop_ran.store(true, Ordering::SeqCst);
        }
    }
    let on_stop_ran = Arc::new(AtomicBool::new(false));
    let system = System::new();
    let victim = system.spawn(Victim {
        on_stop_ran: on_stop_ran.clone(),
    });
    let (entered_tx, entered_rx) = oneshot::channel();
    let in_hand = tokio::spawn({
        let victim = victim.clone();
        async move { victim.work(entered_tx).await }
    });
    entered_rx.await.unwrap();
    victim.kill();
    assert_eq!(victim.wait_stopped().await, StopReason::Killed);
    assert_eq!(in_hand.await.unwrap(), Err(AskError::NoReply));
    assert!(!on_stop_ran.load(Ordering::SeqCst));
    assert!(StopReason::Killed.is_failure());
}

#[tokio::test]
async fn a_supervisor_restarts_a_killed_transient_child_as_a_failure() {
    let system = System::new();
    let built = Arc::new(AtomicU64::new(0));
    let tree = Supervisor::new(Strategy::OneForOne);
    let probe: ProbeHandle = tree
        .child({
            let built = built.clone();
            move || {
                built.fetch_add(1, Ordering::SeqCst);
                Probe::new(1)
            }
        })
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    let _release = hold(&probe).await;
    probe.kill();
    first_child_restarted_once(&tree).await;
    assert_eq!(probe.count().await, Ok(0), "a new instance answers");
    assert_eq!(built.load(Ordering::SeqCst), 2);
    system.shutdown().await;
}

// 6. Errors are never silent (the told-`Err` case is in actor-derive-tests).

#[tokio::test]
async fn a_panic_in_on_stop_is_the_stop_reason_and_counted() {
    quiet_panics();
    #[actor]
    struct BadStop;
    #[actor]
    impl BadStop {
        #[on_stop]
        fn stopped(&mut self) {
            panic!("on_stop failed on purpose");
        }
    }
    let system = System::new();
    let h = system.spawn(BadStop);
    h.stop();
    match h.wait_stopped().await {
        StopReason::Panicked(p) => {
            assert_eq!(p.handler(), "on_stop");
            assert!(p.message().contains("on purpose"));
        }
        other => panic!("expected Panicked, got {other:?}"),
    }
    let metrics = system.metrics();
    assert_eq!(metrics.actor_type("BadStop").map(|m| m.panics), Some(1));
}

#[tokio::test]
async fn a_panicking_factory_is_counted() {
    quiet_panics();
    let system = System::new();
    let built = Arc::new(AtomicU64::new(0));
    let tree = Supervisor::new(Strategy::OneForOne).intensity(5, Duration::from_secs(60));
    let probe: ProbeHandle = tree
        .child({
            let built = built.clone();
            move || {
                if built.fetch_add(1, Ordering::SeqCst) == 0 {
                    panic!("factory failed on purpose");
                }
                Probe::new(1)
            }
        })
        .spawn()
        .unwrap();
    let _tree = system.spawn_supervisor(tree);
    assert_eq!(probe.count().await, Ok(0));
    assert_eq!(
        system.metrics().actor_type("Probe").map(|m| m.panics),
        Some(1)
    );
    system.shutdown().await;
}

// 7. Panics anywhere in an actor's life are contained.

#[tokio::test]
async fn a_panic_in_the_states_drop_is_handled_like_a_handler_panic() {
    quiet_panics();
    #[actor]
    struct Fragile {
        panic_on_drop: bool,
    }
    #[actor]
    impl Fragile {
        #[message]
        fn ping(&self) -> u8 {
            1
        }
        #[message]
        fn quit(&mut self, ctx: &mut Context<Self>) {
            ctx.stop();
        }
    }
    impl Drop for Fragile {
        fn drop(&mut self) {
            if self.panic_on_drop {
                panic!("drop failed on purpose");
            }
        }
    }
    let system = System::new();
    let first = Arc::new(AtomicBool::new(true));
    let tree = Supervisor::new(Strategy::OneForOne);
    let fragile: FragileHandle = tree
        .child(move || Fragile {
            panic_on_drop: first.swap(false, Ordering::SeqCst),
        })
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    // A normal stop would not restart a transient child; the panic in Drop does.
    fragile.quit().await.unwrap();
    first_child_restarted_once(&tree).await;
    assert_eq!(fragile.ping().await, Ok(1));
    assert_eq!(
        system.metrics().actor_type("Fragile").map(|m| m.panics),
        Some(1)
    );
    within("shutdown", system.shutdown()).await;
    assert!(!tree.is_alive());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_returns_even_when_a_supervised_child_blocks_its_thread() {
    #[actor]
    struct Blocker;
    #[actor]
    impl Blocker {
        #[message]
        fn block(&mut self, entered: oneshot::Sender<()>, until: std::sync::mpsc::Receiver<()>) {
            let _ = entered.send(());
            let _ = until.recv();
        }
    }
    let system = System::builder()
        .shutdown_timeout(Duration::from_millis(50))
        .build();
    let tree = Supervisor::new(Strategy::OneForOne).shutdown_timeout(Duration::from_millis(50));
    let blocker: BlockerHandle = tree.child(|| Blocker).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);
    let (entered_tx, entered_rx) = oneshot::channel();
    let (unblock, until) = std::sync::mpsc::channel();
    blocker.block(entered_tx, until).tell().await.unwrap();
    entered_rx.await.unwrap();
    within("shutdown", system.shutdown()).await;
    unblock.send(()).unwrap();
}

// 8. An ask to yourself from inside your own handler fails at once.

#[tokio::test]
async fn an_ask_to_itself_from_its_own_handler_fails_at_once() {
    #[actor]
    struct Narcissus;
    #[actor]
    impl Narcissus {
        #[message]
        fn value(&self) -> u8 {
            7
        }
        #[message]
        async fn ask_myself(&mut self, ctx: &mut Context<Self>) -> Result<u8, AskError> {
            ctx.handle().value().await
        }
        #[message]
        async fn ask_myself_with_timeout(
            &mut self,
            ctx: &mut Context<Self>,
        ) -> Result<u8, AskError> {
            ctx.handle()
                .value()
                .timeout(Duration::from_secs(3600))
                .await
        }
    }
    let system = System::new();
    let n = system.spawn(Narcissus);
    assert_eq!(n.ask_myself().await, Ok(Err(AskError::Deadlock)));
    assert_eq!(
        n.ask_myself_with_timeout().await,
        Ok(Err(AskError::Deadlock))
    );
    // Others can still ask it, and tasks it spawns too.
    assert_eq!(n.value().await, Ok(7));
}

#[tokio::test]
async fn a_tell_to_itself_into_its_own_full_mailbox_fails_at_once() {
    #[actor(mailbox = 1)]
    struct Echo;
    #[actor]
    impl Echo {
        #[message]
        fn nothing(&self) {}
        #[message]
        async fn tell_myself_twice(
            &mut self,
            ctx: &mut Context<Self>,
        ) -> (bool, Result<(), SendError>) {
            let me = ctx.handle();
            let first = me.nothing().try_tell().is_ok(); // takes the only slot
            (first, me.nothing().tell().await)
        }
    }
    let system = System::new();
    let e = system.spawn(Echo);
    assert_eq!(
        e.tell_myself_twice().await,
        Ok((true, Err(SendError::Deadlock)))
    );
}

// 9. Smaller defects.

#[tokio::test]
async fn a_pool_never_routes_to_a_member_stopped_for_good() {
    let system = System::new();
    let pool = system
        .pool(2, || Probe::new(1))
        .restart(Restart::Temporary)
        .spawn()
        .unwrap();
    let [dead, busy] = pool.members() else {
        unreachable!()
    };
    dead.stop();
    dead.wait_stopped().await;
    // The live member is busy and its mailbox (4) full: asks must wait for
    // it, never fail on the dead one.
    let release = hold(busy).await;
    for seq in 0..4 {
        busy.add(0, seq).try_tell().unwrap();
    }
    let asks: Vec<_> = (0..8)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move { pool.count().await })
        })
        .collect();
    tokio::task::yield_now().await;
    release.send(()).unwrap();
    for ask in asks {
        assert!(within("a pool ask", ask).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn wait_escalation_resolves_once_the_escalated_supervisor_has_stopped() {
    quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(0, Duration::from_secs(60));
    let probe: ProbeHandle = tree.child(|| Probe::new(1)).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    let escalation = tokio::spawn({
        let system = system.clone();
        async move { system.wait_escalation().await }
    });
    assert!(matches!(probe.boom().await, Err(AskError::Panicked(_))));
    let escalation = within("the escalation", escalation).await.unwrap();
    assert_eq!(escalation.supervisor, tree.id());
    assert!(!tree.is_alive());
    assert!(matches!(tree.stop_reason(), Some(StopReason::Escalated(_))));
    assert!(!probe.is_alive());
}

// Shutdown completes whoever calls it, an actor's own handler included.

#[tokio::test(start_paused = true)]
async fn shutdown_called_from_inside_a_handler_stops_everything() {
    #[actor]
    struct Janitor;
    #[actor]
    impl Janitor {
        #[message]
        async fn shut_everything_down(&mut self, ctx: &mut Context<Self>) {
            ctx.system().shutdown().await;
        }
    }
    let system = System::builder()
        .shutdown_timeout(Duration::from_secs(1))
        .build();
    let older = system.spawn(Probe::new(1));
    let janitor = system.spawn(Janitor);
    let newer = system.spawn(Probe::new(1));
    janitor.shut_everything_down().tell().await.unwrap();
    // The janitor waits for the shutdown in its handler, so it cannot drain:
    // it is aborted at the deadline, and the shutdown goes on without it.
    assert_eq!(janitor.wait_stopped().await, StopReason::Aborted);
    assert_eq!(older.wait_stopped().await, StopReason::Shutdown);
    assert_eq!(newer.wait_stopped().await, StopReason::Shutdown);
    system.shutdown().await; // returns: the shutdown has completed
    assert_eq!(system.actor_count(), 0);
    assert!(system.try_spawn(Probe::new(1)).is_err());
}
