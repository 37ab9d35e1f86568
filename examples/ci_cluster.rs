//! The CI orchestrator over three processes on NATS: one command starts a
//! nats-server (provisioned by `nats-harness` when none is installed), two
//! worker nodes (this program again, with the `worker` role) and the
//! orchestrator; one worker node is killed mid-run, and every job finishes
//! on the survivor.
//!
//! ```text
//! cargo run --example ci_cluster
//! cargo run --example ci_cluster -- --jobs 20 --kill-after 5
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use actor_core_examples::ci_cluster::{self, Options};
use clap::Parser;

#[derive(Parser)]
#[command(about = "The CI orchestrator over three processes on NATS")]
struct Args {
    /// `worker`: run as a worker node (the orchestrator starts these).
    role: Option<String>,
    /// The NATS server (worker role).
    #[arg(long)]
    url: Option<String>,
    /// This worker node's name (worker role).
    #[arg(long)]
    node: Option<String>,
    /// Jobs to run.
    #[arg(long, default_value_t = 40)]
    jobs: u32,
    /// Kill the first worker node after this many jobs.
    #[arg(long, default_value_t = 10)]
    kill_after: u32,
}

fn start_worker(
    url: &str,
    node: &str,
) -> std::io::Result<(Child, std::io::Lines<BufReader<std::process::ChildStdout>>)> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["worker", "--url", url, "--node", node])
        .stdout(Stdio::piped())
        .spawn()?;
    let lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    Ok((child, lines))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let args = Args::parse();
    if args.role.as_deref() == Some("worker") {
        let url = args.url.ok_or("--url is required")?;
        let node = args.node.ok_or("--node is required")?;
        ci_cluster::run_worker(&url, &node, Duration::from_secs(300)).await?;
        return Ok(());
    }

    let server = nats_harness::NatsServer::start()?;
    let url = server.url();
    println!("nats-server on {url}");
    let names = ["worker-1".to_owned(), "worker-2".to_owned()];
    let mut children = Vec::new();
    for name in &names {
        let (child, mut lines) = start_worker(&url, name)?;
        // Wait for READY, then echo the worker's output.
        let ready = lines
            .by_ref()
            .map_while(Result::ok)
            .find(|l| l.starts_with("READY"));
        if ready.is_none() {
            return Err(format!("{name} exited before it was ready").into());
        }
        println!("{name}: ready (pid {})", child.id());
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|l| println!("{l}")));
        children.push(child);
    }

    let opts = Options {
        jobs: args.jobs,
        kill_after: args.kill_after.min(args.jobs),
        ..Options::default()
    };
    let mut first = children.remove(0);
    let mut out = std::io::stdout();
    let summary = ci_cluster::run_orchestrator(
        &url,
        &names,
        opts,
        || {
            let _ = first.kill();
            let _ = first.wait();
        },
        &mut out,
    )
    .await?;
    for mut child in children {
        let _ = child.wait();
    }
    let _ = first.kill();
    let _ = first.wait();
    if summary.built.values().sum::<u32>() != opts.jobs {
        return Err("not every job finished".into());
    }
    Ok(())
}
