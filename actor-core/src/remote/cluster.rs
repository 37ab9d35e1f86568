//! [`Cluster`]: this node's connection to NATS, its heartbeats, and the
//! cluster's registry bucket.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use async_nats::jetstream::kv;
use futures::StreamExt;
use tokio::sync::watch;

use super::config::{ClusterConfig, valid_name};
use super::error::{RemoteError, nats};
use super::node::Nodes;
use crate::cell::ActorId;

/// This node's membership of a cluster: a NATS connection tuned to notice
/// failures in about a second, heartbeats, and the cluster's registry.
/// Cheap to clone. Give it to [`SystemBuilder::cluster`](crate::SystemBuilder::cluster).
///
/// ```no_run
/// use actor_core::System;
/// use actor_core::remote::{Cluster, ClusterConfig};
///
/// # async fn run() -> Result<(), actor_core::remote::RemoteError> {
/// let cluster = Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222").cluster("ci").node("node-a")).await?;
/// let system = System::builder().cluster(cluster.clone()).build();
/// assert_eq!(cluster.node(), "node-a");
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Cluster {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) client: async_nats::Client,
    pub(crate) kv: kv::Store,
    pub(crate) config: ClusterConfig,
    pub(crate) nodes: Nodes,
    pub(crate) link: Arc<Link>,
    /// Names this node registered, removed at [`Cluster::close`].
    pub(crate) exposed: Mutex<Vec<(String, u64)>>,
    /// The id each remote actor resolved here has on this node, by subject
    /// and node: the same remote actor, found twice, has one id.
    remote_ids: Mutex<HashMap<(String, String), ActorId>>,
    /// Set at close: the background tasks end.
    closed: watch::Sender<bool>,
}

/// What the connection's event callback reports.
pub(crate) struct Link {
    /// Counts disconnections: an ask in flight when it changes fails.
    pub(crate) epoch: watch::Sender<u64>,
    /// `true` while connected to a server.
    pub(crate) connected: watch::Sender<bool>,
    pub(crate) stats: Counters,
}

/// The counters behind [`RemoteStats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) asks_sent: AtomicU64,
    pub(crate) tells_sent: AtomicU64,
    pub(crate) received: AtomicU64,
    pub(crate) rejected: AtomicU64,
    pub(crate) tells_lost: AtomicU64,
    pub(crate) slow_consumers: AtomicU64,
    pub(crate) disconnects: AtomicU64,
    pub(crate) nodes_down: AtomicU64,
}

/// What this node sent and received, and what went wrong:
/// [`Cluster::stats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RemoteStats {
    /// Remote asks sent.
    pub asks_sent: u64,
    /// Remote tells sent (handed to the NATS connection).
    pub tells_sent: u64,
    /// Messages received for this node's exposed actors.
    pub received: u64,
    /// Received messages refused: mailbox full, or the actor stopped.
    pub rejected: u64,
    /// Received tells that could not be delivered (counted in `rejected`
    /// too): nobody was told, so they are counted and traced here.
    pub tells_lost: u64,
    /// NATS slow-consumer events: messages the client dropped because a
    /// subscription's buffer was full.
    pub slow_consumers: u64,
    /// Times the connection to NATS dropped.
    pub disconnects: u64,
    /// Times another node was taken for down.
    pub nodes_down: u64,
}

