//! An HTTP server (axum) whose handlers ask actors: a counter and a
//! key-value store, with the actors' errors turned into status codes.
//!
//! ```sh
//! cargo run --example http_service                  # on 127.0.0.1:3000
//! cargo run --example http_service -- --port 8080 --ask-timeout-ms 500
//! ```
//!
//! It prints curl commands to try; ctrl-c stops it gracefully. The actors
//! and the routes are in `src/http_service/`.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use actor_core_examples::http_service::{self, Config};
use clap::Parser;

/// Serves a counter and a key-value store, each an actor, over HTTP on
/// 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "http_service")]
struct Args {
    /// The port to listen on (0: any free port).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// How long a request waits for an actor's answer before getting 504.
    #[arg(long, default_value_t = 2000)]
    ask_timeout_ms: u64,
    /// How many requests may queue at an actor before new ones get 503.
    #[arg(long, default_value_t = 64)]
    max_queue: usize,
}

#[tokio::main]
async fn main() -> ExitCode {
    // actor-core reports through tracing: a caught panic as an ERROR, a
    // supervisor's restart as a WARN.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
    // The counter panics on purpose (POST /chaos/crash-counter). actor-core
    // catches the panic and logs it with the handler's name, so the default
    // hook's report would only repeat it.
    std::panic::set_hook(Box::new(|_| {}));
    let args = Args::parse();

    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("http_service: cannot listen on {addr}: {e} (try --port 0)");
            return ExitCode::FAILURE;
        }
    };
    let config = Config {
        ask_timeout: Duration::from_millis(args.ask_timeout_ms),
        max_queue: args.max_queue,
        ..Config::default()
    };
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            eprintln!("http_service: cannot wait for ctrl-c ({e}); stopping");
        }
    };
    match http_service::serve(listener, config, ctrl_c, std::io::stdout()).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("http_service: {e}");
            ExitCode::FAILURE
        }
    }
}
