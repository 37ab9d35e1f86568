//! A meeting controller on actor-core: one actor per meeting, a rate limiter
//! actor per user, and a JWKS cache actor refreshed on a timer, under load
//! from hundreds of device tasks. It ends by showing that the limits held.
//!
//! ```text
//! cargo run --example meeting_controller
//! cargo run --example meeting_controller -- --users 500 --meetings 20 --seconds 5
//! cargo run --example meeting_controller -- --help
//! ```
//!
//! The actors live in `examples/src/meeting_controller/`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use actor_core_examples::meeting_controller::{self, Options, Output};
use clap::Parser;

const D: Options = Options::DEFAULT;

/// Runs a meeting service on an actor system under load and checks its limits.
#[derive(Debug, Parser)]
#[command(name = "meeting_controller", version)]
struct Cli {
    /// Meetings
    #[arg(long, default_value_t = D.meetings)]
    meetings: usize,
    /// Seats per meeting
    #[arg(long, default_value_t = D.capacity)]
    capacity: usize,
    /// Users
    #[arg(long, default_value_t = D.users)]
    users: usize,
    /// Devices per user (each one a task)
    #[arg(long, default_value_t = D.devices)]
    devices: usize,
    /// How long the devices keep sending, in seconds
    #[arg(long, default_value_t = D.duration.as_secs_f64())]
    seconds: f64,
    /// Requests a user may make at once
    #[arg(long, default_value_t = D.burst)]
    burst: u32,
    /// Requests a user may make per second, sustained
    #[arg(long, default_value_t = D.per_second)]
    rate: f64,
    /// How often the JWKS cache refetches the keys, in milliseconds
    #[arg(long, default_value_t = D.refresh_every.as_millis() as u64)]
    refresh_ms: u64,
    /// How long a key fetch takes, in milliseconds
    #[arg(long, default_value_t = D.fetch_latency.as_millis() as u64)]
    fetch_ms: u64,
    /// How often the identity provider rotates its key, in milliseconds
    #[arg(long, default_value_t = D.rotate_every.as_millis() as u64)]
    rotate_ms: u64,
    /// Fraction of requests carrying a forged token
    #[arg(long, default_value_t = D.forge_rate)]
    forge_rate: f64,
    /// Seeds the devices' choices
    #[arg(long, default_value_t = D.seed)]
    seed: u64,
    /// Plain lines instead of a progress bar, even on a terminal
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

    let output = if cli.quiet {
        Output::Quiet
    } else if cli.plain || !std::io::stdout().is_terminal() {
        Output::Lines
    } else {
        Output::Bars
    };
    let Ok(duration) = Duration::try_from_secs_f64(cli.seconds) else {
        eprintln!("meeting_controller: --seconds takes a duration in seconds, such as 2.5");
        return ExitCode::FAILURE;
    };
    let opts = Options {
        meetings: cli.meetings,
        capacity: cli.capacity,
        users: cli.users,
        devices: cli.devices,
        duration,
        burst: cli.burst,
        per_second: cli.rate,
        refresh_every: Duration::from_millis(cli.refresh_ms),
        fetch_latency: Duration::from_millis(cli.fetch_ms),
        rotate_every: Duration::from_millis(cli.rotate_ms),
        forge_rate: cli.forge_rate,
        seed: cli.seed,
        output,
        ..D
    };
    match meeting_controller::run(opts, &mut std::io::stdout()).await {
        Ok(summary)
            if summary.over_capacity().count() == 0 && summary.over_limit().count() == 0 =>
        {
            ExitCode::SUCCESS
        }
        Ok(_) => ExitCode::FAILURE,
        Err(err) => {
            eprintln!("meeting_controller: {err}");
            ExitCode::FAILURE
        }
    }
}