impl fmt::Debug for Cluster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cluster")
            .field("cluster", &self.inner.config.cluster)
            .field("node", &self.inner.config.node)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Connects to NATS, opens (or creates) the cluster's registry bucket,
    /// and starts this node's heartbeats.
    ///
    /// Fails with [`RemoteError::Connect`] when no server answers or the
    /// credentials are refused, and [`RemoteError::InvalidName`] for a
    /// cluster or node name that cannot be a subject token.
    pub async fn connect(config: ClusterConfig) -> Result<Cluster, RemoteError> {
        for name in [&config.cluster, &config.node] {
            if !valid_name(name) {
                return Err(RemoteError::InvalidName(name.clone()));
            }
        }
        let link = Arc::new(Link {
            epoch: watch::Sender::new(0),
            connected: watch::Sender::new(true),
            stats: Counters::default(),
        });
        let mut options = async_nats::ConnectOptions::new()
            .name(format!("actor-core {}/{}", config.cluster, config.node))
            // A dead server is noticed after two unanswered pings.
            .ping_interval(config.heartbeat * 2)
            // A frozen server accepts TCP connections (the kernel does) and
            // never answers: a reconnection that tries it gives up soon.
            .connection_timeout(Duration::from_secs(1))
            .reconnect_delay_callback(|attempts| {
                // The first retry at once (another server of the cluster is
                // likely up), then backing off to at most a second.
                let ms = match attempts {
                    0 | 1 => 0,
                    n => (25u64 << (n - 2).min(6)).min(1000),
                };
                Duration::from_millis(ms + fastrand::u64(..=ms / 4 + 1))
            })
            .event_callback({
                let link = link.clone();
                let node = config.node.clone();
                move |event| {
                    let link = link.clone();
                    let node = node.clone();
                    async move { link.event(&node, event) }
                }
            });
        if let Some(path) = &config.credentials_file {
            options = options
                .credentials_file(path)
                .await
                .map_err(|e| RemoteError::Connect(format!("{}: {e}", path.display())))?;
        }
        for f in &config.options {
            options = f(options);
        }
        let addrs = config
            .urls
            .split(',')
            .map(|url| url.trim().parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| RemoteError::Connect(format!("`{}`: {e}", config.urls)))?;
        let client = options
            .connect(addrs)
            .await
            .map_err(|e| RemoteError::Connect(e.to_string()))?;
        let kv = open_bucket(&client, &config.cluster).await?;
        let (closed, _) = watch::channel(false);
        let inner = Arc::new(Inner {
            client,
            kv,
            nodes: Nodes::new(config.down_after()),
            config,
            link,
            exposed: Mutex::new(Vec::new()),
            remote_ids: Mutex::new(HashMap::new()),
            closed,
        });
        start_heartbeats(&inner).await?;
        Ok(Cluster { inner })
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.inner.config.node
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.inner.config.cluster
    }

    /// The NATS client, for what this crate does not wrap.
    pub fn client(&self) -> &async_nats::Client {
        &self.inner.client
    }

    /// The nodes whose heartbeats came recently (this one included), sorted.
    pub fn alive_nodes(&self) -> Vec<String> {
        self.inner.nodes.alive()
    }

    /// `true` if `node` stopped sending heartbeats.
    pub fn is_node_down(&self, node: &str) -> bool {
        self.inner.nodes.is_down(node)
    }

    /// Waits until `node` is taken for down (at once if it is). A node never
    /// seen gets the time of its missed heartbeats from now to show up.
    pub async fn wait_node_down(&self, node: &str) {
        let mut state = self.inner.nodes.watch(node);
        let _ = state.wait_for(|down| *down).await;
    }

    /// What this node sent and received so far, and what went wrong.
    pub fn stats(&self) -> RemoteStats {
        let c = &self.inner.link.stats;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        RemoteStats {
            asks_sent: get(&c.asks_sent),
            tells_sent: get(&c.tells_sent),
            received: get(&c.received),
            rejected: get(&c.rejected),
            tells_lost: get(&c.tells_lost),
            slow_consumers: get(&c.slow_consumers),
            disconnects: get(&c.disconnects),
            nodes_down: get(&c.nodes_down),
        }
    }

    /// Leaves the cluster: stops the heartbeats, tells the other nodes this
    /// one is gone (they fail its asks in flight at once), removes the names
    /// this node registered, and flushes the connection.
    pub async fn close(&self) {
        self.inner.closed.send_replace(true);
        let names =
            std::mem::take(&mut *self.inner.exposed.lock().unwrap_or_else(|e| e.into_inner()));
        for (name, revision) in names {
            super::registry::unregister(&self.inner, &name, revision).await;
        }
        let _ = self
            .inner
            .client
            .publish(self.inner.subject_node("bye"), bytes::Bytes::new())
            .await;
        let _ = self.inner.client.flush().await;
    }
}

impl Inner {
    /// The id the remote actor on `subject` at `node` has on this node.
    pub(crate) fn remote_id(&self, subject: &str, node: &str) -> ActorId {
        *self
            .remote_ids
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((subject.to_owned(), node.to_owned()))
            .or_insert_with(ActorId::next)
    }

    pub(crate) fn subject_node(&self, what: &str) -> String {
        format!("{}.node.{}.{what}", self.config.cluster, self.config.node)
    }

    pub(crate) fn is_closed(&self) -> bool {
        *self.closed.borrow()
    }
}

impl Link {
    /// Waits until connected, for at most `deadline`; `false` if not.
    pub(crate) async fn wait_connected(&self, deadline: std::time::Duration) -> bool {
        if *self.connected.borrow() {
            return true;
        }
        let mut connected = self.connected.subscribe();
        tokio::time::timeout(deadline, async {
            let _ = connected.wait_for(|c| *c).await.map(|_| ());
        })
        .await
        .is_ok()
    }

