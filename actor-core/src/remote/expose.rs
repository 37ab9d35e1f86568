//! What [`System`] does with its cluster: expose local actors and pools by
//! name, find remote ones, watch them.

use std::fmt;
use std::future::Future;

use futures::{FutureExt, StreamExt};

use super::client::{RemoteHandle, RemoteRef};
use super::cluster::Cluster;
use super::codec;
use super::config::valid_name;
use super::error::{RemoteError, nats};
use super::registry::{self, Entry};
use super::server::{RemoteActor, serve_loop};
use crate::handle::ActorHandle;
use crate::router::{Pool, PoolBuilder};
use crate::system::System;

/// Why a watched remote actor is gone: what [`System::watch_remote`]
/// answers, and what the `#[on_down]` hook of an actor that watches a remote
/// handle ([`Context::watch`](crate::Context::watch)) gets, as
/// [`StopReason::Remote`](crate::StopReason::Remote).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteDown {
    /// The actor stopped for good on its node, or its node stopped exposing
    /// it.
    Stopped {
        /// Its [`StopReason`](crate::StopReason) as its node printed it.
        reason: String,
        /// Whether that was a failure on its node
        /// ([`StopReason::is_failure`](crate::StopReason::is_failure)).
        failure: bool,
    },
    /// Its node stopped sending heartbeats, or left the cluster.
    NodeDown(String),
    /// It was no longer registered when the watch began (OTP's `noproc`):
    /// why it went is not known here.
    NotRunning,
}

impl RemoteDown {
    /// `false` only for a normal stop or a shutdown on its node.
    pub fn is_failure(&self) -> bool {
        match self {
            RemoteDown::Stopped { failure, .. } => *failure,
            RemoteDown::NodeDown(_) | RemoteDown::NotRunning => true,
        }
    }
}

impl fmt::Display for RemoteDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteDown::Stopped { reason, .. } => write!(f, "remote actor {reason}"),
            RemoteDown::NodeDown(node) => write!(f, "remote actor's node {node} is down"),
            RemoteDown::NotRunning => f.write_str("remote actor not running"),
        }
    }
}

/// What a node publishes on an exposed actor's down subject: its stop
/// reason, printed, and whether it was a failure.
#[derive(serde::Serialize, serde::Deserialize)]
struct DownNotice {
    reason: String,
    failure: bool,
}

