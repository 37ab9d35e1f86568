//! The [`Store`] actor: a bounded key-value store.

use std::collections::BTreeMap;
use std::time::Duration;

use actor_core::prelude::*;
use axum::body::Bytes;
use tokio::sync::watch;

/// Why the store refused a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// No value under the key.
    #[error("no key {0:?}")]
    NotFound(String),
    /// The key is longer than allowed.
    #[error("the key is {len} bytes long; the limit is {max}")]
    KeyTooLong {
        /// The key's length.
        len: usize,
        /// The longest key allowed.
        max: usize,
    },
    /// The value is larger than allowed.
    #[error("the value is {len} bytes long; the limit is {max}")]
    ValueTooLarge {
        /// The value's length.
        len: usize,
        /// The largest value allowed.
        max: usize,
    },
    /// The store holds as many keys as it may; delete some first.
    #[error("the store is full ({max} keys); delete some first")]
    Full {
        /// The most keys the store holds.
        max: usize,
    },
}

/// What a `put` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    /// The key is new.
    Created,
    /// The key had a value, now replaced.
    Replaced,
}

/// The limits of a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most keys.
    pub max_keys: usize,
    /// The longest key, in bytes.
    pub max_key: usize,
    /// The largest value, in bytes.
    pub max_value: usize,
}

/// A key-value store with limits on its keys, values and size.
#[actor]
pub struct Store {
    entries: BTreeMap<String, Bytes>,
    limits: Limits,
}

impl Store {
    /// An empty store.
    pub fn new(limits: Limits) -> Self {
        Store {
            entries: BTreeMap::new(),
            limits,
        }
    }
}

#[actor]
impl Store {
    /// The value under `key`.
    #[message]
    pub fn get(&self, key: String) -> Result<Bytes, StoreError> {
        self.entries
            .get(&key)
            .cloned()
            .ok_or(StoreError::NotFound(key))
    }

    /// Sets the value under `key`.
    #[message]
    pub fn put(&mut self, key: String, value: Bytes) -> Result<Put, StoreError> {
        let Limits {
            max_keys,
            max_key,
            max_value,
        } = self.limits;
        if key.len() > max_key {
            return Err(StoreError::KeyTooLong {
                len: key.len(),
                max: max_key,
            });
        }
        if value.len() > max_value {
            return Err(StoreError::ValueTooLarge {
                len: value.len(),
                max: max_value,
            });
        }
        if let Some(old) = self.entries.get_mut(&key) {
            *old = value;
            return Ok(Put::Replaced);
        }
        if self.entries.len() >= max_keys {
            return Err(StoreError::Full { max: max_keys });
        }
        self.entries.insert(key, value);
        Ok(Put::Created)
    }

    /// Removes `key` and its value.
    #[message]
    pub fn delete(&mut self, key: String) -> Result<(), StoreError> {
        match self.entries.remove(&key) {
            Some(_) => Ok(()),
            None => Err(StoreError::NotFound(key)),
        }
    }

    /// Every key, in order.
    #[message]
    pub fn keys(&self) -> Vec<String> {
        self.entries.keys().cloned().collect()
    }

    /// Stalls without taking other messages, like a store stuck on a slow
    /// disk would (`POST /chaos/stall-store`): for `time`, or until
    /// `released` changes (the service releases stalls when it starts
    /// shutting down, so that the requests queued behind one are answered).
    /// Answers as soon as the stall has begun: whatever is sent to the store
    /// afterwards queues behind it.
    #[message(response = ())]
    pub async fn stall(
        &mut self,
        time: Duration,
        mut released: watch::Receiver<()>,
        reply: Reply<()>,
    ) {
        reply.send(());
        tokio::select! {
            () = tokio::time::sleep(time) => {}
            _ = released.changed() => {}
        }
    }
}
