//! A CI orchestrator on actor-core: pipelines of jobs run by ephemeral
//! workers under a supervision tree; build logs compressed and hashed on the
//! CPU pool; some workers crash on purpose and every job still finishes.
//!
//! ```text
//! cargo run --example ci_orchestrator
//! cargo run --example ci_orchestrator -- --jobs 200 --runners 8 --crash-rate 0.2
//! cargo run --example ci_orchestrator -- --help
//! ```
//!
//! The actors live in `examples/src/ci_orchestrator/`.

use std::io::IsTerminal;
use std::process::ExitCode;

use actor_core_examples::ci_orchestrator::{self, Options, Output, scheduler::Policy};
use clap::Parser;

/// Runs CI pipelines on an actor system and prints what happened.
#[derive(Debug, Parser)]
#[command(name = "ci_orchestrator", version)]
struct Cli {
    /// Jobs to run (pipelines of 2 to 4 jobs each)
    #[arg(long, default_value_t = Options::DEFAULT.jobs)]
    jobs: usize,
    /// Build machines
    #[arg(long, default_value_t = Options::DEFAULT.runners)]
    runners: usize,
    /// Jobs each runner runs at once
    #[arg(long, default_value_t = Options::DEFAULT.slots)]
    slots: usize,
    /// Fraction of jobs whose first worker crashes mid-job
    #[arg(long, default_value_t = Options::DEFAULT.crash_rate)]
    crash_rate: f64,
    /// Size of each job's log, in KiB
    #[arg(long, default_value_t = Options::DEFAULT.log_kib)]
    log_kib: usize,
    /// How jobs are matched to runners: least-loaded or round-robin
    #[arg(long, default_value_t = Options::DEFAULT.policy)]
    policy: Policy,
    /// Multiplies the simulated step times (0 runs the steps back to back)
    #[arg(long, default_value_t = Options::DEFAULT.time_scale)]
    time_scale: f64,
    /// Seeds the jobs and crashes (the same seed, the same run)
    #[arg(long, default_value_t = Options::DEFAULT.seed)]
    seed: u64,
    /// Threads of the CPU pool (default: one per CPU)
    #[arg(long)]
    cpu_threads: Option<usize>,
    /// Worker restarts per second tolerated before the run gives up (default: 10 per slot)
    #[arg(long)]
    max_restarts: Option<u32>,
    /// Plain lines instead of progress bars, even on a terminal
    #[arg(long)]
    plain: bool,
    /// Print only the header and the summary
    #[arg(long, conflicts_with = "plain")]
    quiet: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // `RUST_LOG=actor_core=debug` shows the runtime's own tracing on stderr.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("off")),
        )
        .with_writer(std::io::stderr)
        .init();
    ci_orchestrator::quiet_injected_panics();

    let output = if cli.quiet {
        Output::Quiet
    } else if cli.plain || !std::io::stdout().is_terminal() {
        Output::Lines
    } else {
        Output::Bars
    };
    let opts = Options {
        jobs: cli.jobs,
        runners: cli.runners,
        slots: cli.slots,
        crash_rate: cli.crash_rate,
        log_kib: cli.log_kib,
        policy: cli.policy,
        time_scale: cli.time_scale,
        seed: cli.seed,
        cpu_threads: cli.cpu_threads,
        max_restarts: cli.max_restarts,
        output,
    };
    match ci_orchestrator::run(opts, &mut std::io::stdout()).await {
        Ok(summary) if summary.status.jobs_finished == summary.status.jobs => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("ci_orchestrator: {err}");
            ExitCode::FAILURE
        }
    }
}
