//! Messages arrive, in order, and are counted exactly.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use common::{Probe, hold};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_thousand_tells_then_an_ask_sees_them_all_in_order() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    for seq in 0..100_000 {
        probe.add(0, seq).tell().await.unwrap();
    }
    assert_eq!(probe.count().await, Ok(100_000));
    assert_eq!(probe.out_of_order().await, Ok(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_senders_give_an_exact_count_in_order_per_sender() {
    const SENDERS: usize = 1000;
    const EACH: u64 = 50;
    let system = System::new();
    let probe = system.spawn(Probe::new(SENDERS));
    let mut tasks = Vec::new();
    for sender in 0..SENDERS {
        let probe = probe.clone();
        tasks.push(tokio::spawn(async move {
            for seq in 0..EACH {
                probe.add(sender, seq).tell().await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(probe.count().await, Ok(SENDERS as u64 * EACH));
    assert_eq!(probe.out_of_order().await, Ok(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unbounded_mailbox_takes_everything_without_waiting() {
    #[actor(mailbox = unbounded)]
    struct Sink {
        n: u64,
    }
    #[actor]
    impl Sink {
        #[message]
        fn put(&mut self) {
            self.n += 1;
        }
        #[message]
        fn n(&self) -> u64 {
            self.n
        }
    }
    let system = System::new();
    let sink = system.spawn(Sink { n: 0 });
    assert_eq!(sink.mailbox_capacity(), None);
    for _ in 0..50_000 {
        sink.put().try_tell().unwrap();
    }
    assert_eq!(sink.n().await, Ok(50_000));
}

#[tokio::test]
async fn try_tell_on_a_full_mailbox_says_full_then_succeeds_after_the_actor_drains() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1)); // mailbox = 4
    assert_eq!(probe.mailbox_capacity(), Some(4));
    let release = hold(&probe).await;
    for seq in 0..4 {
        probe.add(0, seq).try_tell().unwrap();
    }
    assert_eq!(probe.add(0, 4).try_tell(), Err(TrySendError::Full));
    assert_eq!(probe.mailbox_len(), 4);
    release.send(()).unwrap();
    // The ask queues behind the four tells: when it answers, they are handled.
    assert_eq!(probe.count().await, Ok(4));
    probe.add(0, 4).try_tell().unwrap();
    assert_eq!(probe.count().await, Ok(5));
    assert_eq!(probe.out_of_order().await, Ok(0));
}

#[tokio::test]
async fn tell_waits_for_room_in_a_full_mailbox() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    for seq in 0..4 {
        probe.add(0, seq).try_tell().unwrap();
    }
    let sender = {
        let probe = probe.clone();
        tokio::spawn(async move { probe.add(0, 4).tell().await })
    };
    tokio::task::yield_now().await;
    assert!(
        !sender.is_finished(),
        "tell must wait while the mailbox is full"
    );
    release.send(()).unwrap();
    assert_eq!(sender.await.unwrap(), Ok(()));
    assert_eq!(probe.count().await, Ok(5));
}

#[tokio::test(start_paused = true)]
async fn ask_with_a_timeout_gives_up_with_timeout() {
    #[actor]
    struct Slow;
    #[actor]
    impl Slow {
        #[message]
        async fn slow(&self) -> u8 {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            1
        }
        #[message]
        fn fast(&self) -> u8 {
            2
        }
    }
    let system = System::new();
    let slow = system.spawn(Slow);
    let started = tokio::time::Instant::now();
    let err = slow
        .slow()
        .timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert_eq!(err, AskError::Timeout(Duration::from_millis(50)));
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    // The actor is still busy with the slow message, then answers the next one.
    assert_eq!(slow.fast().await, Ok(2));
}

/// Ping-pong between two actors, several rallies in flight at once, bounded
/// mailboxes: the runtime itself must not deadlock a tell cycle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_actors_messaging_each_other_in_a_cycle_finish() {
    #[actor(mailbox = 8)]
    struct Player {
        peer: Option<PlayerHandle>,
        hits: u64,
        done: Option<tokio::sync::mpsc::UnboundedSender<u64>>,
    }
    #[actor]
    impl Player {
        #[message]
        fn meet(&mut self, peer: PlayerHandle) {
            self.peer = Some(peer);
        }
        #[message]
        async fn ball(&mut self, rally: u64, left: u64) {
            self.hits += 1;
            if left == 0 {
                if let Some(done) = &self.done {
                    let _ = done.send(rally);
                }
                return;
            }
            let peer = self.peer.as_ref().expect("introduced");
            peer.ball(rally, left - 1).tell().await.expect("peer alive");
        }
    }
    let system = System::new();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    let a = system.spawn(Player {
        peer: None,
        hits: 0,
        done: Some(done_tx.clone()),
    });
    let b = system.spawn(Player {
        peer: None,
        hits: 0,
        done: Some(done_tx),
    });
    a.meet(b.clone()).tell().await.unwrap();
    b.meet(a.clone()).tell().await.unwrap();
    const RALLIES: u64 = 4; // fewer rallies than mailbox slots: no cycle can fill up
    let finished = tokio::time::timeout(Duration::from_secs(30), async {
        for rally in 0..RALLIES {
            a.ball(rally, 10_000).tell().await.unwrap();
        }
        let mut seen = Vec::new();
        for _ in 0..RALLIES {
            seen.push(done_rx.recv().await.unwrap());
        }
        seen.sort();
        seen
    })
    .await
    .expect("a tell cycle between two actors deadlocked");
    assert_eq!(finished, (0..RALLIES).collect::<Vec<_>>());
}

#[tokio::test]
async fn try_ask_fails_at_once_on_a_full_mailbox_and_answers_otherwise() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1)); // mailbox = 4
    let release = hold(&probe).await;
    for seq in 0..4 {
        probe.add(0, seq).try_tell().unwrap();
    }
    assert_eq!(probe.count().try_ask().unwrap_err(), TrySendError::Full);
    release.send(()).unwrap();
    let reply = loop {
        match probe.count().try_ask() {
            Ok(reply) => break reply,
            Err(TrySendError::Full) => tokio::task::yield_now().await,
            Err(other) => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(reply.await, Ok(4));
    probe.stop();
    probe.wait_stopped().await;
    assert_eq!(probe.count().try_ask().unwrap_err(), TrySendError::Stopped);
}
