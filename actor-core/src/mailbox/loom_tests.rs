//! Model tests of the mailbox queue: loom runs each test under every
//! interleaving of its threads (up to `LOOM_MAX_PREEMPTIONS` preemptions) and
//! fails on a deadlock, which is what a lost wake-up becomes.
//!
//! ```sh
//! RUSTFLAGS="--cfg actor_core_loom" LOOM_MAX_PREEMPTIONS=3 CARGO_TARGET_DIR=target/loom \
//!   cargo test -p actor-core --release --lib mailbox::loom_tests
//! ```

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::{Context, Poll};

use futures::task::noop_waker;
use loom::future::block_on;
use loom::sync::Arc;
use loom::thread;

use super::queue::Queue;
use crate::error::TrySendError;

/// Takes the next message, waiting for one.
fn recv<M>(q: &Queue<M>) -> Option<M> {
    block_on(poll_fn(|cx| q.poll_recv(cx)))
}

/// Queues `msg`, waiting for room as a `tell().await` does; gives the
/// message back if the queue is closed.
fn send<M>(q: &Queue<M>, msg: M) -> Result<(), M> {
    match q.try_send(msg) {
        Ok(()) => Ok(()),
        Err((msg, TrySendError::Stopped)) => Err(msg),
        Err((msg, TrySendError::Full)) => match block_on(q.room()) {
            Ok(permit) => {
                permit.send(msg);
                Ok(())
            }
            Err(()) => Err(msg),
        },
    }
}

#[test]
fn each_senders_messages_arrive_in_order_and_wake_the_receiver() {
    loom::model(|| {
        let q = Arc::new(Queue::new(None));
        let senders: Vec<_> = (0..2u32)
            .map(|s| {
                let q = q.clone();
                thread::spawn(move || {
                    for seq in 0..2u32 {
                        send(&q, (s, seq)).unwrap();
                    }
                })
            })
            .collect();
        let mut next = [0u32; 2];
        for _ in 0..4 {
            // A lost wake-up leaves this waiting forever: loom reports it.
            let (s, seq) = recv(&q).unwrap();
            assert_eq!(seq, next[s as usize], "sender {s} out of order");
            next[s as usize] += 1;
        }
        for s in senders {
            s.join().unwrap();
        }
        assert_eq!(q.len(), 0);
    });
}

#[test]
fn a_message_sent_while_the_receiver_goes_idle_wakes_it() {
    loom::model(|| {
        let q = Arc::new(Queue::new(Some(1)));
        let sender = {
            let q = q.clone();
            thread::spawn(move || send(&q, 7u8).unwrap())
        };
        assert_eq!(recv(&q), Some(7));
        sender.join().unwrap();
    });
}

#[test]
fn a_send_racing_close_is_received_or_given_back_never_lost() {
    loom::model(|| {
        let q = Arc::new(Queue::new(None));
        let sender = {
            let q = q.clone();
            thread::spawn(move || send(&q, 1u8))
        };
        q.close();
        // What made it in before the close is still there to drain (the
        // actor reports each as a dead letter).
        let drained = std::iter::from_fn(|| q.try_recv()).count();
        let sent = sender.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(drained, 1, "a queued message was lost"),
            Err(msg) => {
                assert_eq!(msg, 1, "the refused message comes back");
                assert_eq!(drained, 0);
            }
        }
        assert_eq!(q.try_recv(), None);
        assert_eq!(
            block_on(poll_fn(|cx| q.poll_recv(cx))),
            None,
            "closed and empty"
        );
    });
}

#[test]
fn a_sender_waiting_for_room_is_released_by_close() {
    loom::model(|| {
        let q = Arc::new(Queue::new(Some(1)));
        send(&q, 0u8).unwrap();
        let sender = {
            let q = q.clone();
            thread::spawn(move || send(&q, 1u8))
        };
        q.close();
        // Full until the close, then closed: the second send fails, and
        // returns rather than wait forever.
        assert_eq!(sender.join().unwrap(), Err(1));
        assert_eq!(q.try_recv(), Some(0));
    });
}

/// The queue asserts, under its lock, that what is queued and reserved
/// fits its capacity (under `--cfg actor_core_loom`): here two senders
/// compete for room in a queue of one.
#[test]
fn a_bounded_queue_never_holds_more_than_its_capacity() {
    loom::model(|| {
        let q = Arc::new(Queue::new(Some(1)));
        let senders: Vec<_> = [2u32, 1]
            .into_iter()
            .enumerate()
            .map(|(s, count)| {
                let q = q.clone();
                thread::spawn(move || {
                    for seq in 0..count {
                        send(&q, (s, seq)).unwrap();
                    }
                })
            })
            .collect();
        let mut next = [0u32; 2];
        for _ in 0..3 {
            let (s, seq) = recv(&q).unwrap();
            assert_eq!(seq, next[s]);
            next[s] += 1;
        }
        for s in senders {
            s.join().unwrap();
        }
    });
}

#[test]
fn a_waiting_sender_that_gives_up_passes_the_room_on() {
    loom::model(|| {
        let q = Arc::new(Queue::new(Some(1)));
        send(&q, 0u8).unwrap();
        // One sender waits for room, then gives up (its future is dropped),
        // perhaps after it was woken for the room the receiver made.
        let quitter = {
            let q = q.clone();
            thread::spawn(move || {
                let waker = noop_waker();
                let mut room = pin!(q.room());
                let polled = room.as_mut().poll(&mut Context::from_waker(&waker));
                // Room taken at once is given back unused.
                drop(polled);
            })
        };
        let waiter = {
            let q = q.clone();
            thread::spawn(move || send(&q, 2u8))
        };
        assert_eq!(recv(&q), Some(0));
        quitter.join().unwrap();
        // The waiter gets the room, whoever was woken for it.
        assert_eq!(waiter.join().unwrap(), Ok(()));
        assert_eq!(recv(&q), Some(2));
    });
}

#[test]
fn a_reserved_room_counts_against_the_capacity() {
    loom::model(|| {
        let q = Arc::new(Queue::new(Some(1)));
        let permit = block_on(q.room()).unwrap();
        assert!(matches!(q.try_send(1u8), Err((1, TrySendError::Full))));
        let other = {
            let q = q.clone();
            thread::spawn(move || send(&q, 2u8))
        };
        permit.send(1);
        assert_eq!(recv(&q), Some(1));
        assert_eq!(other.join().unwrap(), Ok(()));
        assert_eq!(recv(&q), Some(2));
        assert!(matches!(
            poll_fn(|cx| Poll::Ready(q.poll_recv(cx))).poll_once(),
            Poll::Pending
        ));
    });
}

/// Polls a future once with a waker that does nothing.
trait PollOnce: Future + Sized {
    fn poll_once(self) -> Self::Output {
        let waker = noop_waker();
        let mut fut = pin!(self);
        match fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            Poll::Ready(out) => out,
            Poll::Pending => unreachable!("polled once, ready at once"),
        }
    }
}

impl<F: Future> PollOnce for F {}
