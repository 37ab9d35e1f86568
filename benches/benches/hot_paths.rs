//! criterion benches of actor-core's hot paths, each beside the hand-written
//! tokio actor with the same mailbox kind, for profiling and regression work.
//!
//! ```text
//! cargo bench -p benches                        # everything
//! cargo bench -p benches -- 'tell/actor-core'   # one group/contender
//! cargo bench -p benches -- --profile-time 10   # run without analysis, for perf
//! ```
//!
//! They reuse the comparison's workload drivers (`benches::workload`), so a
//! bench measures exactly what the comparison's table shows, one iteration
//! being one message (tell, ask) or one actor (spawn). Each sample starts a
//! fresh actor; its setup is not timed.

use std::time::Duration;

use benches::contender::{RuntimeKind, block_on};
use benches::workload::{self, Framework};
use benches::{hand, ours};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};

fn run<T: Send + 'static>(
    fut: impl std::future::Future<Output = Result<T, benches::Failure>> + Send + 'static,
) -> T {
    match block_on(RuntimeKind::MultiThread, fut) {
        Ok(v) => v,
        Err(e) => panic!("workload failed: {e}"),
    }
}

/// One message per iteration: `iters` tells, then the ask that sees them all.
fn tell<F: Framework>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
    g.bench_function(name, |b| {
        b.iter_custom(|iters| run(workload::tell::<F>(iters)))
    });
}

/// Four senders, `iters` messages in all.
fn contended<F: Framework>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
    g.bench_function(name, |b| {
        b.iter_custom(|iters| run(workload::contended::<F>(4, iters.div_ceil(4))))
    });
}

/// One sequential ask per iteration.
fn ask<F: Framework>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let latencies = run(workload::ask::<F>(iters));
            Duration::from_nanos(latencies.iter().sum())
        })
    });
}

/// One spawned (idle) actor per iteration; stopping them is not timed.
fn spawn<F: Framework>(g: &mut BenchmarkGroup<'_, WallTime>, name: &str) {
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let stats = run(workload::spawn::<F>(iters as usize));
            stats.per_spawn * iters as u32
        })
    });
}

fn hot_paths(c: &mut Criterion) {
    let mut g = c.benchmark_group("tell");
    g.throughput(Throughput::Elements(1));
    tell::<hand::Bounded>(&mut g, "tokio/bounded");
    tell::<ours::Bounded>(&mut g, "actor-core/bounded");
    tell::<hand::Unbounded>(&mut g, "tokio/unbounded");
    tell::<ours::Unbounded>(&mut g, "actor-core/unbounded");
    g.finish();

    let mut g = c.benchmark_group("contended");
    g.throughput(Throughput::Elements(1));
    contended::<hand::Bounded>(&mut g, "tokio/bounded");
    contended::<ours::Bounded>(&mut g, "actor-core/bounded");
    contended::<hand::Unbounded>(&mut g, "tokio/unbounded");
    contended::<ours::Unbounded>(&mut g, "actor-core/unbounded");
    g.finish();

    let mut g = c.benchmark_group("ask");
    ask::<hand::Bounded>(&mut g, "tokio/bounded");
    ask::<ours::Bounded>(&mut g, "actor-core/bounded");
    ask::<hand::Unbounded>(&mut g, "tokio/unbounded");
    ask::<ours::Unbounded>(&mut g, "actor-core/unbounded");
    g.finish();

    let mut g = c.benchmark_group("spawn");
    spawn::<hand::Bounded>(&mut g, "tokio/bounded");
    spawn::<ours::Bounded>(&mut g, "actor-core/bounded");
    spawn::<hand::Unbounded>(&mut g, "tokio/unbounded");
    spawn::<ours::Unbounded>(&mut g, "actor-core/unbounded");
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = hot_paths
}
criterion_main!(benches);
