//! Remote asks and tells between two nodes on one real nats-server.
#![cfg(feature = "remote")]

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::remote::{Cluster, ClusterConfig, NotDelivered, RemoteError};
use nats_harness::NatsServer;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Job {
    name: String,
    steps: u32,
}

#[actor]
struct Scheduler {
    queued: Vec<Job>,
    told: u64,
}

#[actor(remote = "test.Scheduler")]
impl Scheduler {
    /// Queues a job; answers its position.
    #[message]
    fn schedule(&mut self, job: Job) -> usize {
        self.queued.push(job);
        self.queued.len()
    }
    #[message]
    fn note(&mut self, n: u64) {
        self.told += n;
    }
    #[message]
    fn told(&self) -> u64 {
        self.told
    }
    #[message]
    fn queued(&self) -> Vec<Job> {
        self.queued.clone()
    }
    #[message]
    fn fail(&self) -> Result<u8, String> {
        Err("no".into())
    }
    #[message]
    fn boom(&self) -> u8 {
        panic!("boom")
    }
    #[message(local)]
    fn local_only(&self, not_wire: std::sync::mpsc::Sender<u8>) -> usize {
        not_wire.send(1).map_or(0, |()| 1)
    }
}

async fn node(server: &NatsServer, name: &str) -> System {
    let cluster = Cluster::connect(ClusterConfig::new(server.url()).cluster("t").node(name))
        .await
        .expect("connect");
    System::builder().cluster(cluster).build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ask_and_tell_reach_an_actor_on_another_node() {
    let server = NatsServer::start().expect("nats-server");
    let a = node(&server, "a").await;
    let b = node(&server, "b").await;
    let scheduler = a.spawn(Scheduler {
        queued: vec![],
        told: 0,
    });
    a.expose("scheduler", &scheduler).await.unwrap();

    // `#[message(local)]`: on the local handle only (its argument cannot travel).
    let (tx, _rx) = std::sync::mpsc::channel();
    assert_eq!(scheduler.local_only(tx).await, Ok(1));

    let remote: SchedulerRemote = b.remote("scheduler").await.unwrap();
    assert_eq!(remote.node(), Some("a"));
    let job = Job {
        name: "build".into(),
        steps: 3,
    };
    assert_eq!(remote.schedule(job.clone()).await, Ok(1));
    assert_eq!(
        remote
            .schedule(job.clone())
            .timeout(Duration::from_secs(2))
            .await,
        Ok(2)
    );
    for n in 1..=100 {
        remote.note(n).tell().await.unwrap();
    }
    // Ordered per sender and receiver: the ask after the tells sees them all.
    assert_eq!(remote.told().await, Ok(5050));
    assert_eq!(remote.queued().await, Ok(vec![job.clone(), job]));
    assert_eq!(remote.fail().await, Ok(Err("no".to_owned())));
    match remote.boom().await {
        // The handler and the panic's message travel back.
        Err(RemoteError::Panicked(panic)) => {
            assert!(panic.contains("boom"), "{panic}");
            assert!(panic.contains("panicked"), "{panic}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_nobody_exposed_is_not_registered() {
    let server = NatsServer::start().expect("nats-server");
    let b = node(&server, "b").await;
    let err = b.remote::<SchedulerRemote>("nobody").await.unwrap_err();
    assert_eq!(
        err,
        RemoteError::NotRegistered {
            name: "nobody".into()
        }
    );
    let no_cluster = System::new();
    assert_eq!(
        no_cluster.remote::<SchedulerRemote>("x").await.unwrap_err(),
        RemoteError::NoCluster
    );
    let _ = NotDelivered::NoResponders;
}
