//! The workloads, written once over [`Framework`], and the trait every
//! framework implements.
//!
//! Each workload checks its result (counts, per-sender order, every reply)
//! and returns a [`Failure`] when it is wrong, so that a framework that drops
//! or reorders messages shows up as a failure rather than as a fast number.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;

use crate::tally::{Failure, Summary, check};

/// The capacity of every bounded mailbox in the comparison (actor-core's
/// default; the others are set to it).
pub const BOUNDED_CAPACITY: usize = 1024;

/// The kind of mailbox a contender runs with. Ratios are always taken against
/// the hand-written tokio actor with the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailboxKind {
    /// Bounded, [`BOUNDED_CAPACITY`] messages: a tell waits for room.
    Bounded,
    /// Unbounded: a tell never waits.
    Unbounded,
}

impl MailboxKind {
    /// `"bounded"` or `"unbounded"`.
    pub fn as_str(self) -> &'static str {
        match self {
            MailboxKind::Bounded => "bounded",
            MailboxKind::Unbounded => "unbounded",
        }
    }
}

/// One actor framework, reduced to what the workloads need. Implementations
/// use the framework as its documentation says a user would: its own spawn,
/// its own tell (waiting for mailbox room where the mailbox is bounded), its
/// own ask, its own stop.
pub trait Framework: Sized + Send + Sync + 'static {
    /// What `spawn` returns: the framework's reference to a running actor.
    type Handle: Send + Sync + 'static;

    /// Per-workload state (an actor system, say). Called inside the runtime.
    fn new() -> Self;

    /// Spawns one benchmark actor (a fresh [`Tally`](crate::tally::Tally)).
    fn spawn(&self) -> impl Future<Output = Result<Self::Handle, Failure>> + Send;

    /// Tells `record(sender, seq)`: queues it, waiting for room if the mailbox is full.
    fn tell(
        h: &Self::Handle,
        sender: u32,
        seq: u64,
    ) -> impl Future<Output = Result<(), Failure>> + Send;

    /// Asks `ping(seq)` and returns the answer.
    fn ping(h: &Self::Handle, seq: u64) -> impl Future<Output = Result<u64, Failure>> + Send;

    /// Asks `summary()`.
    fn summary(h: &Self::Handle) -> impl Future<Output = Result<Summary, Failure>> + Send;

    /// Stops every actor in `handles` and returns once all have stopped.
    fn stop_all(
        &self,
        handles: Vec<Self::Handle>,
    ) -> impl Future<Output = Result<(), Failure>> + Send;

    /// Ends the workload (shuts an actor system down, say).
    fn finish(self) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// Runs `fut` as a task of the runtime the framework runs on.
    fn spawn_task<T, F>(fut: F) -> tokio::task::JoinHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        tokio::spawn(fut)
    }
}

/// What the spawn workload measured.
#[derive(Debug, Clone, Copy)]
pub struct SpawnStats {
    /// Wall time per spawn call.
    pub per_spawn: Duration,
    /// Wall time per actor to stop them all and see them stopped.
    pub per_stop: Duration,
    /// Resident memory added per idle actor (its handle included), in bytes.
    pub bytes_per_actor: f64,
}

/// What the million workload measured.
#[derive(Debug, Clone, Copy)]
pub struct MillionStats {
    /// Wall time per spawn call.
    pub per_spawn: Duration,
    /// Wall time per actor to ask every actor once (a thousand at a time).
    pub per_ask: Duration,
    /// Resident memory added per idle actor (its handle included), in bytes,
    /// after every actor answered its ask.
    pub bytes_per_actor: f64,
}

fn send_failed(what: &str) -> impl FnOnce(tokio::task::JoinError) -> Failure + '_ {
    move |e| Failure::from_err(what, e)
}

/// Tell throughput: `n` tells from one sender, then one ask that must see
/// them all. Returns the time from the first tell to the answer.
pub async fn tell<F: Framework>(n: u64) -> Result<Duration, Failure> {
    let fw = F::new();
    let h = fw.spawn().await?;
    check(F::ping(&h, 0).await? == 1, || "warm-up ping".into())?;
    let start = Instant::now();
    for seq in 0..n {
        F::tell(&h, 0, seq).await?;
    }
    let seen = F::summary(&h).await?;
    let elapsed = start.elapsed();
    check(seen.count == n && seen.out_of_order == 0, || {
        format!("told {n}, the actor saw {seen:?}")
    })?;
    fw.stop_all(vec![h]).await?;
    fw.finish().await;
    Ok(elapsed)
}

