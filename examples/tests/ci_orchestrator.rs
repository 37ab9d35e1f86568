//! The CI orchestrator, run in a short mode: every job finishes although
//! workers crash on purpose, and the output says so.

use std::process::Command;

use actor_core_examples::ci_orchestrator::{self, Options, Output, scheduler::Policy};

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
