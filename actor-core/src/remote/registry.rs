//! The cluster registry: exposed names in the JetStream key-value bucket
//! `actor-core-<cluster>`, each `name -> { node, subject, wire type, pool }`.
//! Entries of a node that goes down are removed by the nodes that notice.

use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::cluster::Inner;
use super::codec;
use super::error::{RemoteError, nats};

/// One registered name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The node of a single actor; empty for a pool (members on any node).
    pub(crate) node: String,
    pub(crate) subject: String,
    /// The wire name of the actor type (`ci.Scheduler`).
    pub(crate) wire: String,
    #[serde(default)]
    pub(crate) pool: bool,
}

/// Registers `entry` under `name`: a single actor's name must be free, or
/// held by this node, or by a node that is down; a pool's may be shared by
/// the nodes that expose members of the same type.
/// Returns the entry's revision.
pub(crate) async fn register(inner: &Inner, name: &str, entry: &Entry) -> Result<u64, RemoteError> {
    let value: bytes::Bytes = codec::encode(entry)?.into();
    for _ in 0..5 {
        match inner.kv.entry(name).await.map_err(nats)? {
            Some(existing) if existing.operation == async_nats::jetstream::kv::Operation::Put => {
                let old: Entry = codec::decode(&existing.value)?;
                if old.wire != entry.wire {
                    return Err(RemoteError::WrongType {
                        name: name.to_owned(),
                        expected: entry.wire.clone(),
                        found: old.wire,
                    });
                }
                if old.pool != entry.pool
                    || (!entry.pool
                        && old.node != inner.config.node
                        && !inner.nodes.is_down(&old.node))
                {
                    return Err(RemoteError::NameTaken {
                        name: name.to_owned(),
                        node: if old.pool {
                            "(a pool)".to_owned()
                        } else {
                            old.node
                        },
                    });
                }
                if let Ok(revision) = inner
                    .kv
                    .update(name, value.clone(), existing.revision)
                    .await
                {
                    return Ok(revision);
                }
            }
            Some(deleted) => {
                if let Ok(revision) = inner.kv.update(name, value.clone(), deleted.revision).await {
                    return Ok(revision);
                }
            }
            None => {
                if let Ok(revision) = inner.kv.create(name, value.clone()).await {
                    return Ok(revision);
                }
            }
        }
    }
    Err(nats(format!(
        "registering `{name}`: the entry kept changing"
    )))
}

/// The live entry under `name`: `NotRegistered` when there is none, or its
/// node is down.
pub(crate) async fn lookup(inner: &Inner, name: &str) -> Result<Entry, RemoteError> {
    let not_registered = || RemoteError::NotRegistered {
        name: name.to_owned(),
    };
    let value = inner
        .kv
        .get(name)
        .await
        .map_err(nats)?
        .ok_or_else(not_registered)?;
    let entry: Entry = codec::decode(&value)?;
    if !entry.pool && inner.nodes.is_down(&entry.node) {
        return Err(not_registered());
    }
    Ok(entry)
}

/// Removes `name` if it is still the registration of `revision` (not one
/// made since, by this node or another).
pub(crate) async fn unregister(inner: &Inner, name: &str, revision: u64) {
    let _ = inner.kv.delete_expect_revision(name, Some(revision)).await;
}

/// Removes the entries of a node that went down (if it is still down).
pub(crate) async fn purge_node(inner: &Inner, node: &str) {
    let Ok(mut keys) = inner.kv.keys().await else {
        return;
    };
    let mut names = Vec::new();
    while let Some(Ok(key)) = keys.next().await {
        names.push(key);
    }
    for name in names {
        let Ok(Some(existing)) = inner.kv.entry(&name).await else {
            continue;
        };
        let Ok(entry) = codec::decode::<Entry>(&existing.value) else {
            continue;
        };
        if !entry.pool && entry.node == node && inner.nodes.is_down(node) {
            tracing::info!(
                name,
                node,
                "removing the registration of a node that is down"
            );
            let _ = inner
                .kv
                .delete_expect_revision(&name, Some(existing.revision))
                .await;
        }
    }
}