/// Contended tell: `senders` tasks tell `per_sender` messages each into one
/// actor at the same time, then one ask must see them all, each sender's in
/// order. Returns the time from the start signal to the answer.
pub async fn contended<F: Framework>(senders: u32, per_sender: u64) -> Result<Duration, Failure> {
    let fw = F::new();
    let h = Arc::new(fw.spawn().await?);
    check(F::ping(&h, 0).await? == 1, || "warm-up ping".into())?;
    // Every sender first says it is ready, then waits for the start signal,
    // which is given after the clock starts: on one thread a sender may run
    // to its end before this task is polled again.
    let ready = Arc::new(tokio::sync::Barrier::new(senders as usize + 1));
    let (go, start_signal) = tokio::sync::watch::channel(false);
    let tasks: Vec<_> = (0..senders)
        .map(|sender| {
            let h = h.clone();
            let ready = ready.clone();
            let mut start_signal = start_signal.clone();
            F::spawn_task(async move {
                ready.wait().await;
                start_signal
                    .wait_for(|go| *go)
                    .await
                    .map_err(|e| Failure::from_err("start signal", e))?;
                for seq in 0..per_sender {
                    F::tell(&h, sender, seq).await?;
                }
                Ok::<(), Failure>(())
            })
        })
        .collect();
    ready.wait().await;
    let start = Instant::now();
    go.send_replace(true);
    for t in tasks {
        t.await.map_err(send_failed("sender task"))??;
    }
    let seen = F::summary(&h).await?;
    let elapsed = start.elapsed();
    let n = u64::from(senders) * per_sender;
    check(seen.count == n && seen.out_of_order == 0, || {
        format!("{senders} senders told {n}, the actor saw {seen:?}")
    })?;
    let h = Arc::into_inner(h).ok_or_else(|| Failure::new("handle still shared"))?;
    fw.stop_all(vec![h]).await?;
    fw.finish().await;
    Ok(elapsed)
}

/// Ask round-trip: `n` sequential asks, each answer checked. Returns each
/// ask's latency in nanoseconds.
pub async fn ask<F: Framework>(n: u64) -> Result<Vec<u64>, Failure> {
    let fw = F::new();
    let h = fw.spawn().await?;
    let mut latencies = Vec::with_capacity(n as usize);
    for seq in 0..n {
        let start = Instant::now();
        let answer = F::ping(&h, seq).await?;
        latencies.push(start.elapsed().as_nanos() as u64);
        check(answer == seq + 1, || {
            format!("ping {seq} answered {answer}, expected {}", seq + 1)
        })?;
    }
    let seen = F::summary(&h).await?;
    check(seen.pings == n && seen.out_of_order == 0, || {
        format!("asked {n}, the actor saw {seen:?}")
    })?;
    fw.stop_all(vec![h]).await?;
    fw.finish().await;
    Ok(latencies)
}

/// Fan-out: `actors` actors, each asked once concurrently (from one task), for
/// `rounds` rounds; every answer checked. Returns the time per round.
pub async fn fan_out<F: Framework>(actors: usize, rounds: u64) -> Result<Duration, Failure> {
    let fw = F::new();
    let mut hs = Vec::with_capacity(actors);
    for _ in 0..actors {
        hs.push(fw.spawn().await?);
    }
    let start = Instant::now();
    for round in 0..rounds {
        let answers = join_all(hs.iter().map(|h| F::ping(h, round))).await;
        for answer in answers {
            let answer = answer?;
            check(answer == round + 1, || {
                format!("round {round}: an actor answered {answer}")
            })?;
        }
    }
    let elapsed = start.elapsed();
    fw.stop_all(hs).await?;
    fw.finish().await;
    Ok(elapsed / rounds.max(1) as u32)
}

