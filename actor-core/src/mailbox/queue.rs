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

/// The senders waiting for room, each by its ticket.
type Waiting = VecDeque<(u64, Waker)>;

/// A ticket no other waiting sender holds.
fn ticket() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl<M> State<M> {
    fn has_room(&self, capacity: usize) -> bool {
        self.buf.len() + self.reserved < capacity
    }

    /// The next waiting sender to wake, if any (taken off the list: it was
    /// given the room that just freed up).
    fn next_waiting(&mut self) -> Option<Waker> {
        let waiting = self.waiting.as_mut()?;
        waiting.pop_front().map(|(_, waker)| waker)
    }

    fn is_waiting(&self, ticket: u64) -> bool {
        self.waiting
            .as_ref()
            .is_some_and(|w| w.iter().any(|(t, _)| *t == ticket))
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
            st.next_waiting()
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
        let receiver = st.receiver.take();
        drop(st);
        for (_, waker) in waiting.into_iter().flat_map(|w| *w) {
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
        let wake = st.next_waiting();
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

    /// A waiting sender gave up: off the list; if it had been woken for
    /// room it will not use, the room goes to the next one.
    fn cancel(&self, ticket: u64) {
        let mut st = self.lock();
        let mut wake = None;
        if let Some(waiting) = st.waiting.as_mut() {
            if let Some(at) = waiting.iter().position(|(t, _)| *t == ticket) {
                waiting.remove(at);
            } else if !st.closed && st.has_room(self.capacity) {
                wake = st.next_waiting();
            }
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
    /// Set while this sender is, or was, on the waiting list.
    ticket: Option<u64>,
}

impl<'a, M> Future for Room<'a, M> {
    type Output = Result<Permit<'a, M>, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let queue = self.queue;
        let mut st = queue.lock();
        let on_list = self.ticket.is_some_and(|t| st.is_waiting(t));
        if st.closed {
            drop(st);
            self.ticket = None;
            return Poll::Ready(Err(()));
        }
        if st.has_room(queue.capacity) {
            if on_list && let (Some(t), Some(waiting)) = (self.ticket, st.waiting.as_mut()) {
                waiting.retain(|(w, _)| *w != t);
            }
            st.reserved += 1;
            #[cfg(actor_core_loom)]
            assert!(st.buf.len() + st.reserved <= queue.capacity);
            drop(st);
            self.ticket = None;
            return Poll::Ready(Ok(Permit { queue }));
        }
        let waiting = st.waiting.get_or_insert_with(Box::default);
        match self.ticket {
            Some(t) if on_list => {
                if let Some((_, waker)) = waiting.iter_mut().find(|(w, _)| *w == t) {
                    waker.clone_from(cx.waker());
                }
            }
            // Woken for room another sender took first: first in line again.
            Some(t) => waiting.push_front((t, cx.waker().clone())),
            None => {
                let t = ticket();
                waiting.push_back((t, cx.waker().clone()));
                drop(st);
                self.ticket = Some(t);
            }
        }
        Poll::Pending
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
