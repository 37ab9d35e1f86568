//! The queue of one actor's mailbox.
//!
//! Messages wait in a `VecDeque` behind a mutex, with everything the two
//! sides coordinate on (the closed flag, the receiver's waker, the room
//! reserved by senders and the senders waiting for room) under the same
//! lock: each operation is one short critical section, and the proofs of its
//! concurrency (`loom_tests`) stay small.
//!
//! Memory is the point: the buffer is allocated on the first message, and
//! freed when the actor goes idle again with more than a few messages' worth
//! of it (an idle actor keeps at most [`KEEP_BYTES`] of buffer). A tokio mpsc
//! channel allocates a block of 32 messages at creation and keeps its blocks.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use super::sync::{AtomicUsize, Mutex, MutexGuard, Ordering, lock};
use crate::error::TrySendError;

/// The buffer an idle actor may keep: enough for a few messages, so an actor
/// asked one message at a time does not allocate per message.
const KEEP_BYTES: usize = 256;

/// One mailbox's queue, shared by its senders and its receiver.
pub(crate) struct Queue<M> {
    state: Mutex<State<M>>,
    /// Messages queued, as last written under the lock: read without it.
    len: AtomicUsize,
    /// At most this many messages queued or reserved (`usize::MAX`: unbounded).
    capacity: usize,
}

struct State<M> {
    buf: VecDeque<M>,
    /// Room promised to senders ([`Permit`]s) and not used yet.
    reserved: usize,
    /// No message is taken any more.
    closed: bool,
    /// The receiver, when it found the queue empty.
    receiver: Option<Waker>,
    /// Senders waiting for room in a full bounded queue, first come first
    /// served (made on first use, freed when the actor goes idle).
    waiting: Option<Box<Waiting>>,
}

/// The senders waiting for room, each by its ticket, with its waker until
/// room is handed to it (then `None`: the room is counted in `reserved`
/// until it takes it, so no newcomer can).
type Waiting = VecDeque<(u64, Option<Waker>)>;

/// A ticket no other waiting sender holds.
fn new_ticket() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl<M> State<M> {
    fn has_room(&self, capacity: usize) -> bool {
        self.buf.len() + self.reserved < capacity
    }

    /// Room freed up (a message was taken, or reserved room given back):
    /// it is handed to the first sender still waiting, if any, whose waker
    /// is returned; otherwise anyone may take it.
    fn hand_over(&mut self) -> Option<Waker> {
        let waiting = self.waiting.as_mut()?;
        let waker = waiting.iter_mut().find_map(|(_, waker)| waker.take())?;
        self.reserved += 1;
        Some(waker)
    }
}

impl<M> Queue<M> {
    /// A queue for at most `capacity` messages (`None`: unbounded; 0 is
    /// raised to 1).
    pub(crate) fn new(capacity: Option<usize>) -> Self {
        Queue {
            state: Mutex::new(State {
                buf: VecDeque::new(),
                reserved: 0,
                closed: false,
                receiver: None,
                waiting: None,
            }),
            len: AtomicUsize::new(0),
            capacity: capacity.map_or(usize::MAX, |c| c.max(1)),
        }
    }

