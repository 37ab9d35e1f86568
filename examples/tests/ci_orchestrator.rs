//! The CI orchestrator, run in a short mode: every job finishes although
//! workers crash on purpose, and the output says so. And one worker alone,
//! against a stand-in for its orchestrator (`actor_core::testing`).

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::testing;
use actor_core_examples::ci_orchestrator::model::{JobId, JobSpec, RunnerId, Step};
use actor_core_examples::ci_orchestrator::orchestrator::{Orchestrator, OrchestratorCall};
use actor_core_examples::ci_orchestrator::worker::{INJECTED, Worker};
use actor_core_examples::ci_orchestrator::{self, Options, Output, scheduler::Policy};

/// Bounds a wait that only a broken worker makes long: a failure, not a
/// sleep. (The workers' archive step runs on the CPU pool, real threads, so
/// these tests run on the real clock.)
const HANG: Duration = Duration::from_secs(20);

/// A job of four steps that waits for nothing (time scale 0).
fn job(crash_at: Option<usize>) -> Arc<JobSpec> {
    Arc::new(JobSpec {
        id: JobId(7),
        name: "api#1/test".into(),
        steps: vec![
            Step::Checkout,
            Step::Compile,
            Step::ArchiveLogs,
            Step::Upload,
        ]
        .into(),
        log_bytes: 4096,
        seed: 1,
        crash_at,
        time_scale: 0.0,
    })
}

