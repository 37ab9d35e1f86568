//! The sending side: [`RemoteRef`], what a generated `FooRemote` wraps, and
//! [`RemoteRequest`], what its methods return.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Cluster;
use super::codec;
use super::error::{NotDelivered, Rejection, RemoteError};
use crate::cell::ActorId;

/// Implemented by every generated remote handle (`SchedulerRemote`), so
/// that [`System::remote`](crate::System::remote) can hand one out.
pub trait RemoteHandle: Clone + Send + Sync + fmt::Debug + 'static {
    /// The actor type's wire name, from `#[actor(remote = "..")]`.
    const WIRE_NAME: &'static str;

    /// Wraps a [`RemoteRef`].
    fn from_remote(remote: RemoteRef) -> Self;

    /// The [`RemoteRef`] inside.
    fn remote_ref(&self) -> &RemoteRef;
}

/// A reference to an actor (or a pool) exposed somewhere in the cluster:
/// its subject, and its node when it is a single actor. Cheap to clone.
/// Generated remote handles dereference to it.
#[derive(Clone)]
pub struct RemoteRef {
    inner: Arc<RefInner>,
}

struct RefInner {
    cluster: Cluster,
    name: String,
    /// Cheap to clone: each message's publish takes one.
    subject: async_nats::Subject,
    /// The node of a single actor; `None` for a pool.
    node: Option<String>,
    /// Its id on this node.
    id: ActorId,
    /// Whether its node is down (`None` for a pool): read by every message.
    node_state: Option<tokio::sync::watch::Receiver<bool>>,
}

impl fmt::Debug for RemoteRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRef")
            .field("name", &self.inner.name)
            .field("node", &self.inner.node)
            .finish_non_exhaustive()
    }
}

impl PartialEq for RemoteRef {
    fn eq(&self, other: &Self) -> bool {
        self.inner.subject == other.inner.subject && self.inner.node == other.inner.node
    }
}

impl Eq for RemoteRef {}

impl RemoteRef {
    pub(crate) fn new(
        cluster: Cluster,
        name: String,
        subject: String,
        node: Option<String>,
    ) -> Self {
        let id = cluster
            .inner
            .remote_id(&subject, node.as_deref().unwrap_or_default());
        let node_state = node.as_deref().map(|node| cluster.inner.nodes.watch(node));
        RemoteRef {
            inner: Arc::new(RefInner {
                cluster,
                name,
                subject: subject.into(),
                node,
                id,
                node_state,
            }),
        }
    }

    /// The name the actor (or pool) was exposed under.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// This remote actor's id on this node: what the `#[on_down]` hook of
    /// an actor that watches it ([`Context::watch`](crate::Context::watch))
    /// receives, and what [`Context::unwatch`](crate::Context::unwatch)
    /// takes. The same remote actor found twice has the same id here; other
    /// nodes give it ids of their own.
    pub fn id(&self) -> ActorId {
        self.inner.id
    }

    /// The node of a single actor; `None` for a pool, whose members may be
    /// on any node.
    pub fn node(&self) -> Option<&str> {
        self.inner.node.as_deref()
    }

    /// `true` while the actor's node sends heartbeats (always for a pool).
    pub fn is_node_up(&self) -> bool {
        !self.is_node_down()
    }

    /// Its node's state, `true` while down (`None` for a pool).
    pub(crate) fn node_state(&self) -> Option<tokio::sync::watch::Receiver<bool>> {
        self.inner.node_state.clone()
    }

    pub(crate) fn is_node_down(&self) -> bool {
        self.inner
            .node_state
            .as_ref()
            .is_some_and(|state| *state.borrow())
    }

    pub(crate) fn subject(&self) -> &str {
        &self.inner.subject
    }

    pub(crate) fn cluster(&self) -> &Cluster {
        &self.inner.cluster
    }

    /// Builds a request: generated methods call this with the handler's
    /// name and its arguments as a tuple.
    #[doc(hidden)]
    pub fn request<R, T: Serialize>(&self, message: &'static str, args: &T) -> RemoteRequest<R> {
        RemoteRequest {
            to: self.clone(),
            message,
            frame: codec::encode_request(message, args),
            timeout: None,
            _response: PhantomData,
        }
    }
}

impl crate::monitor::Watchable for RemoteRef {
    fn watch_from<A: crate::Actor>(&self, ctx: &mut crate::Context<A>) {
        let down = super::expose::watch(self.clone());
        ctx.watch_future(
            self.id(),
            async move { crate::StopReason::Remote(down.await) },
        );
    }
}

/// A message to a remote actor, not yet sent: `.await` asks (with the
/// cluster's default deadline, or the one of [`RemoteRequest::timeout`]),
/// [`RemoteRequest::tell`] tells. Owns what it needs: `'static`, so it moves
/// into `tokio::spawn`.
#[must_use = "a request does nothing until it is awaited (ask) or told"]
pub struct RemoteRequest<R> {
    to: RemoteRef,
    message: &'static str,
    /// The request frame (a tell until sent as an ask).
    frame: Result<bytes::BytesMut, RemoteError>,
    timeout: Option<Duration>,
    _response: PhantomData<fn() -> R>,
}