    #[inline]
    fn lock(&self) -> MutexGuard<'_, State<M>> {
        // Nothing that can panic runs under the lock: no message is dropped
        // and no waker called there.
        lock(&self.state)
    }

    /// The capacity, `None` when unbounded.
    pub(crate) fn capacity(&self) -> Option<usize> {
        (self.capacity != usize::MAX).then_some(self.capacity)
    }

    /// Messages queued and not yet taken.
    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Relaxed)
    }

    /// Queues `msg` under the lock; the receiver to wake, if it waits.
    #[inline]
    fn push(&self, st: &mut State<M>, msg: M) -> Option<Waker> {
        st.buf.push_back(msg);
        self.len.store(st.buf.len(), Ordering::Relaxed);
        // The model tests check the capacity is never exceeded.
        #[cfg(actor_core_loom)]
        assert!(st.buf.len() + st.reserved <= self.capacity);
        st.receiver.take()
    }

    /// Queues `msg` now, or gives it back: `Full` when a bounded queue has no
    /// room, `Stopped` once it is closed.
    #[inline]
    pub(crate) fn try_send(&self, msg: M) -> Result<(), (M, TrySendError)> {
        let mut st = self.lock();
        if st.closed {
            return Err((msg, TrySendError::Stopped));
        }
        if !st.has_room(self.capacity) {
            return Err((msg, TrySendError::Full));
        }
        let wake = self.push(&mut st, msg);
        drop(st);
        if let Some(waker) = wake {
            waker.wake();
        }
        Ok(())
    }

    /// Waits for room for one message: see [`Room`].
    pub(crate) fn room(&self) -> Room<'_, M> {
        Room {
            queue: self,
            ticket: None,
        }
    }

    /// Takes the next message; `Ready(None)` once the queue is closed and
    /// empty. When it is empty, the receiver is woken by the next message,
    /// and a buffer larger than [`KEEP_BYTES`] is freed.
    #[inline]
    pub(crate) fn poll_recv(&self, cx: &mut Context<'_>) -> Poll<Option<M>> {
        let mut st = self.lock();
        if let Some(msg) = st.buf.pop_front() {
            let wake = self.popped(&mut st);
            drop(st);
            if let Some(waker) = wake {
                waker.wake();
            }
            return Poll::Ready(Some(msg));
        }
        if st.closed {
            return Poll::Ready(None);
        }
        match &st.receiver {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => st.receiver = Some(cx.waker().clone()),
        }
        // Idle: give back what a burst made the buffer grow to.
        let unused =
            (st.buf.capacity() * size_of::<M>() > KEEP_BYTES).then(|| std::mem::take(&mut st.buf));
        drop(st);
        drop(unused);
        Poll::Pending
    }

    /// Takes the next message without waiting.
    pub(crate) fn try_recv(&self) -> Option<M> {
        let mut st = self.lock();
        let msg = st.buf.pop_front()?;
        let wake = self.popped(&mut st);
        drop(st);
        if let Some(waker) = wake {
            waker.wake();
        }
        Some(msg)
    }

    /// A message was taken: the new length, and the waiting sender to wake
    /// (one per message taken: each gets the room that message made).
    #[inline]
    fn popped(&self, st: &mut State<M>) -> Option<Waker> {
        self.len.store(st.buf.len(), Ordering::Relaxed);
        if st.waiting.is_some() {
            st.hand_over()
        } else {
            None
        }
    }

    /// Refuses new messages from now on; queued ones can still be taken.
    /// Wakes every waiting sender (they fail) and the receiver.
    pub(crate) fn close(&self) {
        let mut st = self.lock();
        st.closed = true;
        let waiting = st.waiting.take();
        // Room handed to senders that have not taken it yet: they fail.
        let handed = waiting
            .iter()
            .flat_map(|w| w.iter())
            .filter(|(_, waker)| waker.is_none())
            .count();
        st.reserved -= handed;
        let receiver = st.receiver.take();
        drop(st);
        for waker in waiting.into_iter().flat_map(|w| *w).filter_map(|(_, w)| w) {
            waker.wake();
        }
        if let Some(waker) = receiver {
            waker.wake();
        }
    }

    /// Closes the queue and drops what is queued (outside the lock: a
    /// message's drop may send to this very queue).
    pub(crate) fn close_and_clear(&self) {
        self.close();
        let buf = {
            let mut st = self.lock();
            let buf = std::mem::take(&mut st.buf);
            self.len.store(0, Ordering::Relaxed);
            buf
        };
        drop(buf);
    }

    /// Gives up a reservation made by [`Room`] without using it: the room
    /// goes to the next waiting sender.
    fn release(&self) {
        let mut st = self.lock();
        st.reserved -= 1;
        let wake = st.hand_over();
        drop(st);
        if let Some(waker) = wake {
            waker.wake();
        }
    }

    /// Queues `msg` in reserved room: never waits, never fails for room. The
    /// message is dropped if the queue was closed meanwhile (the actor is
    /// gone, and the message with it).
    fn send_reserved(&self, msg: M) {
        let mut st = self.lock();
        st.reserved -= 1;
        if st.closed {
            drop(st);
            drop(msg);
            return;
        }
        let wake = self.push(&mut st, msg);
        drop(st);
        if let Some(waker) = wake {
            waker.wake();
        }
    }

    /// A waiting sender gave up: off the list; room handed to it goes to
    /// the next one.
    fn cancel(&self, ticket: u64) {
        let mut st = self.lock();
        let mut wake = None;
        let gone = st.waiting.as_mut().and_then(|waiting| {
            let at = waiting.iter().position(|(t, _)| *t == ticket)?;
            waiting.remove(at)
        });
        if let Some((_, None)) = gone {
            st.reserved -= 1;
            wake = st.hand_over();
        }
        drop(st);
        if let Some(waker) = wake {
            waker.wake();
        }
    }
}

