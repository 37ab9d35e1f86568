//! Messaging across processes over NATS, on one nats-server that the
//! harness starts on loopback: raw `async-nats` request/reply and publish,
//! the baseline that actor-core's remote ask and tell are measured against
//! (issue 11's targets: ask ≤ 1.15× the raw round trip, tell ≥ 0.8× raw
//! publish throughput).
//!
//! ```text
//! cargo run -p benches --release --features remote --bin remote             # full counts
//! cargo run -p benches --release --features remote --bin remote -- --smoke  # small counts (CI)
//! ```
//!
//! Each row is one function taking the server's URL and the counts; a
//! latency row returns the round trips' [`Latency`], a throughput row the
//! messages per second one receiver got. The rows of a table are compared
//! with its first (raw) row. Every row checks what it received (each reply
//! answers its own request; every message arrives, in order) and the program
//! exits non-zero if one does not.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::remote::{Cluster, ClusterConfig};
use async_nats::Client;
use benches::stats::{Latency, fmt_nanos, fmt_rate};
use futures::StreamExt;
use nats_harness::NatsServer;

/// The counts of one run.
#[derive(Debug, Clone, Copy)]
struct Counts {
    /// Round trips before the measured ones (connections, allocations, caches).
    warmup: u64,
    /// Sequential round trips measured, one requester.
    asks: u64,
    /// Messages published to one receiver.
    tells: u64,
}

const FULL: Counts = Counts {
    warmup: 1_000,
    asks: 10_000,
    tells: 100_000,
};

const SMOKE: Counts = Counts {
    warmup: 100,
    asks: 500,
    tells: 5_000,
};

/// How long one row may take before it counts as failed.
const ROW_TIMEOUT: Duration = Duration::from_secs(120);

/// A row's failure: what went wrong.
type RowResult<T> = Result<T, String>;

fn main() -> ExitCode {
    let smoke = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--smoke") => true,
        Some(other) => {
            eprintln!("unknown argument {other:?}; usage: remote [--smoke]");
            return ExitCode::FAILURE;
        }
    };
    let counts = if smoke { SMOKE } else { FULL };

    let server = match NatsServer::start() {
        Ok(server) => server,
        Err(error) => {
            eprintln!("could not start nats-server: {error}");
            return ExitCode::FAILURE;
        }
    };
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");

    let (latency, throughput) = runtime.block_on(async {
        let latency = vec![
            (
                "raw async-nats request/reply",
                row(raw_request_reply(&url, counts)).await,
            ),
            (
                "actor-core remote ask (`EchoRemote::echo`)",
                row(remote_ask(&url, counts)).await,
            ),
        ];
        let throughput = vec![
            (
                "raw async-nats publish",
                row(raw_publish(&url, counts)).await,
            ),
            (
                "actor-core remote tell (`SinkRemote::take(i).tell()`)",
                row(remote_tell(&url, counts)).await,
            ),
        ];
        (latency, throughput)
    });
    drop(server);

    println!(
        "\nOne nats-server on 127.0.0.1; {} sequential round trips after {} warm-up, {} messages to one receiver.\n",
        counts.asks, counts.warmup, counts.tells
    );
    let mut failed = false;
    println!("| round trip | p50 | p99 | mean | p50 vs raw |");
    println!("|---|---:|---:|---:|---:|");
    let raw_p50 = latency
        .first()
        .and_then(|(_, r)| r.as_ref().ok())
        .map(|l| l.p50);
    for (name, result) in &latency {
        match result {
            Ok(l) => println!(
                "| {name} | {} | {} | {} | {} |",
                fmt_nanos(l.p50),
                fmt_nanos(l.p99),
                fmt_nanos(l.mean),
                ratio(l.p50, raw_p50)
            ),
            Err(error) => {
                failed = true;
                println!("| {name} | failed: {error} | | | |");
            }
        }
    }
    println!("\n| one-way messages | received | vs raw |");
    println!("|---|---:|---:|");
    let raw_rate = throughput
        .first()
        .and_then(|(_, r)| r.as_ref().ok())
        .copied();
    for (name, result) in &throughput {
        match result {
            Ok(rate) => println!(
                "| {name} | {} | {} |",
                fmt_rate(*rate),
                ratio(*rate, raw_rate)
            ),
            Err(error) => {
                failed = true;
                println!("| {name} | failed: {error} | |");
            }
        }
    }
    if failed {
        eprintln!("\nsome rows failed");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// A row, bounded by [`ROW_TIMEOUT`].
async fn row<T>(measure: impl Future<Output = RowResult<T>>) -> RowResult<T> {
    tokio::time::timeout(ROW_TIMEOUT, measure)
        .await
        .unwrap_or_else(|_| Err(format!("did not finish within {ROW_TIMEOUT:?}")))
}

fn ratio(value: f64, raw: Option<f64>) -> String {
    match raw {
        Some(raw) if raw > 0.0 => format!("{:.2}×", value / raw),
        _ => "–".to_owned(),
    }
}

async fn connect(url: &str) -> RowResult<Client> {
    async_nats::connect(url)
        .await
        .map_err(|e| format!("connecting to {url}: {e}"))
}

/// Raw request/reply: one requester, sequential, against a responder on its
/// own connection that echoes the payload.
async fn raw_request_reply(url: &str, counts: Counts) -> RowResult<Latency> {
    let responder = connect(url).await?;
    let mut requests = responder
        .subscribe("bench.echo")
        .await
        .map_err(|e| e.to_string())?;
    responder.flush().await.map_err(|e| e.to_string())?;
    let answering = responder.clone();
    let serving = tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Some(reply) = request.reply {
                let _ = answering.publish(reply, request.payload).await;
            }
        }
    });

    let requester = connect(url).await?;
    let mut nanos = Vec::with_capacity(counts.asks as usize);
    for i in 0..counts.warmup + counts.asks {
        let payload = i.to_le_bytes().to_vec();
        let started = Instant::now();
        let reply = requester
            .request("bench.echo", payload.clone().into())
            .await
            .map_err(|e| format!("request {i}: {e}"))?;
        let took = started.elapsed();
        if reply.payload[..] != payload[..] {
            return Err(format!("request {i} got another request's reply"));
        }
        if i >= counts.warmup {
            nanos.push(took.as_nanos() as u64);
        }
    }
    serving.abort();
    Ok(Latency::of(nanos))
}

