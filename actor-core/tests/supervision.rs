//! Supervision, after OTP's supervisor_SUITE: who is restarted, who is not,
//! in which order, when a supervisor gives up, and that nothing hangs.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod common;

use actor_core::prelude::*;
use actor_core::supervisor::ChildInfo;
use common::quiet_panics;
use tokio::sync::oneshot;

type Log = Arc<Mutex<Vec<String>>>;

/// A child that knows which incarnation it is and logs its lifecycle.
#[actor]
struct Worker {
    name: &'static str,
    generation: u64,
    log: Log,
    count: u64,
}

#[actor]
impl Worker {
    /// Which incarnation answers: 1 for the first instance, 2 after one restart, …
    #[message]
    fn generation(&self) -> u64 {
        self.generation
    }

    #[message]
    fn add(&mut self) {
        self.count += 1;
    }

    #[message]
    fn count(&self) -> u64 {
        self.count
    }

    #[message]
    fn crash(&mut self) {
        panic!("{} crashed on purpose", self.name);
    }

    #[message]
    fn stop_normally(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }

    #[message]
    fn give_up(&mut self, ctx: &mut Context<Self>) {
        ctx.fail("lost its connection");
    }

    #[message]
    fn stop_with_shutdown(&mut self, ctx: &mut Context<Self>) {
        ctx.stop_with(StopReason::Shutdown);
    }

    #[message]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }

    #[message]
    async fn wedge(&mut self) {
        std::future::pending::<()>().await;
    }

    #[on_start]
    fn started(&mut self) {
        self.note("start");
    }

    #[on_restart]
    fn restarted(&mut self) {
        self.note("restart");
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        let what = match reason {
            StopReason::Panicked(_) => "stop: panicked",
            StopReason::Shutdown => "stop: shutdown",
            StopReason::Normal => "stop: normal",
            StopReason::Failed(_) => "stop: failed",
            _ => "stop: other",
        };
        self.note(what);
    }
}

impl Worker {
    fn note(&self, what: &str) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} {what}", self.name));
    }
}