/// Spawn: `n` idle actors spawned one after the other (timed), each then
/// checked to answer (not timed), resident memory read before and after,
/// then all stopped (timed). Run it in a fresh process for honest memory.
pub async fn spawn<F: Framework>(n: usize) -> Result<SpawnStats, Failure> {
    let fw = F::new();
    let (hs, spawn_time, rss_before) = spawn_idle(&fw, n).await?;
    ping_each::<F>(&hs).await?;
    // `COMPARE_SPAWN_BURST=K`: each actor first handles K tells and one more
    // ask, so the figure is that of an actor that worked and went idle again.
    let burst = spawn_burst();
    if burst > 0 {
        for chunk in hs.chunks(1000) {
            let answers = join_all(chunk.iter().map(|h| async move {
                for seq in 0..burst {
                    F::tell(h, 0, seq).await?;
                }
                F::ping(h, 1).await
            }));
            for answer in answers.await {
                let answer = answer?;
                check(answer == 2, || {
                    format!("after a burst an actor answered {answer}")
                })?;
            }
        }
    }
    let rss_after = resident_bytes();
    let start = Instant::now();
    fw.stop_all(hs).await?;
    let stop_time = start.elapsed();
    fw.finish().await;
    let n = n.max(1);
    Ok(SpawnStats {
        per_spawn: spawn_time / n as u32,
        per_stop: stop_time / n as u32,
        bytes_per_actor: rss_after.saturating_sub(rss_before) as f64 / n as f64,
    })
}

/// The tells each actor of the spawn workload handles before memory is read
/// (`COMPARE_SPAWN_BURST`, default 0: actors that only answered one ask).
fn spawn_burst() -> u64 {
    std::env::var("COMPARE_SPAWN_BURST")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// One million idle actors (or `n`): spawned one after the other (timed),
/// then each asked once, a thousand asks at a time (timed, every answer
/// checked), resident memory read before the spawns and after the asks, then
/// all stopped (not timed). Run it in a fresh process for honest memory.
pub async fn million<F: Framework>(n: usize) -> Result<MillionStats, Failure> {
    let fw = F::new();
    let (hs, spawn_time, rss_before) = spawn_idle(&fw, n).await?;
    let start = Instant::now();
    ping_each::<F>(&hs).await?;
    let ask_time = start.elapsed();
    let rss_after = resident_bytes();
    fw.stop_all(hs).await?;
    fw.finish().await;
    let n = n.max(1);
    Ok(MillionStats {
        per_spawn: spawn_time / n as u32,
        per_ask: ask_time / n as u32,
        bytes_per_actor: rss_after.saturating_sub(rss_before) as f64 / n as f64,
    })
}

/// Warms the framework up (its first use, lazy statics and thread-locals,
/// out of the figures), then spawns `n` idle actors one after the other:
/// their handles, the time the spawns took, and the resident memory before.
async fn spawn_idle<F: Framework>(
    fw: &F,
    n: usize,
) -> Result<(Vec<F::Handle>, Duration, u64), Failure> {
    let warm = fw.spawn().await?;
    check(F::ping(&warm, 0).await? == 1, || "warm-up ping".into())?;
    fw.stop_all(vec![warm]).await?;

    let rss_before = resident_bytes();
    let mut hs = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        hs.push(fw.spawn().await?);
    }
    Ok((hs, start.elapsed(), rss_before))
}

/// Asks each actor of `hs` once, a thousand asks at a time, every answer
/// checked.
async fn ping_each<F: Framework>(hs: &[F::Handle]) -> Result<(), Failure> {
    for chunk in hs.chunks(1000) {
        for answer in join_all(chunk.iter().map(|h| F::ping(h, 0))).await {
            let answer = answer?;
            check(answer == 1, || {
                format!("an actor asked once answered {answer}")
            })?;
        }
    }
    Ok(())
}

/// The process's resident set size in bytes (`VmRSS` of `/proc/self/status`),
/// or 0 where it cannot be read.
pub fn resident_bytes() -> u64 {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return 0;
    };
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| {
            rest.trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map_or(0, |kb| kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_is_readable() {
        assert!(resident_bytes() > 0);
    }
}
