//! Actor pools: a routing handle in front of supervised members.

mod common;

use std::collections::BTreeSet;

use actor_core::prelude::*;
use actor_core::{Routing, TrySendError};
use tokio::sync::oneshot;

#[actor(mailbox = 4)]
#[derive(Default)]
struct Worker {
    served: u64,
    keys: BTreeSet<String>,
}

#[actor]
impl Worker {
    #[message]
    fn work(&mut self, x: u64) -> u64 {
        self.served += 1;
        x * 2
    }

    #[message]
    fn served(&self) -> u64 {
        self.served
    }

    #[message]
    fn own(&mut self, key: String) {
        self.keys.insert(key);
    }

    #[message]
    fn keys(&self) -> BTreeSet<String> {
        self.keys.clone()
    }

    #[message]
    fn crash(&mut self) {
        panic!("member crashed on purpose");
    }

    #[message]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }
}

async fn hold(w: &WorkerHandle) -> oneshot::Sender<()> {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    w.hold(entered_tx, release_rx).tell().await.unwrap();
    entered_rx.await.unwrap();
    release_tx
}

#[tokio::test]
async fn round_robin_spreads_messages_evenly_over_the_members() {
    let system = System::new();
    let pool = system.pool(4, Worker::default).spawn().unwrap();
    assert_eq!(pool.members().len(), 4);
    for x in 0..40 {
        assert_eq!(pool.work(x).await, Ok(x * 2));
    }
    for m in pool.members() {
        assert_eq!(m.served().await, Ok(10));
    }
}

#[tokio::test]
async fn least_loaded_routes_to_the_member_with_the_shortest_queue() {
    let system = System::new();
    let pool = system
        .pool(3, Worker::default)
        .routing(Routing::LeastLoaded)
        .spawn()
        .unwrap();
    let [a, b, c] = pool.members() else {
        panic!("three members")
    };
    let (ra, rb) = (hold(a).await, hold(b).await);
    for _ in 0..3 {
        a.work(0).try_tell().unwrap();
        b.work(0).try_tell().unwrap();
    }
    assert_eq!((a.mailbox_len(), b.mailbox_len()), (3, 3));
    // While `c`'s queue is shorter than theirs, everything goes to `c`.
    for x in 0..3 {
        pool.work(x).tell().await.unwrap();
    }
    assert_eq!(c.served().await, Ok(3));
    assert_eq!((a.mailbox_len(), b.mailbox_len()), (3, 3));
    ra.send(()).unwrap();
    rb.send(()).unwrap();
    assert_eq!((a.served().await, b.served().await), (Ok(3), Ok(3)));
}

#[tokio::test]
async fn key_hash_routing_is_sticky_and_partitions_the_keys() {
    let system = System::new();
    let pool = system.pool(4, Worker::default).spawn().unwrap();
    let keys: Vec<String> = (0..200).map(|i| format!("user-{i}")).collect();
    for key in &keys {
        assert_eq!(
            pool.for_key(key).id(),
            pool.for_key(key.as_str()).id(),
            "same key, same member"
        );
        pool.for_key(key).own(key.clone()).tell().await.unwrap();
    }
    let mut seen = BTreeSet::new();
    let mut used = 0;
    for m in pool.members() {
        let owned = m.keys().await.unwrap();
        used += usize::from(!owned.is_empty());
        for k in &owned {
            assert!(seen.insert(k.clone()), "{k} owned by two members");
            assert_eq!(pool.for_key(k).id(), m.id());
        }
    }
    assert_eq!(seen.len(), keys.len());
    assert_eq!(used, 4, "200 keys spread over all members");
}

#[tokio::test]
async fn a_crashed_member_is_restarted_and_the_pool_keeps_serving() {
    common::quiet_panics();
    let system = System::new();
    let pool = system.pool(2, Worker::default).spawn().unwrap();
    let victim = &pool.members()[0];
    assert!(matches!(victim.crash().await, Err(AskError::Panicked(_))));
    assert_eq!(victim.work(1).await, Ok(2), "same handle, restarted member");
    for x in 0..10 {
        assert_eq!(pool.work(x).await, Ok(x * 2));
    }
    let restarts: u64 = pool
        .supervisor()
        .children()
        .await
        .iter()
        .map(|c| c.restarts)
        .sum();
    assert_eq!(restarts, 1);
}

#[tokio::test]
async fn try_tell_on_a_pool_is_full_only_when_every_member_is_full() {
    let system = System::new();
    let pool = system.pool(2, Worker::default).spawn().unwrap();
    let [a, b] = pool.members() else {
        panic!("two members")
    };
    let (ra, rb) = (hold(a).await, hold(b).await);
    for _ in 0..4 {
        a.work(0).try_tell().unwrap();
    }
    // `a` is full: the pool's message goes to `b` instead.
    for _ in 0..4 {
        pool.work(0).try_tell().unwrap();
    }
    assert_eq!((a.mailbox_len(), b.mailbox_len()), (4, 4));
    assert_eq!(pool.work(0).try_tell(), Err(TrySendError::Full));
    ra.send(()).unwrap();
    rb.send(()).unwrap();
    assert_eq!(pool.work(21).await, Ok(42));
}

#[tokio::test]
async fn stopping_the_pool_stops_every_member() {
    let system = System::new();
    let pool = system.pool(3, Worker::default).spawn().unwrap();
    assert!(pool.is_alive());
    pool.stop();
    assert_eq!(pool.wait_stopped().await, StopReason::Normal);
    for m in pool.members() {
        assert!(!m.is_alive());
    }
    assert_eq!(pool.work(1).await, Err(AskError::Stopped));
}
