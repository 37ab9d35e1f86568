//! `http_service`: an HTTP server whose handlers ask actors.
//!
//! Two actors hold the state, each under its own supervisor (so a counter
//! that keeps crashing cannot take the store down with it):
//! - [`Counter`]: `GET /counter`, `POST /counter/incr?by=N`;
//! - [`Store`], a bounded key-value store: `GET /kv`, and `GET`, `PUT` (the
//!   body is the value) and `DELETE` on `/kv/{key}`.
//!
//! Every handler asks its actor with a deadline and maps the outcome to a
//! status code ([`ApiError`] has the table): the actors' own errors (404, 400,
//! 409, 413, 422, 507), and the ways an ask fails: no answer in time (504),
//! too many requests already queued at the actor (503 with `Retry-After`),
//! an actor that panicked (500), restarted (503, retry) or stopped (503).
//!
//! `/chaos/crash-counter` and `/chaos/stall-store?ms=N` make those failures
//! happen on demand, to watch the service survive them (a stall ends after N
//! ms, or when the service starts shutting down); `GET /stats` shows
//! the actors' metrics (messages handled, queued, panics, restarts), and
//! `GET /metrics` serves them in the Prometheus text format (actor-core's
//! `metrics` feature, exported with `metrics-exporter-prometheus`).
//!
//! Run it with `cargo run --example http_service` and follow the curl
//! commands it prints; ctrl-c stops it gracefully: requests in flight are
//! answered, then the actors stop.

mod api;
mod counter;
mod error;
mod store;

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::metrics::Exporter;
use actor_core::prelude::*;
use axum::http::StatusCode;
use metrics_exporter_prometheus::PrometheusBuilder;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use self::counter::{Counter, CounterError, CounterHandle};
pub use self::error::ApiError;
pub use self::store::{Limits, Put, Store, StoreError, StoreHandle};

use self::api::AppState;

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long a handler waits for an actor's answer before answering 504.
    pub ask_timeout: Duration,
    /// How many requests may wait in an actor's mailbox before new ones are
    /// refused with 503 (load shedding).
    pub max_queue: usize,
    /// The largest step of `POST /counter/incr`.
    pub max_step: u64,
    /// The store's limits.
    pub limits: Limits,
    /// Restarts of the counter its supervisor allows within `restart_window`
    /// before it gives up and leaves the counter stopped.
    pub max_restarts: u32,
    /// See `max_restarts`.
    pub restart_window: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            ask_timeout: Duration::from_secs(2),
            max_queue: 64,
            max_step: 1_000_000,
            limits: Limits {
                max_keys: 10_000,
                max_key: 256,
                max_value: 64 << 10,
            },
            max_restarts: 3,
            restart_window: Duration::from_secs(10),
        }
    }
}

/// What the service did, returned once it has shut down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Requests answered.
    pub requests: u64,
    /// Requests answered, by status code.
    pub statuses: BTreeMap<u16, u64>,
}

