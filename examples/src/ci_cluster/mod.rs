//! The CI orchestrator over three processes on NATS (`cargo run --example
//! ci_cluster`): an orchestrator node hands build jobs to the builders of
//! two worker nodes, found by name in the cluster's registry. Midway, one
//! worker node is killed (SIGKILL); its heartbeats stop, the jobs it had in
//! flight fail with `NodeDown` about a second later, and every job still
//! finishes on the survivor.
//!
//! [`run_worker`] is a worker node, [`run_orchestrator`] the orchestrator;
//! the example binary starts a nats-server and the worker processes (itself,
//! again, with the `worker` role) and runs the orchestrator.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::{Deserialize, Serialize};

/// The cluster's name: its subjects and registry bucket.
pub const CLUSTER: &str = "ci";

/// A build job, as it travels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Build {
    /// The job's number.
    pub job: u32,
    /// What to build.
    pub target: String,
    /// How long the build takes, in milliseconds.
    pub millis: u64,
}

/// A finished build.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Built {
    /// The job's number.
    pub job: u32,
    /// The node that built it.
    pub node: String,
}

/// The builder of one worker node.
#[actor]
pub struct Builder {
    node: String,
    built: u32,
}

#[actor(remote = "ci.Builder")]
impl Builder {
    /// Builds (sleeps for `build.millis`) and says where.
    #[message]
    pub async fn build(&mut self, build: Build) -> Built {
        tokio::time::sleep(Duration::from_millis(build.millis)).await;
        self.built += 1;
        Built {
            job: build.job,
            node: self.node.clone(),
        }
    }

    /// How many builds this builder finished.
    #[message]
    pub fn built(&self) -> u32 {
        self.built
    }
}

/// The registry name of a worker node's builder.
pub fn builder_name(node: &str) -> String {
    format!("builder-{node}")
}

/// A worker node: exposes its builder, says `READY <node>` on stdout, and
/// serves until the orchestrator leaves the cluster (or `limit` passes).
pub async fn run_worker(url: &str, node: &str, limit: Duration) -> Result<(), RemoteError> {
    let cluster = Cluster::connect(ClusterConfig::new(url).cluster(CLUSTER).node(node)).await?;
    let system = System::builder().cluster(cluster.clone()).build();
    let builder = system.spawn(Builder {
        node: node.to_owned(),
        built: 0,
    });
    system.expose(&builder_name(node), &builder).await?;
    println!("READY {node}");
    let _ = std::io::stdout().flush();
    let _ = tokio::time::timeout(limit, cluster.wait_node_down("orchestrator")).await;
    system.shutdown().await;
    cluster.close().await;
    Ok(())
}

/// The orchestrator's settings.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Jobs to run.
    pub jobs: u32,
    /// Jobs in flight at once.
    pub concurrency: usize,
    /// How long each build takes.
    pub build: Duration,
    /// Kill the first worker node after this many jobs finished.
    pub kill_after: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            jobs: 40,
            concurrency: 4,
            build: Duration::from_millis(150),
            kill_after: 10,
        }
    }
}

/// What the run did.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// Jobs finished, by node.
    pub built: BTreeMap<String, u32>,
    /// Jobs sent again after a failure.
    pub retried: u32,
    /// The failures seen, by kind.
    pub failures: BTreeMap<String, u32>,
    /// From the kill to the first ask that failed because of it.
    pub noticed_after: Option<Duration>,
}

/// The orchestrator: finds the workers' builders, runs `opts.jobs` jobs over
/// them, calls `kill` (which kills the first worker node) after
/// `opts.kill_after` jobs, and sends a failed job again to a node that is up.
/// Reports on `out` as it goes.
pub async fn run_orchestrator(
    url: &str,
    workers: &[String],
    opts: Options,
    mut kill: impl FnMut(),
    out: &mut (impl Write + Send),
) -> Result<Summary, Box<dyn std::error::Error + Send + Sync>> {
    let cluster = Cluster::connect(
        ClusterConfig::new(url)
            .cluster(CLUSTER)
            .node("orchestrator"),
    )
    .await?;
    let system = System::builder().cluster(cluster.clone()).build();
    let mut builders: Vec<BuilderRemote> = Vec::new();
    for node in workers {
        builders.push(system.remote(&builder_name(node)).await?);
    }
    writeln!(out, "orchestrator: {} jobs over {workers:?}", opts.jobs)?;

    let mut summary = Summary::default();
    let mut queue: VecDeque<u32> = (1..=opts.jobs).collect();
    let mut in_flight = FuturesUnordered::new();
    let mut next = 0usize;
    let mut killed_at: Option<Instant> = None;
    let mut done = 0u32;
    let started = Instant::now();
    while done < opts.jobs {
        if started.elapsed() > Duration::from_secs(120) {
            return Err("the jobs did not finish in 120 s".into());
        }
        while in_flight.len() < opts.concurrency
            && let Some(job) = queue.pop_front()
        {
            // The next builder whose node is up.
            let up: Vec<&BuilderRemote> = builders.iter().filter(|b| b.is_node_up()).collect();
            let Some(builder) = up.get(next % up.len().max(1)).copied() else {
                return Err("no worker node is up".into());
            };
            next += 1;
            let node = builder.node().unwrap_or("?").to_owned();
            let build = Build {
                job,
                target: format!("service-{}", job % 5),
                millis: opts.build.as_millis() as u64,
            };
            let ask = builder.build(build).timeout(Duration::from_secs(10));
            in_flight.push(async move { (job, node, ask.await) });
        }
        let Some((job, node, result)) = in_flight.next().await else {
            continue;
        };
        match result {
            Ok(built) => {
                done += 1;
                *summary.built.entry(built.node).or_default() += 1;
                if done == opts.kill_after && killed_at.is_none() {
                    kill();
                    killed_at = Some(Instant::now());
                    writeln!(
                        out,
                        "orchestrator: killed {} (SIGKILL) after {done} jobs",
                        workers[0]
                    )?;
                }
            }
            Err(e) => {
                let kind = match &e {
                    RemoteError::NotDelivered(_) => "not delivered",
                    RemoteError::NodeDown { .. } => "node down",
                    RemoteError::Timeout(_) => "timeout",
                    _ => "other",
                };
                *summary.failures.entry(kind.to_owned()).or_default() += 1;
                if let Some(at) = killed_at
                    && summary.noticed_after.is_none()
                {
                    summary.noticed_after = Some(at.elapsed());
                }
                // A build is idempotent: one that may have run is run again.
                writeln!(
                    out,
                    "orchestrator: job {job} on {node}: {e}; sending it again"
                )?;
                summary.retried += 1;
                queue.push_front(job);
            }
        }
    }
    let built: Vec<String> = summary
        .built
        .iter()
        .map(|(node, n)| format!("{node} built {n}"))
        .collect();
    writeln!(
        out,
        "orchestrator: all {} jobs finished ({}); {} sent again after {} died{}",
        opts.jobs,
        built.join(", "),
        summary.retried,
        workers[0],
        summary
            .noticed_after
            .map(|d| format!(", noticed {} ms after the kill", d.as_millis()))
            .unwrap_or_default()
    )?;
    system.shutdown().await;
    cluster.close().await;
    Ok(summary)
}
