//! What [`System`] does with its cluster: expose local actors and pools by
//! name, find remote ones, watch them.

use std::future::Future;

use futures::StreamExt;

use super::client::{RemoteHandle, RemoteRef};
use super::cluster::Cluster;
use super::config::valid_name;
use super::error::{RemoteError, nats};
use super::registry::{self, Entry};
use super::server::{RemoteActor, serve_loop};
use crate::handle::ActorHandle;
use crate::router::{Pool, PoolBuilder};
use crate::system::System;

/// Why a watched remote actor is gone: [`System::watch_remote`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RemoteDown {
    /// The actor stopped for good (or was unexposed) on its node.
    Stopped,
    /// Its node stopped sending heartbeats, or left the cluster.
    NodeDown(String),
}

impl System {
    /// The cluster this system belongs to, if it was built with one.
    pub fn cluster(&self) -> Option<&Cluster> {
        self.cluster_ref()
    }

    fn need_cluster(&self) -> Result<&Cluster, RemoteError> {
        self.cluster_ref().ok_or(RemoteError::NoCluster)
    }

    /// Makes a local actor reachable from every node of the cluster as
    /// `name`, until it stops for good (a supervised actor keeps its name
    /// across restarts: the handle stays valid) or the cluster is closed.
    ///
    /// Fails with [`RemoteError::NameTaken`] if a live actor of another node
    /// holds the name, [`RemoteError::WrongType`] if another remote type
    /// does, and [`RemoteError::NoCluster`] without a cluster.
    pub async fn expose<H>(&self, name: &str, handle: &H) -> Result<(), RemoteError>
    where
        H: ActorHandle,
        H::Actor: RemoteActor,
    {
        let cluster = self.need_cluster()?;
        if !valid_name(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
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
        tokio::spawn(async move {
            let serving = serve_loop(
                inner.clone(),
                subscriber,
                move |call| H::Actor::dispatch(&serving, call),
                stopped,
                name.clone(),
            );
            serving.await;
            if !inner.is_closed() {
                inner
                    .exposed
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .retain(|(n, r)| !(*n == name && *r == revision));
                registry::unregister(&inner, &name, revision).await;
                let subject = format!("{}.down.{name}", inner.config.cluster);
                let _ = inner.client.publish(subject, bytes::Bytes::new()).await;
            }
        });
        Ok(())
    }

    /// Joins every member of `pool` to the queue group `name`: asks through
    /// [`System::remote_pool`] go to one member of one node, spread over the
    /// members of every node that exposes the same pool name.
    pub async fn expose_pool<A: RemoteActor>(
        &self,
        name: &str,
        pool: &Pool<A>,
    ) -> Result<(), RemoteError> {
        let cluster = self.need_cluster()?;
        if !valid_name(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
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
            tokio::spawn(serve_loop(
                inner.clone(),
                subscriber,
                move |call| A::dispatch(&handle, call),
                stopped,
                name.to_owned(),
            ));
        }
        Ok(())
    }

    /// The actor exposed as `name` somewhere in the cluster, as its remote
    /// handle. Fails with [`RemoteError::NotRegistered`] if no live actor
    /// holds the name (none registered, or its node is down), and
    /// [`RemoteError::WrongType`] if it is another type, or a pool.
    pub async fn remote<R: RemoteHandle>(&self, name: &str) -> Result<R, RemoteError> {
        self.find::<R>(name, false).await
    }

    /// The pool exposed as `name` (by any number of nodes): asks through it
    /// go to one member, spread over every node's members.
    pub async fn remote_pool<R: RemoteHandle>(&self, name: &str) -> Result<R, RemoteError> {
        self.find::<R>(name, true).await
    }

    async fn find<R: RemoteHandle>(&self, name: &str, pool: bool) -> Result<R, RemoteError> {
        let cluster = self.need_cluster()?;
        if !valid_name(name) {
            return Err(RemoteError::InvalidName(name.to_owned()));
        }
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
    /// future never resolves.
    pub fn watch_remote<R: RemoteHandle>(
        &self,
        remote: &R,
    ) -> impl Future<Output = RemoteDown> + Send + 'static {
        let remote = remote.remote_ref().clone();
        async move {
            let Some(node) = remote.node().map(str::to_owned) else {
                return std::future::pending().await;
            };
            let cluster = remote.cluster().clone();
            let inner = &cluster.inner;
            let mut node_state = inner.nodes.watch(&node);
            let subject = format!("{}.down.{}", inner.config.cluster, remote.name());
            let mut down = inner.client.subscribe(subject).await.ok();
            // Subscribed: a stop from now on is seen; one before shows in
            // the registry.
            match registry::lookup(inner, remote.name()).await {
                Ok(entry) if entry.node == node => {}
                Err(RemoteError::Nats(_)) => {}
                _ => {
                    return if inner.nodes.is_down(&node) {
                        RemoteDown::NodeDown(node)
                    } else {
                        RemoteDown::Stopped
                    };
                }
            }
            let stopped = async {
                match &mut down {
                    Some(sub) => {
                        sub.next().await;
                    }
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = stopped => RemoteDown::Stopped,
                _ = async { node_state.wait_for(|d| *d).await.map(|_| ()) } => RemoteDown::NodeDown(node),
            }
        }
    }
}

impl<A, F> PoolBuilder<'_, A, F>
where
    A: RemoteActor,
    F: Fn() -> A + Send + Sync + 'static,
{
    /// Spawns the pool and exposes its members as `name`
    /// ([`System::expose_pool`]).
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