/// Serves on `listener` until `shutdown` completes, then stops gracefully:
/// no new connections, requests in flight answered, then the actors stopped.
///
/// Prints the address, example commands, and a line per request to `out`.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
    out: impl Write + Send + 'static,
) -> io::Result<Summary> {
    let addr = listener.local_addr()?;
    let log = Log(Arc::new(Mutex::new(Box::new(out))));
    let system = System::new();

    // Each actor under its own supervisor: restarted after a panic, given up
    // on after too many restarts in a row.
    let counter_tree =
        Supervisor::new(Strategy::OneForOne).intensity(config.max_restarts, config.restart_window);
    let max_step = config.max_step;
    let counter: CounterHandle = counter_tree
        .child(move || Counter::new(max_step))
        .restart(Restart::Permanent)
        .spawn()
        .map_err(io::Error::other)?;
    system.spawn_supervisor(counter_tree);

    let store_tree = Supervisor::new(Strategy::OneForOne);
    let limits = config.limits;
    let store: StoreHandle = store_tree
        .child(move || Store::new(limits))
        .restart(Restart::Permanent)
        .spawn()
        .map_err(io::Error::other)?;
    system.spawn_supervisor(store_tree);

    let tally = Tally::default();
    let (release_stalls, _) = watch::channel(());
    let state = AppState {
        system: system.clone(),
        counter,
        store,
        config,
        log: log.clone(),
        tally: tally.clone(),
        release_stalls: release_stalls.clone(),
        exporter: Exporter::new(&system),
        prometheus: Arc::new(PrometheusBuilder::new().build_recorder()),
    };

    log.text(&welcome(addr));
    let stopping = {
        let log = log.clone();
        async move {
            shutdown.await;
            log.line(format_args!(
                "shutting down: answering the requests in flight, then stopping the actors"
            ));
            // A stalled store would hold up the requests queued behind it.
            release_stalls.send_replace(());
        }
    };
    axum::serve(listener, api::router(state))
        .with_graceful_shutdown(stopping)
        .await?;
    system.shutdown().await;

    let summary = tally.summary();
    log.line(format_args!("stopped after {}", describe(&summary)));
    Ok(summary)
}

/// The greeting: where the service listens and what to try.
fn welcome(addr: SocketAddr) -> String {
    let url = format!("http://{addr}");
    let mut text = format!("http_service listening on {url} (ctrl-c stops it)\n\ntry:\n");
    for (command, note) in [
        (format!("curl {url}/counter"), ""),
        (format!("curl -X POST '{url}/counter/incr?by=5'"), ""),
        (
            format!("curl -X PUT --data-binary 'hello' {url}/kv/greeting"),
            "",
        ),
        (format!("curl {url}/kv/greeting"), ""),
        (format!("curl {url}/kv"), ""),
        (format!("curl -i -X DELETE {url}/kv/greeting"), "204"),
        (format!("curl -i {url}/kv/missing"), "404: no such key"),
        (
            format!("curl -i -X POST '{url}/counter/incr?by=0'"),
            "422: out of range",
        ),
        (
            format!("curl -i -X POST {url}/chaos/crash-counter"),
            "500; restarted at 0",
        ),
        (
            format!("curl -X POST '{url}/chaos/stall-store?ms=5000'"),
            "then GET a key: 504",
        ),
        (format!("curl {url}/stats"), "handled, panics, restarts"),
        (format!("curl {url}/metrics"), "the same, for Prometheus"),
    ] {
        if note.is_empty() {
            text += &format!("  {command}\n");
        } else {
            text += &format!("  {command:<62} # {note}\n");
        }
    }
    text.push('\n');
    text
}

/// "12 requests: 200 x7, 404 x2, ..."
fn describe(summary: &Summary) -> String {
    let statuses: Vec<String> = summary
        .statuses
        .iter()
        .map(|(status, n)| format!("{status} x{n}"))
        .collect();
    let s = if summary.requests == 1 { "" } else { "s" };
    if statuses.is_empty() {
        format!("{} request{s}", summary.requests)
    } else {
        format!("{} request{s}: {}", summary.requests, statuses.join(", "))
    }
}

/// Where the service prints, shared by the handlers.
#[derive(Clone)]
pub(crate) struct Log(Arc<Mutex<Box<dyn Write + Send>>>);

impl Log {
    /// Prints one line. A log that cannot be written is not worth failing a request for.
    pub(crate) fn line(&self, line: fmt::Arguments<'_>) {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }

    fn text(&self, text: &str) {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// Counts responses by status.
#[derive(Clone, Default)]
pub(crate) struct Tally(Arc<Mutex<Summary>>);

impl Tally {
    pub(crate) fn record(&self, status: StatusCode) {
        let mut summary = self.0.lock().unwrap_or_else(|e| e.into_inner());
        summary.requests += 1;
        *summary.statuses.entry(status.as_u16()).or_default() += 1;
    }

    fn summary(&self) -> Summary {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}