/// A factory for `name`: every call builds the next generation.
fn worker(name: &'static str, log: &Log) -> impl FnMut() -> Worker + Send + 'static {
    let log = log.clone();
    let generations = Arc::new(AtomicU64::new(0));
    move || Worker {
        name,
        generation: generations.fetch_add(1, Ordering::SeqCst) + 1,
        log: log.clone(),
        count: 0,
    }
}

/// Workers named `names`, added to `tree` in that order.
fn children<const N: usize>(
    tree: &Supervisor,
    log: &Log,
    names: [&'static str; N],
) -> [WorkerHandle; N] {
    names.map(|name| tree.child(worker(name, log)).spawn().unwrap())
}

fn new_log() -> Log {
    Arc::new(Mutex::new(Vec::new()))
}

fn take(log: &Log) -> Vec<String> {
    std::mem::take(&mut *log.lock().unwrap())
}

async fn incarnation(h: &WorkerHandle) -> u64 {
    h.generation().await.expect("worker answers")
}

/// How a child stops, in the 3×3 matrix.
#[derive(Debug, Clone, Copy)]
enum Exit {
    Normal,
    Shutdown,
    Panic,
}

async fn make_exit(h: &WorkerHandle, exit: Exit) {
    match exit {
        Exit::Normal => h.stop_normally().await.unwrap(),
        Exit::Shutdown => h.stop_with_shutdown().await.unwrap(),
        Exit::Panic => assert!(matches!(h.crash().await, Err(AskError::Panicked(_)))),
    }
    // A stop request refuses new messages until the supervisor has restarted
    // the child (a panic is no request: messages queue meanwhile): wait for
    // the restart, or the end.
    if !matches!(exit, Exit::Panic) {
        tokio::select! {
            _ = h.wait_stopped() => {}
            () = async {
                while !h.is_alive() {
                    tokio::task::yield_now().await;
                }
            } => {}
        }
    }
}

/// Runs one cell of the matrix: does a `restart` child come back after `exit`?
async fn restarted_after(restart: Restart, exit: Exit) -> bool {
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(10, Duration::from_secs(10));
    let child = tree
        .child(worker("w", &log))
        .restart(restart)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert_eq!(incarnation(&child).await, 1);
    make_exit(&child, exit).await;
    // Queued behind the exit: answered by a new instance, or failed if none comes.
    let restarted = match child.generation().await {
        Ok(generation) => {
            assert_eq!(generation, 2);
            assert!(child.is_alive());
            assert_eq!(tree.children().await.len(), 1);
            true
        }
        Err(_) => {
            child.wait_stopped().await;
            assert!(
                tree.children().await.is_empty(),
                "a child that is not restarted is removed"
            );
            false
        }
    };
    system.shutdown().await;
    restarted
}

#[tokio::test]
async fn permanent_child_is_restarted_after_normal_stop_shutdown_and_panic() {
    quiet_panics();
    for exit in [Exit::Normal, Exit::Shutdown, Exit::Panic] {
        assert!(
            restarted_after(Restart::Permanent, exit).await,
            "permanent after {exit:?}"
        );
    }
}

#[tokio::test]
async fn transient_child_is_restarted_only_after_a_failure() {
    quiet_panics();
    assert!(!restarted_after(Restart::Transient, Exit::Normal).await);
    assert!(!restarted_after(Restart::Transient, Exit::Shutdown).await);
    assert!(restarted_after(Restart::Transient, Exit::Panic).await);
}

#[tokio::test]
async fn temporary_child_is_never_restarted() {
    quiet_panics();
    for exit in [Exit::Normal, Exit::Shutdown, Exit::Panic] {
        assert!(
            !restarted_after(Restart::Temporary, exit).await,
            "temporary after {exit:?}"
        );
    }
}

#[tokio::test]
async fn a_child_that_fails_without_panicking_is_restarted_as_a_failure() {
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let w = tree
        .child(worker("w", &log))
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert_eq!(incarnation(&w).await, 1);
    w.give_up().await.unwrap();
    // `Context::fail` is a failure: a transient child comes back.
    assert_eq!(incarnation(&w).await, 2);
    assert_eq!(tree.children().await[0].restarts, 1);
    assert_eq!(take(&log), ["w start", "w stop: failed", "w restart"]);
}

#[tokio::test]
async fn children_start_in_order_and_stop_in_reverse_order() {
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let [a, b, c] = children(&tree, &log, ["a", "b", "c"]);
    let tree = system.spawn_supervisor(tree);
    for h in [&a, &b, &c] {
        incarnation(h).await;
    }
    assert_eq!(take(&log), ["a start", "b start", "c start"]);
    system.shutdown().await;
    assert_eq!(
        take(&log),
        ["c stop: shutdown", "b stop: shutdown", "a stop: shutdown"]
    );
    assert_eq!(tree.wait_stopped().await, StopReason::Shutdown);
    for h in [&a, &b, &c] {
        assert_eq!(h.stop_reason(), Some(StopReason::Shutdown));
    }
}

#[tokio::test]
async fn one_for_one_restarts_only_the_failed_child() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let [a, b, c] = children(&tree, &log, ["a", "b", "c"]);
    let _tree = system.spawn_supervisor(tree);
    incarnation(&c).await;
    take(&log);
    b.crash().await.unwrap_err();
    assert_eq!(incarnation(&b).await, 2);
    assert_eq!((incarnation(&a).await, incarnation(&c).await), (1, 1));
    assert_eq!(take(&log), ["b stop: panicked", "b restart"]);
}

#[tokio::test]
async fn one_for_all_restarts_all_children() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForAll);
    let [a, b, c] = children(&tree, &log, ["a", "b", "c"]);
    let _tree = system.spawn_supervisor(tree);
    incarnation(&c).await;
    take(&log);
    b.crash().await.unwrap_err();
    assert_eq!(
        (
            incarnation(&a).await,
            incarnation(&b).await,
            incarnation(&c).await
        ),
        (2, 2, 2)
    );
    assert_eq!(
        take(&log),
        [
            "b stop: panicked",
            // the others, newest first
            "c stop: shutdown",
            "a stop: shutdown",
            // then everyone, in start order
            "a restart",
            "b restart",
            "c restart",
        ]
    );
}