    fn event(&self, node: &str, event: async_nats::Event) {
        match event {
            async_nats::Event::Disconnected => {
                self.stats.disconnects.fetch_add(1, Ordering::Relaxed);
                self.connected.send_replace(false);
                self.epoch.send_modify(|e| *e += 1);
                tracing::warn!(node, "disconnected from NATS; reconnecting");
            }
            async_nats::Event::Connected => {
                self.connected.send_replace(true);
                tracing::info!(node, "connected to NATS");
            }
            async_nats::Event::SlowConsumer(sid) => {
                self.stats.slow_consumers.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(node, sid, "NATS slow consumer: messages dropped");
            }
            other => tracing::debug!(node, event = %other, "NATS event"),
        }
    }
}

/// The registry's bucket, `actor-core-<cluster>`: opened, else created
/// replicated over up to three servers, else on one.
async fn open_bucket(client: &async_nats::Client, cluster: &str) -> Result<kv::Store, RemoteError> {
    let js = async_nats::jetstream::new(client.clone());
    let bucket = format!("actor-core-{cluster}");
    if let Ok(store) = js.get_key_value(&bucket).await {
        return Ok(store);
    }
    let mut last = None;
    for replicas in [3, 1] {
        let config = kv::Config {
            bucket: bucket.clone(),
            description: "actor-core: exposed actors by name".to_owned(),
            history: 1,
            storage: async_nats::jetstream::stream::StorageType::Memory,
            num_replicas: replicas,
            ..Default::default()
        };
        match js.create_key_value(config).await {
            Ok(store) => return Ok(store),
            Err(e) => last = Some(e),
        }
    }
    // Another node may have created it meanwhile.
    js.get_key_value(&bucket).await.map_err(|e| {
        nats(format!(
            "registry bucket {bucket}: {e}; creating it: {last:?}"
        ))
    })
}

/// Publishes this node's heartbeats and watches everyone's.
async fn start_heartbeats(inner: &Arc<Inner>) -> Result<(), RemoteError> {
    let cluster = &inner.config.cluster;
    let mut beats = inner
        .client
        .subscribe(format!("{cluster}.node.*.*"))
        .await
        .map_err(nats)?;
    let interval = inner.config.heartbeat;
    let weak = Arc::downgrade(inner);
    let mut closed = inner.closed.subscribe();
    let client = inner.client.clone();
    let subject = inner.subject_node("hb");
    // The first beat before `connect` returns: the others see this node
    // as soon as it can be asked.
    client
        .publish(subject.clone(), bytes::Bytes::new())
        .await
        .map_err(nats)?;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {
                    let _ = client.publish(subject.clone(), bytes::Bytes::new()).await;
                }
                () = until_closed(&mut closed) => break,
            }
        }
    });
    let mut closed = inner.closed.subscribe();
    tokio::spawn(async move {
        let mut check = tokio::time::interval(interval / 4);
        check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                beat = beats.next() => {
                    let Some(beat) = beat else { break };
                    let Some(inner) = weak.upgrade() else { break };
                    // <cluster>.node.<node>.<hb|bye>
                    let mut parts = beat.subject.rsplit('.');
                    let (kind, node) = (parts.next(), parts.next());
                    match (kind, node) {
                        (Some("hb"), Some(node)) if inner.nodes.beat(node) => {
                            tracing::info!(node, "node is back");
                        }
                        (Some("bye"), Some(node)) if inner.nodes.left(node) => {
                            node_down(&inner, node.to_owned(), "left");
                        }
                        _ => {}
                    }
                }
                _ = check.tick() => {
                    let Some(inner) = weak.upgrade() else { break };
                    for node in inner.nodes.check() {
                        node_down(&inner, node, "missed heartbeats");
                    }
                }
                () = until_closed(&mut closed) => break,
            }
        }
    });
    Ok(())
}

fn node_down(inner: &Arc<Inner>, node: String, why: &'static str) {
    inner.link.stats.nodes_down.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(node, why, "node is down");
    if node == inner.config.node {
        return;
    }
    let weak: Weak<Inner> = Arc::downgrade(inner);
    tokio::spawn(async move {
        if let Some(inner) = weak.upgrade() {
            super::registry::purge_node(&inner, &node).await;
        }
    });
}

/// Resolves when the cluster is closed (or gone).
async fn until_closed(closed: &mut watch::Receiver<bool>) {
    let _ = closed.wait_for(|c| *c).await.map(|_| ());
}
