//! Compresses a file in chunks on the CPU pool with bounded parallelism,
//! writes the chunks in order with a progress bar, then verifies the output.
//!
//! ```sh
//! cargo run --example file_pipeline                      # 32 MiB of generated text
//! cargo run --example file_pipeline -- --size 200MiB --in-flight 8
//! cargo run --release --example file_pipeline -- big.log --output big.log.gz
//! ```
//!
//! The actors and the pipeline are in `src/file_pipeline/`.

use std::path::PathBuf;
use std::process::ExitCode;

use actor_core_examples::file_pipeline::{self, Input, Options, ProgressMode, parse_size};
use clap::Parser;

/// Compresses a file in chunks on actor-core's CPU pool (gzip + SHA-256 per
/// chunk), at most --in-flight chunks at a time, writes them in order as an
/// ordinary .gz file, then decompresses the output and checks every chunk's
/// SHA-256.
#[derive(Debug, Parser)]
#[command(name = "file_pipeline")]
struct Args {
    /// The file to compress. Without it, a file of generated text (--size).
    path: Option<PathBuf>,
    /// The size of the generated text, when no PATH is given (e.g. 500k, 32MiB, 1GiB).
    #[arg(long, value_parser = parse_size, default_value = "32MiB")]
    size: u64,
    /// Where to write the .gz output. Without it, a temporary file, removed at the end.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// The size of a chunk (e.g. 256k, 1MiB).
    #[arg(long, value_parser = parse_size, default_value = "1MiB")]
    chunk_size: u64,
    /// The most chunks between read and written at once [default: 2 x CPU threads].
    #[arg(long)]
    in_flight: Option<usize>,
    /// Threads of the CPU pool [default: one per CPU].
    #[arg(long)]
    cpu_threads: Option<usize>,
    /// gzip level: 0 (store) to 9 (smallest).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(0..=9))]
    level: u32,
    /// Print progress as plain lines, even on a terminal.
    #[arg(long)]
    no_bar: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();

    let opts = Options {
        input: match args.path {
            Some(path) => Input::File(path),
            None => Input::Generate { size: args.size },
        },
        output: args.output,
        chunk_size: usize::try_from(args.chunk_size).unwrap_or(usize::MAX),
        in_flight: args.in_flight,
        cpu_threads: args.cpu_threads,
        level: args.level,
        progress: if args.no_bar {
            ProgressMode::Lines
        } else {
            ProgressMode::for_stdout()
        },
    };
    match file_pipeline::run(&opts, &mut std::io::stdout()).await {
        Ok(summary) if summary.verification.is_ok() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("file_pipeline: {e}");
            ExitCode::FAILURE
        }
    }
}