/// Raw publish: one publisher, one subscriber on its own connection; the rate
/// at which the subscriber receives, from the first publish to the last
/// message received. Every message must arrive, in order.
///
/// async-nats hands a subscription's messages over a bounded channel (64 Ki
/// messages by default) and drops what does not fit, reporting a slow
/// consumer: a publisher on loopback outruns the receiving task, so the
/// receiver's channel here holds the whole run, and a slow-consumer event
/// fails the row.
async fn raw_publish(url: &str, counts: Counts) -> RowResult<f64> {
    let slow = Arc::new(AtomicU64::new(0));
    let slow_events = slow.clone();
    let receiver = async_nats::ConnectOptions::new()
        .subscription_capacity(counts.tells as usize + 1024)
        .event_callback(move |event| {
            let slow_events = slow_events.clone();
            async move {
                if let async_nats::Event::SlowConsumer(_) = event {
                    slow_events.fetch_add(1, Ordering::Relaxed);
                }
            }
        })
        .connect(url)
        .await
        .map_err(|e| format!("connecting to {url}: {e}"))?;
    let mut messages = receiver
        .subscribe("bench.tell")
        .await
        .map_err(|e| e.to_string())?;
    receiver.flush().await.map_err(|e| e.to_string())?;
    let n = counts.tells;
    let receiving = tokio::spawn(async move {
        for expected in 0..n {
            let message = messages
                .next()
                .await
                .ok_or_else(|| format!("the subscription ended after {expected} messages"))?;
            let got = message
                .payload
                .get(..8)
                .and_then(|bytes| bytes.try_into().ok())
                .map(u64::from_le_bytes);
            if got != Some(expected) {
                let slow = slow.load(Ordering::Relaxed);
                return Err(format!(
                    "message {expected} came as {got:?} (lost or reordered; \
                     {slow} slow-consumer events)"
                ));
            }
        }
        Ok(Instant::now())
    });

    let publisher = connect(url).await?;
    let started = Instant::now();
    for i in 0..n {
        let mut payload = i.to_le_bytes().to_vec();
        payload.resize(16, 0);
        publisher
            .publish("bench.tell", payload.into())
            .await
            .map_err(|e| format!("publish {i}: {e}"))?;
    }
    publisher.flush().await.map_err(|e| e.to_string())?;
    let finished = receiving.await.map_err(|e| e.to_string())??;
    Ok(n as f64 / (finished - started).as_secs_f64())
}

