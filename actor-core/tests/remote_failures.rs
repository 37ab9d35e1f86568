//! Pools over three nodes, and failures: a server killed mid-traffic, a
//! node's process killed, a server frozen with SIGSTOP. Against real
//! nats-servers; every loop bounded in count and time. The timing targets of
//! issue 11 are measured and printed; the assertions allow about three times
//! the target, which a loaded 2-core machine cannot miss.
#![cfg(feature = "remote")]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::remote::{Cluster, ClusterConfig, NotDelivered, RemoteError};
use nats_harness::{NatsCluster, NatsServer};

async fn node(url: &str, name: &str) -> System {
    let cluster = Cluster::connect(ClusterConfig::new(url).cluster("fail").node(name))
        .await
        .expect("connect");
    System::builder().cluster(cluster).build()
}

#[actor]
struct Worker {
    node: String,
    told: u64,
}

#[actor(remote = "test.Worker")]
impl Worker {
    /// Answers `seq` and the node that served it.
    #[message]
    fn work(&mut self, seq: u64) -> (u64, String) {
        (seq, self.node.clone())
    }
    #[message]
    fn note(&mut self) {
        self.told += 1;
    }
    #[message]
    fn told(&self) -> u64 {
        self.told
    }
    #[message]
    async fn hold(&mut self, ms: u64) -> u64 {
        if std::env::var_os(CHILD).is_some() {
            println!("HOLDING");
        }
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }
}

/// Waits until `worker` answers from the asking node. A server learns of a
/// subscription on another server of its cluster a moment after the
/// subscriber's own server does, so an ask sent right after `expose` from a
/// node on another server can meet `NoResponders`, and on a loaded machine
/// the asking node may even take the worker's node for down until its first
/// heartbeat gets through (`NotDelivered(NodeDown)`): that is what this
/// waits out, retrying what is safe to retry, bounded in count, not in time.
async fn until_reachable(worker: &WorkerRemote) {
    for _ in 0..1000 {
        match worker.work(0).await {
            Ok(_) => return,
            Err(RemoteError::NotDelivered(_)) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            Err(e) => panic!("the worker is unreachable: {e:?}"),
        }
    }
    panic!("no server routed the worker's subject after 1000 tries");
}