#[tokio::test]
async fn temporary_bystander_is_not_restarted() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForAll);
    let a = tree.child(worker("a", &log)).spawn().unwrap();
    let temp = tree
        .child(worker("temp", &log))
        .restart(Restart::Temporary)
        .spawn()
        .unwrap();
    let transient = tree
        .child(worker("transient", &log))
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    incarnation(&transient).await;
    a.crash().await.unwrap_err();
    assert_eq!(incarnation(&a).await, 2);
    // A transient bystander is restarted with the others; a temporary one is not.
    assert_eq!(incarnation(&transient).await, 2);
    assert_eq!(temp.wait_stopped().await, StopReason::Shutdown);
    let names: Vec<&str> = tree.children().await.iter().map(|c| c.name).collect();
    assert_eq!(names, ["Worker", "Worker"]);
}

#[tokio::test]
async fn rest_for_one_restarts_the_failed_child_and_later_siblings_only() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::RestForOne);
    let [a, b, c, d] = children(&tree, &log, ["a", "b", "c", "d"]);
    let tree = system.spawn_supervisor(tree);
    let ids_before: Vec<ActorId> = tree.children().await.iter().map(|c| c.id).collect();
    incarnation(&d).await;
    take(&log);
    b.crash().await.unwrap_err();
    assert_eq!(
        (
            incarnation(&a).await,
            incarnation(&b).await,
            incarnation(&c).await,
            incarnation(&d).await
        ),
        (1, 2, 2, 2)
    );
    assert_eq!(
        take(&log),
        [
            "b stop: panicked",
            "d stop: shutdown",
            "c stop: shutdown",
            "b restart",
            "c restart",
            "d restart"
        ]
    );
    // Everyone keeps their id: handles and ids survive restarts.
    let ids_after: Vec<ActorId> = tree.children().await.iter().map(|c| c.id).collect();
    assert_eq!(ids_before, ids_after);
    assert_eq!(ids_after[0], a.id());
}

/// Crashes `victim` until the supervisor gives up; returns how many crashes it took.
async fn crash_until_escalation(tree: &SupervisorRef, victim: &WorkerHandle) -> u32 {
    let mut crashes = 0;
    while tree.is_alive() && crashes < 100 {
        if victim.crash().await.is_err() {
            crashes += 1;
        }
        tree_settled(tree).await;
    }
    crashes
}

/// Waits until the supervisor has handled what it was told (or stopped).
async fn tree_settled(tree: &SupervisorRef) {
    let _: Vec<ChildInfo> = tree.children().await;
}

async fn intensity_exceeded_escalates(strategy: Strategy) {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(strategy).intensity(2, Duration::from_secs(60));
    let [a, b, c] = children(&tree, &log, ["a", "b", "c"]);
    let tree = system.spawn_supervisor(tree);
    incarnation(&c).await;
    // Two restarts are allowed; the third failure is one too many.
    assert_eq!(crash_until_escalation(&tree, &b).await, 3);
    let reason = tree.wait_stopped().await;
    let StopReason::Escalated(last) = &reason else {
        panic!("expected escalation, got {reason:?}")
    };
    assert!(matches!(**last, StopReason::Panicked(_)), "{last:?}");
    for h in [&a, &b, &c] {
        assert!(!h.is_alive());
        assert_eq!(h.generation().await, Err(AskError::Stopped));
    }
    // The children were stopped newest first, after the last crash.
    let log = take(&log);
    let tail: Vec<&str> = log.iter().rev().take(3).rev().map(String::as_str).collect();
    match strategy {
        Strategy::OneForOne => assert_eq!(
            tail,
            ["b stop: panicked", "c stop: shutdown", "a stop: shutdown"]
        ),
        _ => assert_eq!(tail[0], "b stop: panicked"),
    }
    let escalation = system.wait_escalation().await;
    assert_eq!(escalation.supervisor, tree.id());
    assert_eq!(escalation.reason, reason);
    assert_eq!(system.escalations(), [escalation]);
}

#[tokio::test]
async fn intensity_exceeded_escalates_one_for_one() {
    intensity_exceeded_escalates(Strategy::OneForOne).await;
}

#[tokio::test]
async fn intensity_exceeded_escalates_one_for_all() {
    intensity_exceeded_escalates(Strategy::OneForAll).await;
}

#[tokio::test]
async fn intensity_exceeded_escalates_rest_for_one() {
    intensity_exceeded_escalates(Strategy::RestForOne).await;
}