impl System {
    /// The cluster this system belongs to, if it was built with one.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster_ref()
    }

    /// The cluster, for a `name` to expose or find: [`RemoteError::NoCluster`]
    /// without one, [`RemoteError::InvalidName`] for a name that cannot be a
    /// NATS subject token.
    fn cluster_for(&self, name: &str) -> Result<&Cluster, RemoteError> {
        let cluster = self.cluster_ref().ok_or(RemoteError::NoCluster)?;
        if !valid_name(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
        Ok(cluster)
    }

    /// Makes a local actor reachable from every node of the cluster as
    /// `name`, until it stops for good (a supervised actor keeps its name
    /// across restarts: the handle stays valid) or the cluster is closed.
    ///
    /// Fails with [`RemoteError::NameTaken`] if a live actor of another node
    /// holds the name, [`RemoteError::WrongType`] if another remote type
    /// does, and [`RemoteError::NoCluster`] without a cluster.
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let worker = system.spawn(Worker);
    /// system.expose("worker", &worker).await?;
    /// // A name is held once in the cluster:
    /// let again = system.expose("worker", &system.spawn(Worker)).await;
    /// assert!(matches!(again, Err(RemoteError::NameTaken { .. })));
    /// # Ok(()) }
    /// ```
    pub async fn expose<H>(&self, name: &str, handle: &H) -> Result<(), RemoteError>
    where
        H: ActorHandle,
        H::Actor: RemoteActor,
    {
        let cluster = self.cluster_for(name)?;
        let inner = &cluster.inner;
        let subject = format!("{}.actor.{name}", inner.config.cluster);
        let entry = Entry {
            node: inner.config.node.clone(),
            subject: subject.clone(),
            wire: <<H::Actor as RemoteActor>::Remote as RemoteHandle>::WIRE_NAME.to_owned(),
            pool: false,
        };
        // Subscribed (and the server has the subscription) before the name
        // is found: whoever finds it can reach it.
        let subscriber = inner.client.subscribe(subject).await.map_err(nats)?;
        inner.client.flush().await.map_err(nats)?;
        let revision = match registry::register(inner, name, &entry).await {
            Ok(revision) => revision,
            Err(e) => {
                let mut subscriber = subscriber;
                let _ = subscriber.unsubscribe().await;
                return Err(e);
            }
        };
        inner
            .exposed
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name.to_owned(), revision));
        let serving = handle.clone();
        let stopped = {
            let handle = handle.clone();
            async move {
                handle.actor_ref().wait_stopped().await;
            }
        };
        let inner = inner.clone();
        let name = name.to_owned();
        let exposed = handle.actor_ref().clone();
        tokio::spawn(async move {
            let serving = serve_loop(
                inner.clone(),
                subscriber,
                move |call| H::Actor::dispatch(&serving, call),
                stopped,
                name.clone(),
            );
            let mut subscriber = serving.await;
            if inner.is_closed() {
                return;
            }
            // The notice goes out before the subject is given up: whoever
            // finds nobody serving it (a watch's probe) has the notice
            // ahead of that answer, if it listened.
            let notice = match exposed.stop_reason() {
                Some(reason) => DownNotice {
                    reason: reason.to_string(),
                    failure: reason.is_failure(),
                },
                None => DownNotice {
                    reason: "no longer exposed".to_owned(),
                    failure: false,
                },
            };
            let subject = format!("{}.down.{name}", inner.config.cluster);
            let payload = codec::encode(&notice).unwrap_or_default();
            let _ = inner.client.publish(subject, payload.into()).await;
            let _ = subscriber.unsubscribe().await;
            inner
                .exposed
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|(n, r)| !(*n == name && *r == revision));
            registry::unregister(&inner, &name, revision).await;
        });
        Ok(())
    }

    /// Joins every member of `pool` to the queue group `name`: asks through
    /// [`System::remote_pool`] go to one member of one node, spread over the
    /// members of every node that exposes the same pool name.
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let pool = system.pool(4, || Worker).spawn().expect("spawned");
    /// system.expose_pool("workers", &pool).await?;
    /// # Ok(()) }
    /// ```
    pub async fn expose_pool<A: RemoteActor>(
        &self,
        name: &str,
        pool: &Pool<A>,
    ) -> Result<(), RemoteError> {
        let cluster = self.cluster_for(name)?;
        let inner = &cluster.inner;
        let subject = format!("{}.pool.{name}", inner.config.cluster);
        let entry = Entry {
            node: String::new(),
            subject: subject.clone(),
            wire: <A::Remote as RemoteHandle>::WIRE_NAME.to_owned(),
            pool: true,
        };
        let mut subscribers = Vec::with_capacity(pool.members().len());
        for _ in pool.members() {
            subscribers.push(
                inner
                    .client
                    .queue_subscribe(subject.clone(), name.to_owned())
                    .await
                    .map_err(nats)?,
            );
        }
        inner.client.flush().await.map_err(nats)?;
        if let Err(e) = registry::register(inner, name, &entry).await {
            for mut subscriber in subscribers {
                let _ = subscriber.unsubscribe().await;
            }
            return Err(e);
        }
        for (member, subscriber) in pool.members().iter().zip(subscribers) {
            let handle = member.clone();
            let stopped = {
                let handle = handle.clone();
                async move {
                    handle.actor_ref().wait_stopped().await;
                }
            };
            let serving = serve_loop(
                inner.clone(),
                subscriber,
                move |call| A::dispatch(&handle, call),
                stopped,
                name.to_owned(),
            );
            tokio::spawn(async move {
                let _ = serving.await.unsubscribe().await;
            });
        }
        Ok(())
    }

    /// The actor exposed as `name` somewhere in the cluster, as its remote
    /// handle. Fails with [`RemoteError::NotRegistered`] if no live actor
    /// holds the name (none registered, or its node is down), and
    /// [`RemoteError::WrongType`] if it is another type, or a pool.
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let worker: WorkerRemote = system.remote("worker").await?;
    /// assert!(worker.run("build".into()).await?);
    /// let missing = system.remote::<WorkerRemote>("nobody").await;
    /// assert!(matches!(missing, Err(RemoteError::NotRegistered { .. })));
    /// # Ok(()) }
    /// ```
    pub async fn remote<R: RemoteHandle>(&self, name: &str) -> Result<R, RemoteError> {
        self.find::<R>(name, false).await
    }

    /// The pool exposed as `name` (by any number of nodes): asks through it
    /// go to one member, spread over every node's members.
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let workers: WorkerRemote = system.remote_pool("workers").await?;
    /// assert_eq!(workers.node(), None); // any node's member
    /// assert!(workers.run("build".into()).await?);
    /// # Ok(()) }
    /// ```
    pub async fn remote_pool<R: RemoteHandle>(&self, name: &str) -> Result<R, RemoteError> {
        self.find::<R>(name, true).await
    }

    async fn find<R: RemoteHandle>(&self, name: &str, pool: bool) -> Result<R, RemoteError> {
        let cluster = self.cluster_for(name)?;
        let entry = registry::lookup(&cluster.inner, name).await?;
        if entry.wire != R::WIRE_NAME || entry.pool != pool {
            let kind = |pool: bool, wire: &str| {
                if pool {
                    format!("pool of {wire}")
                } else {
                    wire.to_owned()
                }
            };
            return Err(RemoteError::WrongType {
                name: name.to_owned(),
                expected: kind(pool, R::WIRE_NAME),
                found: kind(entry.pool, &entry.wire),
            });
        }
        let node = (!entry.pool).then_some(entry.node);
        Ok(R::from_remote(RemoteRef::new(
            cluster.clone(),
            name.to_owned(),
            entry.subject,
            node,
        )))
    }

    /// Resolves when the remote actor stops for good on its node, or its
    /// node goes down (heartbeats missed, or it left the cluster). A pool
    /// is not watched (its members come and go with nodes): for one, the
    /// future never resolves. Inside an actor, [`Context::watch`] on the
    /// remote handle does the same and runs its `#[on_down]` hook.
    ///
    /// [`Context::watch`]: crate::Context::watch
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// use actor_core::remote::RemoteDown;
    /// let worker: WorkerRemote = system.remote("worker").await?;
    /// match system.watch_remote(&worker).await {
    ///     RemoteDown::Stopped { reason, .. } => println!("the worker {reason}"),
    ///     RemoteDown::NodeDown(node) => println!("{node} is gone"),
    ///     _ => println!("the worker was not running"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch_remote<R: RemoteHandle>(
        &self,
        remote: &R,
    ) -> impl Future<Output = RemoteDown> + Send + 'static {
        watch(remote.remote_ref().clone())
    }
}

