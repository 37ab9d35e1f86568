//! The CPU pool runs work off the tokio runtime, returns results and panics
//! as values, survives panics, and lets an actor answer other messages while
//! a delegated reply is being computed.

mod common;

use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use actor_core::prelude::*;
use tokio::sync::oneshot;
use tracing::Instrument;

/// Bounds a wait that only a broken runtime makes long: a failure, not a sleep.
const HANG: Duration = Duration::from_secs(10);

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_cpu_task_returns_its_result() {
    let system = System::new();
    assert_eq!(
        system.cpu().spawn(|| (1..=100u64).sum::<u64>()).await,
        Ok(5050)
    );
}

#[tokio::test]
async fn cpu_tasks_run_on_pool_threads_not_on_the_runtime() {
    let system = System::new();
    let caller = thread_name();
    let worker = system.cpu().spawn(thread_name).await.unwrap();
    assert!(worker.starts_with("actor-core-cpu-"), "ran on {worker:?}");
    assert_ne!(worker, caller);
}

#[tokio::test]
async fn the_cpu_pool_has_the_configured_number_of_threads_running_at_once() {
    let system = System::builder().cpu_threads(3).build();
    assert_eq!(system.cpu().threads(), 3);
    // Three tasks that each wait for the other two: only three threads at once
    // let them all through.
    let all_in = Arc::new(Barrier::new(3));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let all_in = all_in.clone();
            system.cpu().spawn(move || {
                all_in.wait();
                (thread_name(), rayon::current_num_threads())
            })
        })
        .collect();
    let mut names = Vec::new();
    for task in tasks {
        let (name, threads) = tokio::time::timeout(HANG, task).await.unwrap().unwrap();
        assert_eq!(threads, 3);
        names.push(name);
    }
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 3);
}

#[tokio::test]
async fn a_panic_in_a_cpu_task_comes_back_as_an_error_and_the_pool_keeps_working() {
    common::quiet_panics();
    let system = System::builder().cpu_threads(1).build();
    let before = system.cpu().spawn(thread_name).await.unwrap();
    let err = system
        .cpu()
        .spawn(|| -> u32 { panic!("bad input") })
        .await
        .unwrap_err();
    match &err {
        CpuError::Panicked(p) => assert_eq!(p.message(), "bad input"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    assert!(err.to_string().contains("bad input"));
    // The one thread survived and takes more work.
    for i in 0..10u32 {
        assert_eq!(system.cpu().spawn(move || i * 2).await, Ok(i * 2));
    }
    assert_eq!(system.cpu().spawn(thread_name).await.unwrap(), before);
}

#[tokio::test]
async fn dropping_a_cpu_task_still_runs_the_work() {
    let system = System::new();
    let (done_tx, done_rx) = oneshot::channel();
    let task = system.cpu().spawn(move || done_tx.send(7).unwrap());
    drop(task);
    assert_eq!(done_rx.await, Ok(7));
}

#[tokio::test(flavor = "current_thread")]
async fn cpu_work_does_not_block_the_runtime_it_was_spawned_from() {
    let system = System::new();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = oneshot::channel();
    let task = system.cpu().spawn(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        "released"
    });
    started_rx.await.unwrap();
    // On a single-threaded runtime, other tasks still run while the CPU work blocks.
    let other = tokio::spawn(async { "other task ran" });
    assert_eq!(other.await.unwrap(), "other task ran");
    assert!(!task.is_finished());
    release_tx.send(()).unwrap();
    assert_eq!(task.await, Ok("released"));
}

#[tokio::test]
async fn the_callers_tracing_span_is_entered_in_the_cpu_task() {
    use tracing_subscriber::util::SubscriberInitExt;
    // Global, because the task runs on another thread.
    let _ = tracing_subscriber::registry().try_init();
    let system = System::new();
    let seen = async {
        system
            .cpu()
            .spawn(|| tracing::Span::current().metadata().map(|m| m.name()))
            .await
    }
    .instrument(tracing::info_span!("caller"))
    .await;
    assert_eq!(seen, Ok(Some("caller")));
}

/// Computes on the CPU pool with delegated replies; answers `ping` itself.
#[actor]
struct Cruncher {
    pings: u64,
}

#[actor]
impl Cruncher {
    /// Tells `started` once the work runs, then waits for `input` and doubles it.
    #[message(response = u64)]
    fn crunch(
        &mut self,
        started: oneshot::Sender<String>,
        input: mpsc::Receiver<u64>,
        reply: Reply<u64>,
        ctx: &mut Context<Self>,
    ) {
        ctx.spawn_cpu(move || {
            let _ = started.send(thread_name());
            let n = input.recv().expect("the test sends the input");
            reply.send(n * 2);
        });
    }

    /// Panics on the CPU pool while owning the reply.
    #[message(response = u64)]
    fn crunch_badly(&mut self, reply: Reply<u64>, ctx: &mut Context<Self>) {
        ctx.spawn_cpu(move || {
            let _reply = reply;
            panic!("crunch failed");
        });
    }

    /// Awaits the CPU task inside the handler.
    #[message]
    async fn crunch_inline(&mut self, n: u64, ctx: &mut Context<Self>) -> Result<u64, CpuError> {
        ctx.spawn_cpu(move || n + 1).await
    }

    #[message]
    fn ping(&mut self) -> u64 {
        self.pings += 1;
        self.pings
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegated_reply_lets_the_actor_answer_other_asks_while_the_cpu_work_runs() {
    let system = System::new();
    let cruncher = system.spawn(Cruncher { pings: 0 });
    let (started_tx, started_rx) = oneshot::channel();
    let (input_tx, input_rx) = mpsc::channel();
    let pending = tokio::spawn({
        let cruncher = cruncher.clone();
        async move { cruncher.crunch(started_tx, input_rx).await }
    });
    // The handler has returned and its work is running, blocked on the input.
    let worker = started_rx.await.unwrap();
    assert!(worker.starts_with("actor-core-cpu-"), "ran on {worker:?}");
    // Meanwhile the same actor answers other asks.
    for expected in 1..=3 {
        assert_eq!(cruncher.ping().timeout(HANG).await, Ok(expected));
    }
    assert!(!pending.is_finished());
    input_tx.send(21).unwrap();
    assert_eq!(pending.await.unwrap(), Ok(42));
}

#[tokio::test]
async fn a_panic_in_delegated_cpu_work_answers_the_ask_with_panicked_and_the_actor_keeps_running() {
    common::quiet_panics();
    let system = System::new();
    let cruncher = system.spawn(Cruncher { pings: 0 });
    // The reply was dropped by the panic the pool caught: the ask has it.
    assert_eq!(
        cruncher.crunch_badly().await,
        Err(AskError::Panicked(PanicError::new(
            "cpu task",
            "crunch failed"
        )))
    );
    assert_eq!(cruncher.ping().await, Ok(1));
    assert!(cruncher.is_alive());
}

#[tokio::test]
async fn a_handler_can_await_its_cpu_task() {
    let system = System::new();
    let cruncher = system.spawn(Cruncher { pings: 0 });
    assert_eq!(cruncher.crunch_inline(41).await, Ok(Ok(42)));
}
