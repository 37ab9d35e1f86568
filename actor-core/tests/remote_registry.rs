//! The cluster registry, message evolution, rejections and credentials,
//! against a real nats-server.
#![cfg(feature = "remote")]

use std::time::Duration;

use actor_core::prelude::*;
use actor_core::remote::{
    Cluster, ClusterConfig, NotDelivered, Rejection, RemoteDown, RemoteError,
};
use nats_harness::NatsServer;

async fn node(url: &str, name: &str) -> System {
    let cluster = Cluster::connect(ClusterConfig::new(url).cluster("reg").node(name))
        .await
        .expect("connect");
    System::builder().cluster(cluster).build()
}

/// A nats-server and two nodes on it, "a" and "b".
async fn two_nodes() -> (NatsServer, System, System) {
    let server = NatsServer::start().expect("nats-server");
    let a = node(&server.url(), "a").await;
    let b = node(&server.url(), "b").await;
    (server, a, b)
}

#[actor]
struct Counter {
    n: u64,
}

#[actor(remote = "test.Counter")]
impl Counter {
    #[message]
    fn add(&mut self, by: u64) -> u64 {
        self.n += by;
        self.n
    }
    #[message]
    fn crash(&mut self) {
        panic!("crash on purpose");
    }
    #[message]
    async fn hold(&mut self, ms: u64) -> u64 {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        ms
    }
    #[message]
    fn echo(&self, bytes: Vec<u8>) -> usize {
        bytes.len()
    }
}

#[actor]
struct Other;