/// Resolves when the actor behind `remote` is gone: [`System::watch_remote`].
///
/// Listens on the actor's down subject first, then asks its node whether
/// it is served. A node publishes the notice before it gives up the
/// actor's subject, so when the probe finds nobody serving it, a notice
/// published after the listening began is already here.
pub(crate) async fn watch(remote: RemoteRef) -> RemoteDown {
    let (Some(node), Some(mut node_state)) =
        (remote.node().map(str::to_owned), remote.node_state())
    else {
        return std::future::pending().await;
    };
    let cluster = remote.cluster().clone();
    let inner = &cluster.inner;
    let node_gone = |node: String| async move {
        let _ = node_state.wait_for(|down| *down).await;
        RemoteDown::NodeDown(node)
    };
    let subject = format!("{}.down.{}", inner.config.cluster, remote.name());
    let Ok(mut down) = inner.client.subscribe(subject).await else {
        // Not connected now, and closed for good: only the node's
        // heartbeats are left to tell.
        return node_gone(node).await;
    };
    let _ = inner.client.flush().await;
    // Nobody serving the subject may also mean that this node's server has
    // not yet heard of a subscription made on another server of the
    // cluster: while the registry still names the actor at its node, ask
    // again, a bounded number of times.
    for _ in 0..PROBES {
        if !probe_finds_nobody(&remote).await {
            break;
        }
        if let Some(Some(stopped)) = next_notice(&mut down).now_or_never() {
            return stopped;
        }
        match registry::lookup(inner, remote.name()).await {
            Ok(entry) if entry.node == node => {}
            Err(RemoteError::Nats(_)) => {}
            _ if remote.is_node_down() => return RemoteDown::NodeDown(node),
            _ => return RemoteDown::NotRunning,
        }
        tokio::time::sleep(PROBE_INTERVAL).await;
    }
    // Served, or no answer in time (a frozen node's heartbeats will tell).
    tokio::select! {
        Some(stopped) = next_notice(&mut down) => stopped,
        gone = node_gone(node) => gone,
    }
}

/// How often [`watch`] asks whether an actor is served, and how far apart.
const PROBES: u32 = 50;
const PROBE_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);

/// `true` when nobody serves the actor's subject now.
async fn probe_finds_nobody(remote: &RemoteRef) -> bool {
    let inner = &remote.cluster().inner;
    let probe = inner.client.send_request(
        remote.subject().to_owned(),
        async_nats::Request::new()
            .payload(codec::request_frame(
                codec::ALIVE,
                Some(inner.config.ask_timeout),
                &[],
            ))
            .timeout(Some(inner.config.ask_timeout)),
    );
    matches!(probe.await, Err(e) if e.kind() == async_nats::client::RequestErrorKind::NoResponders)
}

/// The next stop notice on a down subject (anything else published there
/// is skipped); `None` when the subscription ends.
async fn next_notice(down: &mut async_nats::Subscriber) -> Option<RemoteDown> {
    while let Some(message) = down.next().await {
        if let Ok(DownNotice { reason, failure }) = codec::decode(&message.payload) {
            return Some(RemoteDown::Stopped { reason, failure });
        }
    }
    None
}

impl<A, F> PoolBuilder<'_, A, F>
where
    A: RemoteActor,
    F: Fn() -> A + Send + Sync + 'static,
{
    /// Spawns the pool and exposes its members as `name`
    /// ([`System::expose_pool`]).
    ///
    /// ```no_run
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let pool = system.pool(4, || Worker).expose("workers").await?;
    /// assert_eq!(pool.members().len(), 4);
    /// # Ok(()) }
    /// ```
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`System::spawn`].
    pub async fn expose(self, name: &str) -> Result<Pool<A>, RemoteError> {
        let system = self.system().clone();
        let pool = self
            .spawn()
            .map_err(|e| RemoteError::Nats(format!("spawning the pool: {e}")))?;
        system.expose_pool(name, &pool).await?;
        Ok(pool)
    }
}