#[tokio::test(start_paused = true)]
async fn restarts_spaced_wider_than_the_period_are_tolerated() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(1, Duration::from_secs(1));
    let w = tree.child(worker("w", &log)).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    for expected in 2..=6 {
        w.crash().await.unwrap_err();
        assert_eq!(incarnation(&w).await, expected);
        tokio::time::advance(Duration::from_millis(1_500)).await;
    }
    assert!(tree.is_alive());
    // Two failures within the period are one restart too many.
    w.crash().await.unwrap_err();
    assert_eq!(incarnation(&w).await, 7);
    w.crash().await.unwrap_err();
    assert!(matches!(
        tree.wait_stopped().await,
        StopReason::Escalated(_)
    ));
}

#[tokio::test]
async fn a_child_supervisor_that_escalates_into_a_one_for_all_parent_restarts_the_whole_subtree() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let root = Supervisor::new(Strategy::OneForAll).intensity(5, Duration::from_secs(60));
    let sibling = root.child(worker("sibling", &log)).spawn().unwrap();
    let sub = Supervisor::new(Strategy::OneForOne).intensity(0, Duration::from_secs(60));
    let b = sub.child(worker("b", &log)).spawn().unwrap();
    let c = sub.child(worker("c", &log)).spawn().unwrap();
    let sub = root.supervisor(sub).spawn().unwrap();
    let root = system.spawn_supervisor(root);
    assert_eq!(
        (
            incarnation(&sibling).await,
            incarnation(&b).await,
            incarnation(&c).await
        ),
        (1, 1, 1)
    );
    take(&log);

    // The sub-supervisor allows no restart: b's crash makes it give up.
    b.crash().await.unwrap_err();
    assert_eq!(
        (
            incarnation(&sibling).await,
            incarnation(&b).await,
            incarnation(&c).await
        ),
        (2, 2, 2)
    );
    assert!(root.is_alive() && sub.is_alive());
    assert_eq!(
        take(&log),
        [
            "b stop: panicked",
            "c stop: shutdown", // the sub-supervisor stops its subtree and fails
            "sibling stop: shutdown", // the root stops the other child (OneForAll)
            "sibling restart",  // and starts everything again, in order
            "b restart",
            "c restart",
        ]
    );
    let restarts: Vec<u64> = root.children().await.iter().map(|c| c.restarts).collect();
    assert_eq!(restarts, [1, 1]);
}

#[tokio::test(start_paused = true)]
async fn a_busy_child_is_killed_after_its_shutdown_timeout() {
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let polite = tree.child(worker("polite", &log)).spawn().unwrap();
    let busy = tree
        .child(worker("busy", &log))
        .shutdown_timeout(Duration::from_millis(300))
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    busy.wedge().tell().await.unwrap();
    incarnation(&polite).await;
    let started = tokio::time::Instant::now();
    tree.stop();
    assert_eq!(tree.wait_stopped().await, StopReason::Normal);
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert_eq!(busy.stop_reason(), Some(StopReason::Aborted));
    assert_eq!(polite.stop_reason(), Some(StopReason::Shutdown));
    // Killed: its on_stop did not run. The polite one stopped after it.
    assert_eq!(
        take(&log),
        ["polite start", "busy start", "polite stop: shutdown"]
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_delays_restarts_exponentially_and_resets_after_a_quiet_period() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne)
        .intensity(100, Duration::from_secs(1))
        .backoff(
            Backoff::exponential(Duration::from_millis(100), Duration::from_millis(400))
                .reset_after(Duration::from_secs(10)),
        );
    let w = tree.child(worker("w", &log)).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);
    incarnation(&w).await;
    let mut delays = Vec::new();
    for _ in 0..4 {
        w.crash().await.unwrap_err();
        let crashed = tokio::time::Instant::now();
        incarnation(&w).await; // answered by the next instance, after the backoff
        delays.push(crashed.elapsed().as_millis());
    }
    assert_eq!(delays, [100, 200, 400, 400]);
    tokio::time::advance(Duration::from_secs(11)).await;
    w.crash().await.unwrap_err();
    let crashed = tokio::time::Instant::now();
    incarnation(&w).await;
    assert_eq!(
        crashed.elapsed().as_millis(),
        100,
        "reset after a quiet period"
    );
}