impl<R> fmt::Debug for RemoteRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteRequest")
            .field("to", &self.to)
            .field("message", &self.message)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<R: DeserializeOwned + Send + 'static> RemoteRequest<R> {
    /// The ask's deadline, instead of the cluster's default
    /// ([`DEFAULT_ASK_TIMEOUT`](super::DEFAULT_ASK_TIMEOUT) unless
    /// [`ClusterConfig::ask_timeout`](super::ClusterConfig::ask_timeout) says
    /// otherwise). The receiving side gives up at the same deadline.
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let worker: WorkerRemote = system.remote("worker").await?;
    /// match worker.run("build".into()).timeout(Duration::from_millis(300)).await {
    ///     Ok(done) => println!("done: {done}"),
    ///     Err(e) if e.is_retryable() => println!("not run, try another node: {e}"),
    ///     Err(e) => println!("may have run: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends the message without waiting for the handler: at most once. `Ok`
    /// means it was handed to the NATS connection; a receiving side that
    /// cannot queue it counts and traces it
    /// ([`RemoteStats::tells_lost`](super::RemoteStats::tells_lost)).
    ///
    /// ```no_run
    /// # use std::time::Duration;
    /// # use actor_core::prelude::*;
    /// # use actor_core::remote::{Cluster, ClusterConfig, RemoteError};
    /// # #[actor] struct Worker;
    /// # #[actor(remote = "ci.Worker")] impl Worker { #[message] fn run(&mut self, job: String) -> bool { !job.is_empty() } }
    /// # async fn run() -> Result<(), RemoteError> {
    /// # let system = System::builder().cluster(Cluster::connect(ClusterConfig::new("nats://127.0.0.1:4222")).await?).build();
    /// let worker: WorkerRemote = system.remote("worker").await?;
    /// worker.run("lint".into()).tell().await?;
    /// # Ok(()) }
    /// ```
    pub async fn tell(self) -> Result<(), RemoteError> {
        let frame = self.frame?.freeze();
        let cluster = self.to.cluster();
        let inner = &cluster.inner;
        if self.to.is_node_down() {
            return Err(RemoteError::NotDelivered(NotDelivered::NodeDown));
        }
        // While reconnecting, wait (at most the ask deadline) rather than
        // hand the message to a connection that may be dead.
        if !inner.link.wait_connected(inner.config.ask_timeout).await {
            return Err(RemoteError::NotDelivered(NotDelivered::NotConnected));
        }
        inner
            .client
            .publish(self.to.inner.subject.clone(), frame)
            .await
            .map_err(|e| match e.kind() {
                async_nats::client::PublishErrorKind::MaxPayloadExceeded => {
                    RemoteError::Rejected(Rejection::TooLarge)
                }
                _ => RemoteError::NotDelivered(NotDelivered::NotConnected),
            })?;
        inner.link.stats.tells_sent.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn ask(self) -> Result<R, RemoteError> {
        let mut frame = self.frame?;
        let cluster = self.to.cluster().clone();
        let inner = &cluster.inner;
        let deadline = self.timeout.unwrap_or(inner.config.ask_timeout);
        if self.to.is_node_down() {
            return Err(RemoteError::NotDelivered(NotDelivered::NodeDown));
        }
        let mut node_state = self.to.node_state();
        let started = tokio::time::Instant::now();
        if !inner.link.wait_connected(deadline).await {
            return Err(RemoteError::NotDelivered(NotDelivered::NotConnected));
        }
        let remaining = deadline.saturating_sub(started.elapsed());
        let mut epoch = inner.link.epoch.subscribe();
        epoch.borrow_and_update();
        codec::set_kind(&mut frame, Some(remaining));
        inner.link.stats.asks_sent.fetch_add(1, Ordering::Relaxed);
        let request = inner.client.send_request(
            self.to.inner.subject.clone(),
            async_nats::Request::new()
                .payload(frame.freeze())
                .timeout(Some(remaining)),
        );
        let node_down = async {
            match &mut node_state {
                Some(state) => {
                    let _ = state.wait_for(|down| *down).await.map(|_| ());
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            reply = request => match reply {
                Ok(message) => codec::parse_reply(&message.payload, self.message, deadline),
                Err(e) => Err(match e.kind() {
                    async_nats::client::RequestErrorKind::NoResponders => {
                        RemoteError::NotDelivered(NotDelivered::NoResponders)
                    }
                    async_nats::client::RequestErrorKind::TimedOut => RemoteError::Timeout(deadline),
                    async_nats::client::RequestErrorKind::MaxPayloadExceeded => {
                        RemoteError::Rejected(Rejection::TooLarge)
                    }
                    _ => RemoteError::Disconnected,
                }),
            },
            () = node_down => Err(RemoteError::NodeDown {
                node: self.to.node().unwrap_or_default().to_owned(),
            }),
            _ = epoch.changed() => Err(RemoteError::Disconnected),
        }
    }
}

impl<R: DeserializeOwned + Send + 'static> IntoFuture for RemoteRequest<R> {
    type Output = Result<R, RemoteError>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<R, RemoteError>> + Send>>;

    /// Asks: sends the message and waits for the reply, until the deadline.
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.ask())
    }
}
