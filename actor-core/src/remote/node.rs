//! Node heartbeats: which nodes of the cluster are alive.
//!
//! Every node publishes an empty message on `<cluster>.node.<node>.hb` every
//! heartbeat interval, and listens to everyone's. A node silent for
//! `missed_beats` intervals is down: asks in flight to it fail with
//! [`RemoteError::NodeDown`](super::RemoteError::NodeDown), new ones with
//! `NotDelivered(NodeDown)`, and its registry entries are removed. NATS
//! itself says nothing when a subscriber's process dies: the server notices a
//! dead connection only at its own pings, minutes later by default.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

/// The nodes seen, with when each last beat.
pub(crate) struct Nodes {
    map: Mutex<HashMap<String, Node>>,
    down_after: Duration,
}

struct Node {
    last: Instant,
    /// `true` while the node is taken for down.
    down: watch::Sender<bool>,
}

impl Nodes {
    pub(crate) fn new(down_after: Duration) -> Self {
        Nodes {
            map: Mutex::new(HashMap::new()),
            down_after,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Node>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A heartbeat of `node`; `true` if it was down (it is back).
    pub(crate) fn beat(&self, node: &str) -> bool {
        let now = Instant::now();
        let mut map = self.lock();
        match map.get_mut(node) {
            Some(entry) => {
                entry.last = now;
                entry
                    .down
                    .send_if_modified(|down| std::mem::replace(down, false))
            }
            None => {
                map.insert(
                    node.to_owned(),
                    Node {
                        last: now,
                        down: watch::Sender::new(false),
                    },
                );
                false
            }
        }
    }

    /// `node` said goodbye: it is down now.
    pub(crate) fn left(&self, node: &str) -> bool {
        let mut map = self.lock();
        match map.get_mut(node) {
            Some(entry) => entry
                .down
                .send_if_modified(|down| !std::mem::replace(down, true)),
            None => {
                map.insert(
                    node.to_owned(),
                    Node {
                        last: Instant::now(),
                        down: watch::Sender::new(true),
                    },
                );
                true
            }
        }
    }

    /// Marks down every node silent for too long; returns those newly down.
    pub(crate) fn check(&self) -> Vec<String> {
        let now = Instant::now();
        let mut newly = Vec::new();
        for (name, entry) in self.lock().iter_mut() {
            if now.duration_since(entry.last) > self.down_after
                && entry
                    .down
                    .send_if_modified(|down| !std::mem::replace(down, true))
            {
                newly.push(name.clone());
            }
        }
        newly
    }

    /// `node`'s state, `true` while down. A node not seen yet gets the time
    /// of `missed_beats` heartbeats from now to show up.
    pub(crate) fn watch(&self, node: &str) -> watch::Receiver<bool> {
        let mut map = self.lock();
        map.entry(node.to_owned())
            .or_insert_with(|| Node {
                last: Instant::now(),
                down: watch::Sender::new(false),
            })
            .down
            .subscribe()
    }

    /// `true` if `node` is known to be down.
    pub(crate) fn is_down(&self, node: &str) -> bool {
        self.lock().get(node).is_some_and(|n| *n.down.borrow())
    }

    /// The nodes that beat recently, sorted.
    pub(crate) fn alive(&self) -> Vec<String> {
        let mut alive: Vec<String> = self
            .lock()
            .iter()
            .filter(|(_, n)| !*n.down.borrow())
            .map(|(name, _)| name.clone())
            .collect();
        alive.sort();
        alive
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_silent_node_goes_down_and_comes_back_with_its_next_beat() {
        let nodes = Nodes::new(Duration::from_millis(750));
        nodes.beat("a");
        let mut a = nodes.watch("a");
        tokio::time::advance(Duration::from_millis(700)).await;
        assert!(nodes.check().is_empty());
        tokio::time::advance(Duration::from_millis(100)).await;
        assert_eq!(nodes.check(), ["a"]);
        assert!(*a.borrow_and_update());
        assert!(nodes.check().is_empty(), "reported once");
        assert!(nodes.beat("a"));
        assert!(!*a.borrow_and_update());
        assert_eq!(nodes.alive(), ["a"]);
    }
}