#[tokio::test(start_paused = true)]
async fn backoff_jitter_spreads_delays_within_their_bounds() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne)
        .intensity(100, Duration::from_secs(1))
        .backoff(
            Backoff::exponential(Duration::from_millis(100), Duration::from_millis(100))
                .jitter(0.5),
        );
    let w = tree.child(worker("w", &log)).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);
    let mut delays = Vec::new();
    for _ in 0..20 {
        w.crash().await.unwrap_err();
        let crashed = tokio::time::Instant::now();
        incarnation(&w).await;
        delays.push(crashed.elapsed());
    }
    for d in &delays {
        assert!(
            *d >= Duration::from_millis(100) && *d <= Duration::from_millis(150),
            "{d:?}"
        );
    }
    delays.sort();
    delays.dedup();
    assert!(delays.len() > 5, "jitter varies the delays: {delays:?}");
}

#[tokio::test]
async fn a_handle_stays_valid_across_restarts_and_queued_messages_are_kept() {
    quiet_panics();
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne);
    let w = tree.child(worker("w", &log)).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);
    // Hold the child inside a handler, then queue: a crash, three adds, an ask.
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    w.hold(entered_tx, release_rx).tell().await.unwrap();
    entered_rx.await.unwrap();
    let crash = tokio::spawn({
        let w = w.clone();
        async move { w.crash().await }
    });
    while w.mailbox_len() < 1 {
        tokio::task::yield_now().await;
    }
    for _ in 0..3 {
        w.add().tell().await.unwrap();
    }
    let count = tokio::spawn({
        let w = w.clone();
        async move { w.count().await }
    });
    while w.mailbox_len() < 5 {
        tokio::task::yield_now().await;
    }
    release_tx.send(()).unwrap();
    // Only the message in flight at the panic is lost, and its asker is told.
    assert!(matches!(crash.await.unwrap(), Err(AskError::Panicked(_))));
    // The new instance (fresh state) handled the three queued adds, then the ask.
    assert_eq!(count.await.unwrap(), Ok(3));
    assert_eq!(incarnation(&w).await, 2);
    assert_eq!(take(&log), ["w start", "w stop: panicked", "w restart"]);
}

#[tokio::test(start_paused = true)]
async fn a_supervisor_stuck_in_a_restart_loop_can_still_be_shut_down() {
    quiet_panics();
    #[actor]
    struct NeverStarts;
    #[actor]
    impl NeverStarts {
        #[on_start]
        fn started(&mut self) {
            panic!("cannot start, on purpose");
        }
    }
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne)
        .intensity(u32::MAX, Duration::from_secs(1))
        .backoff(Backoff::exponential(
            Duration::from_secs(1),
            Duration::from_secs(60),
        ));
    let child = tree.child(|| NeverStarts).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    tokio::time::sleep(Duration::from_secs(30)).await; // several failed restarts
    let restarts = tree.children().await[0].restarts;
    assert!(restarts >= 3, "restarts: {restarts}");
    let started = tokio::time::Instant::now();
    system.shutdown().await;
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "shutdown waited for the backoff"
    );
    assert!(!tree.is_alive());
    assert!(!child.is_alive());
}

#[tokio::test]
async fn children_can_be_added_to_and_removed_from_a_running_supervisor() {
    let log = new_log();
    let system = System::new();
    let tree = system.spawn_supervisor(Supervisor::new(Strategy::OneForOne));
    let a = tree.child(worker("a", &log)).spawn().unwrap();
    let b = tree
        .child(worker("b", &log))
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    assert_eq!((incarnation(&a).await, incarnation(&b).await), (1, 1));
    assert_eq!(tree.children().await.len(), 2);
    assert!(tree.remove_child(a.id()).await);
    assert_eq!(a.stop_reason(), Some(StopReason::Shutdown));
    assert!(!tree.remove_child(a.id()).await, "already removed");
    let ids: Vec<ActorId> = tree.children().await.iter().map(|c| c.id).collect();
    assert_eq!(ids, [b.id()]);
    // A nested supervisor can be added at run time too.
    let sub = Supervisor::new(Strategy::OneForOne);
    let c = sub.child(worker("c", &log)).spawn().unwrap();
    let sub = tree.supervisor(sub).spawn().unwrap();
    assert_eq!(incarnation(&c).await, 1);
    assert!(tree.remove_child(sub.id()).await);
    assert_eq!(sub.wait_stopped().await, StopReason::Shutdown);
    assert!(!c.is_alive());
    tree.stop();
    tree.wait_stopped().await;
    assert_eq!(
        tree.child(worker("late", &log)).spawn().unwrap_err(),
        actor_core::SpawnError::SupervisorStopped
    );
}

