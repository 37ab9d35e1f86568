//! The IO side: futures and blocking calls on the system's runtime, from any
//! thread, and a limiter that never lets more than its limit run at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use actor_core::{Limiter, System};
use futures::FutureExt;
use tokio::sync::watch;

/// Counts runs in progress and remembers the most seen at once.
#[derive(Clone, Default)]
struct HighWater {
    now: Arc<AtomicUsize>,
    max: Arc<AtomicUsize>,
}

impl HighWater {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.max.fetch_max(now, Ordering::SeqCst);
    }
    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
    fn max(&self) -> usize {
        self.max.load(Ordering::SeqCst)
    }
}

/// A run that counts itself in, yields a few times (so others get their
/// chance to start), and counts itself out.
async fn counted(hw: HighWater, i: usize) -> usize {
    hw.enter();
    for _ in 0..5 {
        tokio::task::yield_now().await;
    }
    hw.leave();
    i
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limiter_never_runs_more_than_its_limit_at_once() {
    let system = System::new();
    let limit = system.io().limit(3);
    let hw = HighWater::default();
    let out = limit
        .run_all((0..200).map(|i| counted(hw.clone(), i)))
        .await;
    assert_eq!(out, (0..200).collect::<Vec<_>>(), "outputs in input order");
    assert_eq!(hw.max(), 3, "reaches the limit and never exceeds it");
    assert_eq!(limit.running(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawned_runs_from_many_tasks_share_one_limit() {
    let system = System::new();
    let limit = system.io().limit(4);
    let hw = HighWater::default();
    let producers: Vec<_> = (0..8)
        .map(|p| {
            let (limit, hw) = (limit.clone(), hw.clone());
            tokio::spawn(async move {
                let mut tasks = Vec::new();
                for i in 0..25 {
                    tasks.push(limit.spawn(counted(hw.clone(), p * 100 + i)).await);
                }
                for t in tasks {
                    t.await.unwrap();
                }
            })
        })
        .collect();
    for p in producers {
        p.await.unwrap();
    }
    assert!(hw.max() <= 4, "ran {} at once with a limit of 4", hw.max());
    assert!(hw.max() >= 1);
}

/// Starts `n` runs through `limit` that hold their place until `gate` opens.
async fn hold_places(limit: &Limiter, n: usize, gate: &watch::Receiver<bool>) {
    for _ in 0..n {
        let mut gate = gate.clone();
        limit
            .spawn(async move {
                let _ = gate.wait_for(|open| *open).await;
            })
            .await;
    }
}

#[tokio::test]
async fn limiter_spawn_waits_for_a_place_before_spawning() {
    let system = System::new();
    let limit = system.io().limit(2);
    let (open, gate) = watch::channel(false);
    hold_places(&limit, 2, &gate).await;
    assert_eq!(limit.running(), 2);
    // A third must wait: its spawn does not complete.
    let third = limit.spawn(async { "third" });
    tokio::pin!(third);
    assert!((&mut third).now_or_never().is_none());
    assert_eq!(limit.running(), 2);
    open.send(true).unwrap();
    let third = third.await;
    assert_eq!(third.await.unwrap(), "third");
}

#[tokio::test]
async fn a_cancelled_run_frees_its_place() {
    let system = System::new();
    let limit = system.io().limit(1);
    let mut stuck = Box::pin(limit.run(std::future::pending::<()>()));
    assert!((&mut stuck).now_or_never().is_none());
    assert_eq!(limit.running(), 1);
    assert!(limit.run(async {}).now_or_never().is_none());
    drop(stuck);
    assert_eq!(limit.running(), 0);
    assert_eq!(limit.run(async { 5 }).now_or_never(), Some(5));
}

#[tokio::test]
async fn a_limit_of_zero_is_raised_to_one() {
    let system = System::new();
    let limit = system.io().limit(0);
    assert_eq!(limit.max(), 1);
    assert_eq!(limit.run(async { "ran" }).await, "ran");
}

#[tokio::test(start_paused = true)]
async fn run_all_returns_outputs_in_input_order_whatever_order_they_finish_in() {
    let system = System::new();
    let limit = system.io().limit(4);
    let out = limit
        .run_all((0..12u64).map(|i| async move {
            tokio::time::sleep(Duration::from_millis(100 - i * 7)).await;
            i
        }))
        .await;
    assert_eq!(out, (0..12).collect::<Vec<_>>());
}

#[tokio::test]
async fn io_spawn_works_from_a_cpu_pool_thread() {
    let system = System::new();
    let io = system.io().clone();
    // `tokio::spawn` would panic here: pool threads are outside the runtime.
    let task = system
        .cpu()
        .spawn(move || io.spawn(async { "spawned from the pool" }))
        .await
        .expect("io.spawn works off the runtime");
    assert_eq!(task.await.unwrap(), "spawned from the pool");
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_calls_run_off_the_runtime_thread() {
    let system = System::new();
    let (tx, rx) = std::sync::mpsc::channel::<u32>();
    // Blocks until the runtime thread, still free, sends.
    let blocked = system.io().spawn_blocking(move || rx.recv().unwrap() + 1);
    tx.send(41).unwrap();
    assert_eq!(blocked.await.unwrap(), 42);
}

#[test]
fn a_system_built_outside_a_runtime_does_its_io_on_the_runtime_it_is_first_used_in() {
    let system = System::new();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("first-used-in")
        .enable_all()
        .build()
        .unwrap();
    let io = rt.block_on(async { system.io().clone() });
    // From outside any runtime now, it still spawns there.
    let name = rt
        .block_on(io.spawn(async { std::thread::current().name().map(str::to_owned) }))
        .unwrap();
    assert_eq!(name.as_deref(), Some("first-used-in"));
}

#[test]
fn io_runtime_sends_io_to_the_given_runtime() {
    let io_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("io-runtime")
        .enable_all()
        .build()
        .unwrap();
    let main_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let name = main_rt.block_on(async {
        let system = System::builder().io_runtime(io_rt.handle().clone()).build();
        system
            .io()
            .spawn(async { std::thread::current().name().map(str::to_owned) })
            .await
            .unwrap()
    });
    assert_eq!(name.as_deref(), Some("io-runtime"));
}