/// Waits for room in the queue and reserves it: resolves to a [`Permit`],
/// or to `Err(())` once the queue is closed. Waiting senders get room in
/// the order they came.
pub(crate) struct Room<'a, M> {
    queue: &'a Queue<M>,
    /// Set while this sender is on the waiting list.
    ticket: Option<u64>,
}

impl<'a, M> Future for Room<'a, M> {
    type Output = Result<Permit<'a, M>, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let queue = self.queue;
        let mut st = queue.lock();
        if st.closed {
            // Closing took the waiting list, and any room handed over.
            drop(st);
            self.ticket = None;
            return Poll::Ready(Err(()));
        }
        let Some(ticket) = self.ticket else {
            // First poll: room that nobody waits for is free to take.
            if st.has_room(queue.capacity) {
                st.reserved += 1;
                #[cfg(actor_core_loom)]
                assert!(st.buf.len() + st.reserved <= queue.capacity);
                return Poll::Ready(Ok(Permit { queue }));
            }
            let t = new_ticket();
            st.waiting
                .get_or_insert_with(Box::default)
                .push_back((t, Some(cx.waker().clone())));
            drop(st);
            self.ticket = Some(t);
            return Poll::Pending;
        };
        let waiting = st.waiting.as_mut().expect("a waiting sender is listed");
        let at = waiting
            .iter()
            .position(|(t, _)| *t == ticket)
            .expect("a waiting sender is listed");
        match &mut waiting[at].1 {
            // Room was handed over (and counted as reserved).
            None => {
                waiting.remove(at);
                drop(st);
                self.ticket = None;
                Poll::Ready(Ok(Permit { queue }))
            }
            Some(waker) => {
                waker.clone_from(cx.waker());
                Poll::Pending
            }
        }
    }
}

impl<M> Drop for Room<'_, M> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket {
            self.queue.cancel(ticket);
        }
    }
}

/// Room for one message, reserved in a queue: [`Permit::send`] queues a
/// message there without waiting; dropped unused, the room is given back.
pub(crate) struct Permit<'a, M> {
    queue: &'a Queue<M>,
}

impl<M> Permit<'_, M> {
    pub(crate) fn send(self, msg: M) {
        let queue = self.queue;
        std::mem::forget(self);
        queue.send_reserved(msg);
    }
}

impl<M> Drop for Permit<'_, M> {
    fn drop(&mut self) {
        self.queue.release();
    }
}

#[cfg(all(test, not(actor_core_loom)))]
mod tests {
    use std::pin::pin;

    use futures::task::noop_waker;

    use super::*;

    #[test]
    fn room_freed_goes_to_the_waiting_sender_before_a_newcomer() {
        let q = Queue::new(Some(1));
        q.try_send(0u8).unwrap();
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut waiting = pin!(q.room());
        assert!(waiting.as_mut().poll(&mut cx).is_pending());
        assert_eq!(q.try_recv(), Some(0));
        // The room is the waiting sender's: a newcomer finds the queue full.
        assert!(matches!(q.try_send(1), Err((1, TrySendError::Full))));
        let Poll::Ready(Ok(permit)) = waiting.as_mut().poll(&mut cx) else {
            panic!("the waiting sender gets the room");
        };
        permit.send(2);
        assert_eq!(q.try_recv(), Some(2));
        // Handed over and given up unused, the room is free again.
        q.try_send(3).unwrap();
        let mut quitter = Box::pin(q.room());
        assert!(quitter.as_mut().poll(&mut cx).is_pending());
        assert_eq!(q.try_recv(), Some(3));
        drop(quitter);
        q.try_send(4).unwrap();
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn closing_fails_the_waiting_senders_even_those_handed_room() {
        let q = Queue::new(Some(1));
        q.try_send(0u8).unwrap();
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        let mut first = pin!(q.room());
        let mut second = pin!(q.room());
        assert!(first.as_mut().poll(&mut cx).is_pending());
        assert!(second.as_mut().poll(&mut cx).is_pending());
        assert_eq!(q.try_recv(), Some(0)); // room handed to `first`
        q.close();
        assert!(matches!(first.as_mut().poll(&mut cx), Poll::Ready(Err(()))));
        assert!(matches!(
            second.as_mut().poll(&mut cx),
            Poll::Ready(Err(()))
        ));
        assert!(matches!(q.try_send(1), Err((1, TrySendError::Stopped))));
        assert_eq!(q.lock().reserved, 0);
    }
}