async fn run(opts: Options) -> (ci_orchestrator::Summary, String) {
    ci_orchestrator::quiet_injected_panics();
    let mut out = Vec::new();
    let summary = ci_orchestrator::run(opts, &mut out)
        .await
        .expect("the run finishes");
    (
        summary,
        String::from_utf8(out).expect("the output is UTF-8"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_job_finishes_although_workers_crash_on_purpose() {
    let opts = Options::small();
    let (summary, text) = run(opts).await;
    let s = &summary.status;

    assert_eq!(s.jobs, opts.jobs);
    assert_eq!(s.jobs_finished, s.jobs, "every job finished");
    assert_eq!(s.pipelines_finished, s.pipelines, "every pipeline finished");
    assert_eq!(s.steps_done, s.steps, "every step of every job is done");
    assert_eq!(s.steps, 4 * opts.jobs);

    // 25% of 12 jobs crash once each, mid-job; the supervisor restarts each
    // worker once and each retried job then succeeds.
    assert_eq!(summary.crashes_planned, 3);
    assert_eq!(s.crashes, 3, "the orchestrator heard of each crash");
    assert_eq!(summary.worker_panics, 3, "the runtime caught each panic");
    assert_eq!(
        summary.worker_restarts, 3,
        "the supervisor restarted each worker"
    );
    assert_eq!(
        s.jobs_retried, 3,
        "each crashed job was retried and finished"
    );
    assert!(
        s.step_runs >= s.steps_done + 3,
        "a retry starts again from checkout, so steps run again: {s:?}"
    );
    assert_eq!(
        summary.workers_started, opts.jobs as u64,
        "one worker per job"
    );

    // The CPU step ran for every job (and again for jobs that crashed after it).
    let t = &summary.telemetry;
    assert!(t.archives >= opts.jobs as u64);
    assert_eq!(t.log_bytes, t.archives * opts.log_kib as u64 * 1024);
    assert!(t.archive_bytes > 0 && t.archive_bytes < t.log_bytes / 2);
    assert_eq!(t.missed, 0, "telemetry saw every event");
    let per_runner: u64 = t.runners.values().map(|r| r.jobs).sum();
    assert_eq!(per_runner, opts.jobs as u64);

    // Scheduling: every job placed once, spread evenly by least-loaded.
    assert_eq!(summary.placed_per_runner.len(), opts.runners);
    assert_eq!(
        summary.placed_per_runner.iter().sum::<u64>(),
        opts.jobs as u64
    );

    // What a person reads.
    assert!(text.starts_with("ci_orchestrator: 12 jobs"), "{text}");
    assert_eq!(text.matches(" crashed on runner-").count(), 3, "{text}");
    assert_eq!(text.matches(" restarted on runner-").count(), 3, "{text}");
    assert_eq!(text.matches(" finished on attempt 2").count(), 3, "{text}");
    assert!(
        text.contains("100% · 12/12 jobs · 48/48 steps · 3 crashes"),
        "{text}"
    );
    for line in [
        "\nSummary\n",
        "  jobs        12 of 12 finished; 3 needed a second worker after a crash\n",
        "  steps       48 of 48 done;",
        "  crashes     3 planned, 3 worker panics caught, 3 workers restarted by their supervisor\n",
        "  throughput  ",
        "jobs/s",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    assert!(text.ends_with(&format!("{summary}\n")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_crashes_nothing_is_restarted_and_round_robin_takes_runners_in_turn() {
    let opts = Options {
        crash_rate: 0.0,
        policy: Policy::RoundRobin,
        time_scale: 0.0,
        output: Output::Quiet,
        ..Options::small()
    };
    let (summary, text) = run(opts).await;
    assert_eq!(summary.status.jobs_finished, opts.jobs);
    assert_eq!(summary.status.crashes, 0);
    assert_eq!(summary.worker_restarts, 0);
    assert_eq!(summary.status.step_runs, summary.status.steps);
    assert!(!text.contains("% · "), "quiet: no progress lines:\n{text}");
    assert!(text.contains("round-robin scheduling"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_storm_makes_the_tree_give_up_and_the_run_fail_instead_of_hanging() {
    ci_orchestrator::quiet_injected_panics();
    // Every job's first worker crashes; the workers' supervisor tolerates no
    // restart, so a crash escalates to the root, which restarts the workers'
    // supervisor (and with it every worker in flight, as a retry) and gives
    // up at the fourth time.
    let opts = Options {
        jobs: 40,
        log_kib: 1,
        crash_rate: 1.0,
        max_restarts: Some(0),
        time_scale: 0.0,
        output: Output::Quiet,
        ..Options::small()
    };
    let mut out = Vec::new();
    let err = ci_orchestrator::run(opts, &mut out)
        .await
        .expect_err("the tree gives up");
    assert!(
        matches!(err, ci_orchestrator::RunError::GaveUp(_)),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.starts_with("the supervision tree gave up after too many restarts; the last failure: panicked in `run_step`: injected fault in "),
        "{message}"
    );
}

/// One worker against a stand-in for its orchestrator, which records what
/// it is told: no scheduler, no supervisor, no other job.
#[tokio::test]
async fn a_worker_reports_its_start_each_step_in_order_and_the_end_then_stops() {
    let system = System::new();
    let (orchestrator, mut told) = testing::stand_in_probe::<Orchestrator>(&system);
    let worker = system.spawn(Worker::new(job(None), RunnerId(2), 1, orchestrator));

    let OrchestratorCall::JobStarted {
        job,
        runner,
        attempt,
        ..
    } = told.expect_message(HANG).await
    else {
        panic!("the worker announces itself first");
    };
    assert_eq!((job, runner, attempt), (JobId(7), RunnerId(2), 1));
    for expected in 0..4 {
        let OrchestratorCall::StepDone {
            job,
            index,
            archive,
            ..
        } = told.expect_message(HANG).await
        else {
            panic!("step {expected} is reported next");
        };
        assert_eq!((job, index), (JobId(7), expected));
        // Only the archive step (on the CPU pool) makes an archive.
        assert_eq!(archive.is_some(), index == 2, "step {index}: {archive:?}");
    }
    let OrchestratorCall::JobDone { job, .. } = told.expect_message(HANG).await else {
        panic!("then the job is done");
    };
    assert_eq!(job, JobId(7));
    testing::expect_stop_with(&worker, StopReason::Normal, HANG).await;
}

#[tokio::test]
async fn a_worker_that_crashes_tells_the_orchestrator_why() {
    ci_orchestrator::quiet_injected_panics();
    let system = System::new();
    let (orchestrator, mut told) = testing::stand_in_probe::<Orchestrator>(&system);
    let worker = system.spawn(Worker::new(job(Some(1)), RunnerId(0), 1, orchestrator));

    // Started, checked out, then the crash in the compile step.
    let calls = told.expect_messages(2, HANG).await;
    assert!(
        matches!(calls[1], OrchestratorCall::StepDone { index: 0, .. }),
        "{calls:?}"
    );
    let OrchestratorCall::WorkerCrashed { job, reason, .. } = told.expect_message(HANG).await
    else {
        panic!("the crash is reported, not a step");
    };
    assert_eq!(job, JobId(7));
    assert_eq!(
        reason,
        format!("panicked in `run_step`: {INJECTED} in compile")
    );
    let StopReason::Panicked(panic) = testing::expect_stop(&worker, HANG).await else {
        panic!("the worker stopped for its panic");
    };
    assert_eq!(panic.handler(), "run_step");
}

/// The README's command, run for real (briefly).
#[test]
fn the_example_binary_runs_from_the_readme_command() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the examples live in the workspace");
    let mut cargo = Command::new(env!("CARGO"));
    cargo
        .current_dir(root)
        .args(["run", "--quiet", "--example", "ci_orchestrator"]);
    if !cfg!(debug_assertions) {
        cargo.arg("--release");
    }
    let out = cargo
        .args([
            "--",
            "--jobs",
            "6",
            "--time-scale",
            "0",
            "--log-kib",
            "8",
            "--crash-rate",
            "0.2",
        ])
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("  jobs        6 of 6 finished; 1 needed a second worker after a crash"),
        "{stdout}"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "injected panics stay quiet"
    );
}