#[actor(remote = "test.Other")]
impl Other {
    #[message]
    fn ping(&self) -> u8 {
        1
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervised_actor_keeps_its_name_across_restarts() {
    let (_server, a, b) = two_nodes().await;
    let supervisor = Supervisor::new(Strategy::OneForOne);
    let counter = supervisor.child(|| Counter { n: 0 }).spawn().unwrap();
    a.spawn_supervisor(supervisor);
    a.expose("counter", &counter).await.unwrap();

    let remote: CounterRemote = b.remote("counter").await.unwrap();
    assert_eq!(remote.add(2).await, Ok(2));
    remote.crash().tell().await.unwrap();
    // The restarted instance starts from zero, under the same name.
    assert_eq!(remote.add(5).await, Ok(5));
    let again: CounterRemote = b.remote("counter").await.unwrap();
    assert_eq!(again.add(1).await, Ok(6));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_unique_and_typed() {
    let (_server, a, b) = two_nodes().await;
    a.expose("counter", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let taken = b.expose("counter", &b.spawn(Counter { n: 0 })).await;
    assert_eq!(
        taken,
        Err(RemoteError::NameTaken {
            name: "counter".into(),
            node: "a".into()
        })
    );
    a.expose("other", &a.spawn(Other)).await.unwrap();
    let other: OtherRemote = b.remote("other").await.unwrap();
    assert_eq!(other.ping().await, Ok(1));
    let wrong = b.remote::<OtherRemote>("counter").await.unwrap_err();
    assert!(matches!(wrong, RemoteError::WrongType { .. }), "{wrong:?}");
    let as_pool = b.remote_pool::<CounterRemote>("counter").await.unwrap_err();
    assert!(
        matches!(as_pool, RemoteError::WrongType { .. }),
        "{as_pool:?}"
    );
    assert_eq!(
        a.expose("bad name", &a.spawn(Other)).await,
        Err(RemoteError::InvalidName("bad name".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_actor_leaves_the_registry_and_its_watchers_know() {
    let (_server, a, b) = two_nodes().await;
    let counter = a.spawn(Counter { n: 0 });
    a.expose("counter", &counter).await.unwrap();
    let remote: CounterRemote = b.remote("counter").await.unwrap();
    let watch = tokio::spawn(b.watch_remote(&remote));
    assert_eq!(remote.add(1).await, Ok(1));
    until_listened(&b, "counter").await;
    counter.stop();
    assert_eq!(
        tokio::time::timeout(Duration::from_secs(10), watch)
            .await
            .unwrap()
            .unwrap(),
        RemoteDown::Stopped {
            reason: "stopped normally".into(),
            failure: false
        }
    );
    assert_eq!(
        remote.add(1).await,
        Err(RemoteError::NotDelivered(NotDelivered::NoResponders))
    );
    assert_eq!(
        b.remote::<CounterRemote>("counter").await.unwrap_err(),
        RemoteError::NotRegistered {
            name: "counter".into()
        }
    );
    // The name is free again.
    a.expose("counter", &a.spawn(Counter { n: 10 }))
        .await
        .unwrap();
    assert_eq!(remote.add(1).await, Ok(11));
}

/// Waits until some node listens for `name`'s stop notice (a watch has
/// begun), or with `listened: false` until none does (the watch was taken
/// back): a request there finds no responders without a listener, and no
/// answer with one (a watch ignores what is not a notice). The request's
/// timeout only bounds the wait for that silence: a "no responders" answer
/// from the server on this machine comes long before it.
async fn until_listened_is(system: &System, name: &str, listened: bool) {
    let client = system.cluster().unwrap().client();
    let subject = format!("reg.down.{name}");
    for _ in 0..1000 {
        let probe = client.send_request(
            subject.clone(),
            async_nats::Request::new().timeout(Some(Duration::from_secs(2))),
        );
        let now = match probe.await {
            Err(e) if e.kind() == async_nats::client::RequestErrorKind::NoResponders => false,
            Err(e) if e.kind() == async_nats::client::RequestErrorKind::TimedOut => true,
            other => panic!("a probe of {subject} got {other:?}"),
        };
        if now == listened {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("{subject}: still not listened = {listened} after 1000 probes");
}

async fn until_listened(system: &System, name: &str) {
    until_listened_is(system, name, true).await;
}

/// Watches remote actors from inside an actor, and reports what its
/// `#[on_down]` hook receives.
#[actor]
struct Watcher {
    downs: tokio::sync::mpsc::UnboundedSender<(ActorId, StopReason)>,
}

#[actor]
impl Watcher {
    #[message]
    fn watch(&mut self, remote: CounterRemote, ctx: &mut Context<Self>) -> ActorId {
        ctx.watch(&remote);
        remote.id()
    }
    #[message]
    fn unwatch(&mut self, id: ActorId, ctx: &mut Context<Self>) {
        ctx.unwatch(id);
    }
    #[on_down]
    fn down(&mut self, id: ActorId, reason: StopReason) {
        let _ = self.downs.send((id, reason));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unwatching_a_remote_actor_takes_the_watch_back() {
    let (_server, a, b) = two_nodes().await;
    a.expose("watched", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let (downs_tx, mut downs) = tokio::sync::mpsc::unbounded_channel();
    let watcher = b.spawn(Watcher { downs: downs_tx });
    let remote: CounterRemote = b.remote("watched").await.unwrap();
    let id = watcher.watch(remote).await.unwrap();
    until_listened(&b, "watched").await;
    watcher.unwatch(id).await.unwrap();
    // The task that held the watch is gone, and its subscription with it.
    until_listened_is(&b, "watched", false).await;
    // Nothing is left to deliver a notice: the watcher's sender is its only
    // other one, so the channel ends with the watcher, with nothing in it.
    watcher.stop();
    watcher.wait_stopped().await;
    assert_eq!(downs.recv().await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_actor_watching_remote_actors_learns_how_each_went() {
    let (server, a, b) = two_nodes().await;
    let c = node(&server.url(), "c").await;
    let quitter = a.spawn(Counter { n: 0 });
    a.expose("quitter", &quitter).await.unwrap();
    a.expose("crasher", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    c.expose("leaver", &c.spawn(Counter { n: 0 }))
        .await
        .unwrap();

    let (downs_tx, mut downs) = tokio::sync::mpsc::unbounded_channel();
    let watcher = b.spawn(Watcher { downs: downs_tx });
    let mut ids = std::collections::HashMap::new();
    for name in ["quitter", "crasher", "leaver"] {
        let remote: CounterRemote = b.remote(name).await.unwrap();
        let id = watcher.watch(remote.clone()).await.unwrap();
        assert_eq!(id, remote.id());
        // Found again, the same remote actor has the same id here.
        assert_eq!(b.remote::<CounterRemote>(name).await.unwrap().id(), id);
        ids.insert(id, name);
        until_listened(&b, name).await;
    }
    let next = async |downs: &mut tokio::sync::mpsc::UnboundedReceiver<(ActorId, StopReason)>| {
        tokio::time::timeout(Duration::from_secs(60), downs.recv())
            .await
            .expect("no notice in 60 s")
            .expect("the watcher is gone")
    };

    quitter.stop();
    let (id, reason) = next(&mut downs).await;
    assert_eq!(ids[&id], "quitter");
    assert_eq!(
        reason,
        StopReason::Remote(RemoteDown::Stopped {
            reason: "stopped normally".into(),
            failure: false
        })
    );
    assert!(!reason.is_failure());

    let crasher: CounterRemote = b.remote("crasher").await.unwrap();
    match crasher.crash().await {
        Err(RemoteError::Panicked(panic)) => assert!(panic.contains("crash on purpose"), "{panic}"),
        other => panic!("{other:?}"),
    }
    let (id, reason) = next(&mut downs).await;
    assert_eq!(ids[&id], "crasher");
    match &reason {
        StopReason::Remote(RemoteDown::Stopped { reason, failure }) => {
            assert!(reason.contains("crash on purpose"), "{reason}");
            assert!(failure);
        }
        other => panic!("{other:?}"),
    }

    c.cluster().unwrap().close().await;
    let (id, reason) = next(&mut downs).await;
    assert_eq!(ids[&id], "leaver");
    assert_eq!(reason, StopReason::Remote(RemoteDown::NodeDown("c".into())));
    assert!(reason.is_failure());

    // Watching an actor that is gone tells so at once (OTP's `noproc`).
    let gone = CounterRemote::clone(&crasher);
    let id = watcher.watch(gone).await.unwrap();
    let (down_id, reason) = next(&mut downs).await;
    assert_eq!(down_id, id);
    assert_eq!(reason, StopReason::Remote(RemoteDown::NotRunning));
}

/// Signalled by `Narrow::gate` when it is in its handler.
static ENTERED: tokio::sync::Notify = tokio::sync::Notify::const_new();
/// Lets `Narrow::gate` return.
static RELEASE: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(0);

#[actor(mailbox = 1)]
struct Narrow;

#[actor(remote = "test.Narrow")]
impl Narrow {
    #[message]
    async fn gate(&mut self) -> u8 {
        ENTERED.notify_one();
        RELEASE.acquire().await.unwrap().forget();
        1
    }
    #[message]
    fn quick(&self) -> u8 {
        2
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_mailbox_rejects_instead_of_blocking_the_connection() {
    let (_server, a, b) = two_nodes().await;
    a.expose("narrow", &a.spawn(Narrow)).await.unwrap();
    a.expose("counter", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let narrow: NarrowRemote = b.remote("narrow").await.unwrap();
    let counter: CounterRemote = b.remote("counter").await.unwrap();
    // One in the handler, one queued (a tell, sent before the next ask on
    // the same connection): the ask after them finds the mailbox full.
    let busy = tokio::spawn(narrow.gate().into_future());
    ENTERED.notified().await;
    narrow.quick().tell().await.unwrap();
    assert_eq!(
        narrow.quick().await,
        Err(RemoteError::Rejected(Rejection::Full))
    );
    // The connection is not blocked: another actor of the node answers.
    assert_eq!(counter.add(3).await, Ok(3));
    RELEASE.add_permits(1);
    assert_eq!(busy.await.unwrap(), Ok(1));
    assert_eq!(narrow.quick().await, Ok(2));
    assert_eq!(a.cluster().unwrap().stats().rejected, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_large_a_message_is_rejected_before_it_is_sent() {
    let (_server, a, b) = two_nodes().await;
    a.expose("counter", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let counter: CounterRemote = b.remote("counter").await.unwrap();
    let max = b.cluster().unwrap().client().server_info().max_payload;
    assert_eq!(counter.echo(vec![7; 1000]).await, Ok(1000));
    assert_eq!(
        counter.echo(vec![7; max + 1]).await,
        Err(RemoteError::Rejected(Rejection::TooLarge))
    );
    assert_eq!(
        counter.echo(vec![7; max + 1]).tell().await,
        Err(RemoteError::Rejected(Rejection::TooLarge))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ask_past_its_deadline_times_out() {
    let (_server, a, b) = two_nodes().await;
    a.expose("counter", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let counter: CounterRemote = b.remote("counter").await.unwrap();
    let deadline = Duration::from_millis(300);
    assert_eq!(
        counter.hold(5_000).timeout(deadline).await,
        Err(RemoteError::Timeout(deadline))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_with_wrong_credentials_cannot_join() {
    let server = NatsServer::builder()
        .user_password("ci", "right")
        .start()
        .expect("nats-server");
    let wrong = Cluster::connect(
        ClusterConfig::new(server.url())
            .cluster("reg")
            .node("w")
            .user_password("ci", "wrong"),
    )
    .await;
    assert!(matches!(wrong, Err(RemoteError::Connect(_))), "{wrong:?}");
    let none = Cluster::connect(ClusterConfig::new(server.url()).cluster("reg").node("n")).await;
    assert!(matches!(none, Err(RemoteError::Connect(_))), "{none:?}");
    let right = Cluster::connect(
        ClusterConfig::new(server.url())
            .cluster("reg")
            .node("r")
            .user_password("ci", "right"),
    )
    .await;
    assert!(right.is_ok(), "{right:?}");
}

/// A server that requires TLS, with the test certificates of `tests/tls`.
fn tls_server() -> NatsServer {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls");
    NatsServer::builder()
        .config_line(format!(
            "tls {{ cert_file: \"{dir}/server.pem\", key_file: \"{dir}/server-key.pem\" }}"
        ))
        .start()
        .expect("nats-server with TLS")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_talk_over_tls_and_a_node_that_does_not_trust_the_server_cannot_join() {
    let server = tls_server();
    let tls = |node: &str, ca: &str| {
        ClusterConfig::new(server.url())
            .cluster("reg")
            .node(node)
            .root_certificates(format!("{}/tests/tls/{ca}", env!("CARGO_MANIFEST_DIR")))
    };
    let a = System::builder()
        .cluster(
            Cluster::connect(tls("a", "ca.pem"))
                .await
                .expect("a over TLS"),
        )
        .build();
    let b = System::builder()
        .cluster(
            Cluster::connect(tls("b", "ca.pem"))
                .await
                .expect("b over TLS"),
        )
        .build();
    a.expose("counter", &a.spawn(Counter { n: 0 }))
        .await
        .unwrap();
    let remote: CounterRemote = b.remote("counter").await.unwrap();
    assert_eq!(remote.add(3).await, Ok(3));

    // Trusting another CA, or none (the server requires TLS): refused.
    let stranger = Cluster::connect(tls("s", "other-ca.pem")).await;
    assert!(
        matches!(stranger, Err(RemoteError::Connect(_))),
        "{stranger:?}"
    );
    let plain = Cluster::connect(ClusterConfig::new(server.url()).cluster("reg").node("p")).await;
    assert!(matches!(plain, Err(RemoteError::Connect(_))), "{plain:?}");
}

/// Version 1 of a message type, and the actor that takes it.
mod v1 {
    use actor_core::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Job {
        pub name: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Receipt {
        pub name: String,
    }

    #[actor]
    pub struct Desk;

    #[actor(remote = "test.Desk")]
    impl Desk {
        #[message]
        pub fn submit(&mut self, job: Job) -> Receipt {
            Receipt { name: job.name }
        }
    }
}

/// Version 2: an optional field more in the argument and in the response,
/// and a message more.
mod v2 {
    use actor_core::prelude::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Job {
        pub name: String,
        #[serde(default)]
        pub priority: Option<u8>,
    }

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    pub struct Receipt {
        pub name: String,
        #[serde(default)]
        pub priority: Option<u8>,
    }

    #[actor]
    pub struct Desk;

    #[actor(remote = "test.Desk")]
    impl Desk {
        #[message]
        pub fn submit(&mut self, job: Job) -> Receipt {
            Receipt {
                name: job.name,
                priority: job.priority.or(Some(0)),
            }
        }
        #[message]
        pub fn cancel(&mut self, name: String) -> bool {
            !name.is_empty()
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_and_a_new_version_of_a_message_talk() {
    let server = NatsServer::start().expect("nats-server");
    let old = node(&server.url(), "old").await;
    let new = node(&server.url(), "new").await;
    old.expose("old-desk", &old.spawn(v1::Desk)).await.unwrap();
    new.expose("new-desk", &new.spawn(v2::Desk)).await.unwrap();

    // new -> old: the extra field is skipped, the missing one defaults.
    let old_desk: v2::DeskRemote = new.remote("old-desk").await.unwrap();
    let job = v2::Job {
        name: "build".into(),
        priority: Some(3),
    };
    assert_eq!(
        old_desk.submit(job).await,
        Ok(v2::Receipt {
            name: "build".into(),
            priority: None
        })
    );
    // A message the old version does not have: an error, not a panic.
    assert_eq!(
        old_desk.cancel("build".into()).await,
        Err(RemoteError::UnknownMessage {
            message: "cancel".into()
        })
    );
    // old -> new.
    let new_desk: v1::DeskRemote = old.remote("new-desk").await.unwrap();
    assert_eq!(
        new_desk
            .submit(v1::Job {
                name: "test".into()
            })
            .await,
        Ok(v1::Receipt {
            name: "test".into()
        })
    );
}