/// actor-core's remote ask: `EchoRemote::echo` from one node to an actor
/// exposed by another, each node its own connection, sequential.
async fn remote_ask(url: &str, counts: Counts) -> RowResult<Latency> {
    let (home, asker) = (node(url, "home", 0).await?, node(url, "asker", 0).await?);
    let echo = home.spawn(Echo);
    home.expose("echo", &echo)
        .await
        .map_err(|e| format!("expose: {e}"))?;
    let remote: EchoRemote = asker
        .remote("echo")
        .await
        .map_err(|e| format!("lookup: {e}"))?;
    let mut nanos = Vec::with_capacity(counts.asks as usize);
    for i in 0..counts.warmup + counts.asks {
        let started = Instant::now();
        let reply = remote.echo(i).await.map_err(|e| format!("ask {i}: {e}"))?;
        let took = started.elapsed();
        if reply != i {
            return Err(format!("ask {i} got another ask's reply ({reply})"));
        }
        if i >= counts.warmup {
            nanos.push(took.as_nanos() as u64);
        }
    }
    Ok(Latency::of(nanos))
}

/// actor-core's remote tell: `SinkRemote::take(i).tell()` from one node to an
/// actor (unbounded mailbox) exposed by another; the rate at which the actor
/// handles them, from the first tell to the last one handled. Every message
/// must arrive, in order (the receiving connection's subscription holds the
/// whole run, as the raw row's).
async fn remote_tell(url: &str, counts: Counts) -> RowResult<f64> {
    let n = counts.tells;
    let home = node(url, "sink-home", n as usize + 1024).await?;
    let teller = node(url, "teller", 0).await?;
    let (done, finished) = tokio::sync::oneshot::channel();
    let sink = home.spawn(Sink {
        next: 0,
        end: n,
        done: Some(done),
    });
    home.expose("sink", &sink)
        .await
        .map_err(|e| format!("expose: {e}"))?;
    let remote: SinkRemote = teller
        .remote("sink")
        .await
        .map_err(|e| format!("lookup: {e}"))?;
    let started = Instant::now();
    for i in 0..n {
        remote
            .take(i)
            .tell()
            .await
            .map_err(|e| format!("tell {i}: {e}"))?;
    }
    let finished = finished
        .await
        .map_err(|_| "the sink stopped".to_owned())??;
    let stats = home.cluster().map(|c| c.stats()).unwrap_or_default();
    if stats.slow_consumers > 0 || stats.tells_lost > 0 {
        return Err(format!("{stats:?}"));
    }
    Ok(n as f64 / (finished - started).as_secs_f64())
}

/// A node of the bench cluster; `capacity`: its subscriptions' buffer (0:
/// async-nats's default).
async fn node(url: &str, name: &str, capacity: usize) -> RowResult<System> {
    let mut config = ClusterConfig::new(url).cluster("bench").node(name);
    if capacity > 0 {
        config = config.options(move |o| o.subscription_capacity(capacity));
    }
    let cluster = Cluster::connect(config)
        .await
        .map_err(|e| format!("node {name}: {e}"))?;
    Ok(System::builder().cluster(cluster).build())
}

/// Answers what it is asked.
#[actor]
struct Echo;

#[actor(remote = "bench.Echo")]
impl Echo {
    #[message]
    fn echo(&self, seq: u64) -> u64 {
        seq
    }
}

/// Takes numbered messages, checks their order, and says when the last came.
#[actor(mailbox = unbounded)]
struct Sink {
    next: u64,
    end: u64,
    done: Option<tokio::sync::oneshot::Sender<RowResult<Instant>>>,
}

#[actor(remote = "bench.Sink")]
impl Sink {
    #[message]
    fn take(&mut self, seq: u64) {
        if seq != self.next {
            if let Some(done) = self.done.take() {
                let _ = done.send(Err(format!("message {} came as {seq}", self.next)));
            }
            return;
        }
        self.next += 1;
        if self.next == self.end
            && let Some(done) = self.done.take()
        {
            let _ = done.send(Ok(Instant::now()));
        }
    }
}