/// A worker exposed by node "home" on server 1, and node "asker" on server
/// 0 with its remote handle, once the worker answers it.
async fn home_and_asker(servers: &mut NatsCluster) -> (System, System, WorkerRemote) {
    let home = node(&servers.server(1).url(), "home").await;
    home.expose(
        "worker",
        &home.spawn(Worker {
            node: "home".into(),
            told: 0,
        }),
    )
    .await
    .unwrap();
    let asker = node(&servers.server(0).url(), "asker").await;
    let worker: WorkerRemote = asker.remote("worker").await.unwrap();
    until_reachable(&worker).await;
    (home, asker, worker)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_spreads_asks_over_the_members_of_three_nodes() {
    let mut servers = NatsCluster::start(3).expect("nats cluster");
    let mut nodes = Vec::new();
    for i in 0..3 {
        let name = format!("member-{i}");
        let system = node(&servers.server(i).url(), &name).await;
        let pool = system
            .pool(1, move || Worker {
                node: name.clone(),
                told: 0,
            })
            .expose("workers")
            .await
            .unwrap();
        nodes.push((system, pool));
    }
    let client = node(&servers.urls(), "client").await;
    let workers: WorkerRemote = client.remote_pool("workers").await.unwrap();
    until_reachable(&workers).await;
    let mut served: HashMap<String, u32> = HashMap::new();
    const ASKS: u64 = 3000;
    for seq in 0..ASKS {
        let (echo, node) = workers.work(seq).await.unwrap();
        assert_eq!(echo, seq);
        *served.entry(node).or_default() += 1;
    }
    println!("3000 asks over 3 nodes' pool members: {served:?}");
    assert_eq!(served.len(), 3, "{served:?}");
    for (node, count) in &served {
        assert!(*count >= 600, "{node} served {count} of {ASKS}: {served:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_server_mid_traffic_fails_at_most_the_asks_in_flight() {
    let mut servers = NatsCluster::start(3).expect("nats cluster");
    // The actor's node on server 1; the asking node on server 0, killed.
    let (_home, asker, worker) = home_and_asker(&mut servers).await;

    const ROUNDS: u64 = 1000;
    const KILL_AT: u64 = 300;
    let (mut failed, mut tells_sent, mut tells_failed) = (Vec::new(), 0u64, 0u64);
    let mut killed_at = None;
    let mut back_after = None;
    let started = Instant::now();
    for seq in 0..ROUNDS {
        if started.elapsed() > Duration::from_secs(60) {
            panic!("traffic did not finish in 60 s (at {seq})");
        }
        if seq == KILL_AT {
            servers.server(0).kill();
            killed_at = Some(Instant::now());
        }
        match worker.note().tell().await {
            Ok(()) => tells_sent += 1,
            Err(_) => tells_failed += 1,
        }
        match worker.work(seq).timeout(Duration::from_secs(3)).await {
            Ok((echo, _)) => {
                assert_eq!(echo, seq);
                if let (Some(at), None) = (killed_at, back_after) {
                    back_after = Some(at.elapsed());
                }
            }
            Err(e) => failed.push((seq, e)),
        }
    }
    let received = worker.told().await.unwrap();
    let back_after = back_after.expect("traffic resumed");
    println!(
        "server killed: first ask answered {back_after:?} after the kill (target < 1 s); \
         failed asks {failed:?}; tells sent {tells_sent}, received {received}, \
         reported failed {tells_failed}, lost {}",
        tells_sent - received
    );
    // At most once, and at most what was in flight is lost: one ask (the
    // loop has one in flight) and the tell before it.
    assert!(failed.len() <= 1, "{failed:?}");
    for (_, e) in &failed {
        assert!(
            matches!(e, RemoteError::Disconnected | RemoteError::NotDelivered(_)),
            "{e:?}"
        );
    }
    assert!(received <= tells_sent);
    assert!(
        tells_sent - received <= 2,
        "tells lost: {}",
        tells_sent - received
    );
    assert!(
        back_after < Duration::from_secs(3),
        "reconnected after {back_after:?}"
    );
    assert!(asker.cluster().unwrap().stats().disconnects >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frozen_server_costs_an_outage_of_seconds_and_no_late_reply() {
    let mut servers = NatsCluster::start(3).expect("nats cluster");
    let (_home, _asker, worker) = home_and_asker(&mut servers).await;

    let mut pace = tokio::time::interval(Duration::from_millis(20));
    let started = Instant::now();
    let mut frozen_at = None;
    let mut thawed = false;
    let mut outage: Option<(Instant, Option<Duration>)> = None;
    let mut errors: HashMap<String, u32> = HashMap::new();
    let mut seq = 0;
    // Traffic before, during (5 s) and after the freeze.
    while started.elapsed() < Duration::from_secs(12) {
        pace.tick().await;
        seq += 1;
        let elapsed = started.elapsed();
        if frozen_at.is_none() && elapsed > Duration::from_secs(1) {
            servers.server(0).freeze();
            frozen_at = Some(Instant::now());
        }
        if let Some(at) = frozen_at
            && !thawed
            && at.elapsed() >= Duration::from_secs(5)
        {
            servers.server(0).thaw();
            thawed = true;
        }
        match worker.work(seq).timeout(Duration::from_millis(1500)).await {
            // A late reply to an ask that failed would carry its old `seq`.
            Ok((echo, _)) => {
                assert_eq!(echo, seq, "a reply to another ask");
                if let Some((since, None)) = outage {
                    outage = Some((since, Some(since.elapsed())));
                }
            }
            Err(e) => {
                *errors.entry(format!("{e:?}")).or_default() += 1;
                assert!(frozen_at.is_some(), "failed before the freeze: {e:?}");
                if outage.is_none() {
                    outage = Some((Instant::now(), None));
                }
            }
        }
    }
    let (_, outage) = outage.expect("the freeze was felt");
    let outage = outage.expect("traffic resumed");
    println!("server frozen 5 s: asks failed for {outage:?} (target < 3 s); errors {errors:?}");
    assert!(outage < Duration::from_secs(9), "outage of {outage:?}");
    // Still answering, with the right replies, after the thaw.
    for seq in 1_000_000..1_000_050 {
        assert_eq!(worker.work(seq).await.unwrap().0, seq);
    }
}

/// Set in the environment of a child process that plays a node.
const CHILD: &str = "ACTOR_CORE_TEST_CHILD_NODE";

/// Not a test of its own: the node that `killing_a_node_process..` starts
/// in a child process (this test binary, run again with this test only).
#[test]
fn child_node() {
    let Some(url) = std::env::var_os(CHILD) else {
        return;
    };
    let url = url.into_string().unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let system = node(&url, "victim").await;
        let worker = system.spawn(Worker {
            node: "victim".into(),
            told: 0,
        });
        system.expose("victim", &worker).await.unwrap();
        println!("READY");
        // Until killed, bounded.
        tokio::time::sleep(Duration::from_secs(120)).await;
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_node_process_fails_its_asks_fast() {
    let server = NatsServer::start().expect("nats-server");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_node", "--nocapture", "--test-threads=1"])
        .env(CHILD, server.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_line = async |lines: &mut tokio::sync::mpsc::UnboundedReceiver<String>, want: &str| {
        tokio::time::timeout(Duration::from_secs(60), async {
            while let Some(line) = lines.recv().await {
                if line.contains(want) {
                    return;
                }
            }
            panic!("the child node exited before {want}");
        })
        .await
        .unwrap_or_else(|_| panic!("no {want} from the child node in 60 s"));
    };
    wait_line(&mut lines, "READY").await;

    let parent = node(&server.url(), "parent").await;
    let victim: WorkerRemote = parent.remote("victim").await.unwrap();
    assert_eq!(victim.work(1).await.unwrap().0, 1);
    let watch = tokio::spawn(parent.watch_remote(&victim));
    let in_flight = tokio::spawn(
        victim
            .hold(30_000)
            .timeout(Duration::from_secs(20))
            .into_future(),
    );
    wait_line(&mut lines, "HOLDING").await;

    child.kill().unwrap(); // SIGKILL
    let killed = Instant::now();
    child.wait().unwrap();
    let new_ask = victim.work(2).await;
    let new_ask_after = killed.elapsed();
    let in_flight = in_flight.await.unwrap();
    let in_flight_after = killed.elapsed();
    println!(
        "node killed: a new ask failed with {new_ask:?} after {new_ask_after:?} (target < 0.5 s); \
         the ask in flight failed with {in_flight:?} after {in_flight_after:?} (target < 1.5 s)"
    );
    // Once the server has seen the process's connection close, a new ask
    // finds no responders at once. On a loaded machine the server may not
    // have read the close yet: then the ask goes out to the dead node and
    // fails as node-down within the heartbeat bound, as one in flight does.
    match &new_ask {
        Err(RemoteError::NotDelivered(_)) => {
            assert!(new_ask_after < Duration::from_millis(1500))
        }
        Err(RemoteError::NodeDown { node }) if node == "victim" => {
            assert!(new_ask_after < Duration::from_millis(4500))
        }
        other => panic!("a new ask to the killed node: {other:?}"),
    }
    assert_eq!(
        in_flight,
        Err(RemoteError::NodeDown {
            node: "victim".into()
        })
    );
    assert!(in_flight_after < Duration::from_millis(4500));
    assert_eq!(
        watch.await.unwrap(),
        actor_core::remote::RemoteDown::NodeDown("victim".into())
    );
    // Known down: new asks are not even sent, and the name is gone.
    assert_eq!(
        victim.work(3).await,
        Err(RemoteError::NotDelivered(NotDelivered::NodeDown))
    );
    assert_eq!(
        parent.remote::<WorkerRemote>("victim").await.unwrap_err(),
        RemoteError::NotRegistered {
            name: "victim".into()
        }
    );
}