#[tokio::test]
async fn a_child_that_fails_to_build_is_retried_like_any_failure() {
    quiet_panics();
    let attempts = Arc::new(AtomicU64::new(0));
    let log = new_log();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(5, Duration::from_secs(60));
    let w = tree
        .child({
            let attempts = attempts.clone();
            let mut make = worker("w", &log);
            move || {
                if attempts.fetch_add(1, Ordering::SeqCst) < 2 {
                    panic!("not yet, on purpose");
                }
                make()
            }
        })
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert_eq!(incarnation(&w).await, 1);
    assert_eq!(attempts.load(Ordering::SeqCst), 3);
    assert_eq!(tree.children().await[0].restarts, 2);
}

/// About 100 supervised actors, handlers panicking on about 1% of messages,
/// several senders, tens of thousands of asks: every ask resolves, handled +
/// failed equals sent, and the tree is healthy at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_every_ask_resolves_and_the_tree_survives() {
    quiet_panics();

    #[actor(mailbox = 64)]
    struct Flaky {
        handled: Arc<AtomicU64>,
    }
    #[actor]
    impl Flaky {
        #[message]
        fn work(&mut self, seq: u64) -> u64 {
            // A deterministic ~1% of messages panic, decided before any effect.
            if seq.wrapping_mul(0x9E37_79B9_7F4A_7C15).is_multiple_of(100) {
                panic!("chaos, on purpose");
            }
            self.handled.fetch_add(1, Ordering::Relaxed);
            seq
        }
    }

    const ACTORS: usize = 100;
    const SENDERS: u64 = 8;
    const ASKS_PER_SENDER: u64 = 5_000;
    let handled = Arc::new(AtomicU64::new(0));
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(u32::MAX, Duration::from_secs(1));
    let actors: Vec<FlakyHandle> = (0..ACTORS)
        .map(|_| {
            let handled = handled.clone();
            tree.child(move || Flaky {
                handled: handled.clone(),
            })
            .spawn()
            .unwrap()
        })
        .collect();
    let tree = system.spawn_supervisor(tree);
    let actors = Arc::new(actors);

    let run = async {
        let mut senders = Vec::new();
        for sender in 0..SENDERS {
            let actors = actors.clone();
            senders.push(tokio::spawn(async move {
                let (mut ok, mut failed) = (0u64, 0u64);
                for i in 0..ASKS_PER_SENDER {
                    let seq = sender * ASKS_PER_SENDER + i;
                    let target = &actors[(seq as usize * 7 + sender as usize) % ACTORS];
                    match target.work(seq).await {
                        Ok(echo) => {
                            assert_eq!(echo, seq);
                            ok += 1;
                        }
                        Err(AskError::Panicked(_)) => failed += 1,
                        Err(other) => panic!("unexpected ask error {other:?}"),
                    }
                }
                (ok, failed)
            }));
        }
        let mut total = (0, 0);
        for s in senders {
            let (ok, failed) = s.await.unwrap();
            total = (total.0 + ok, total.1 + failed);
        }
        total
    };
    let (ok, failed) = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .expect("every ask resolves well within the deadline");
    let sent = SENDERS * ASKS_PER_SENDER;
    assert_eq!(ok + failed, sent);
    assert_eq!(
        handled.load(Ordering::Relaxed),
        ok,
        "handled + failed == sent"
    );
    assert!(failed > 100 && failed < 1_000, "about 1% failed: {failed}");

    let children = tree.children().await;
    assert_eq!(children.len(), ACTORS);
    assert!(
        children.iter().all(|c| c.running),
        "every child runs at the end"
    );
    let restarts: u64 = children.iter().map(|c| c.restarts).sum();
    assert_eq!(restarts, failed, "one restart per panic");
    for a in actors.iter() {
        assert!(a.is_alive());
    }
    system.shutdown().await;
}
