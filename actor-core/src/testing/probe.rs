//! [`Probe<T>`]: what a probe or a stand-in recorded, and the `expect_*`
//! calls that check it with a deadline.

use std::collections::VecDeque;
use std::fmt;
use std::fmt::Write as _;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::cell::Live;

/// How many of the messages taken last a failure message shows.
const HISTORY: usize = 8;

/// What a probe (or a stand-in) recorded, in arrival order, for the test to
/// check with `expect_*` calls. Made by [`probe`](super::probe),
/// [`probe_answering`](super::probe_answering), [`probe_asks`](super::probe_asks),
/// [`probe_events`](super::probe_events) and [`stand_in_probe`](super::stand_in_probe).
///
/// Each `expect_*` waits at most the time it is given (on tokio's clock: see
/// [virtual time](super#virtual-time)), and fails the test with a message
/// that says where it was called, what it waited for and what came instead,
/// with the last messages taken before:
///
/// ```text
/// tests/shop.rs:42:10: expected no message within 1s, got: Charge { cents: 500 } (ask)
///   from: stand-in for Payments #7 (alive)
///   taken before (1): Charge { cents: 25 } (ask)
/// ```
pub struct Probe<T> {
    rx: mpsc::UnboundedReceiver<T>,
    /// What feeds the probe, for failure messages.
    what: String,
    /// The actor that feeds it, if one does: why it stopped says why nothing
    /// more comes.
    source: Option<Arc<dyn Live>>,
    /// Events the probe missed (an event bus overwrote them first).
    missed: Option<Arc<AtomicU64>>,
    /// The last messages taken, as `Debug` shows them.
    history: VecDeque<String>,
    taken: usize,
}

impl<T> fmt::Debug for Probe<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Probe")
            .field("from", &self.what)
            .field("taken", &self.taken)
            .field("waiting", &self.rx.len())
            .finish()
    }
}

/// How waiting for the next message ended.
enum Next<T> {
    Got(T),
    /// Nothing more can come: whatever fed the probe has stopped.
    Closed,
    TimedOut,
}

impl<T> Probe<T> {
    pub(crate) fn new(
        rx: mpsc::UnboundedReceiver<T>,
        what: String,
        source: Option<Arc<dyn Live>>,
        missed: Option<Arc<AtomicU64>>,
    ) -> Self {
        Probe {
            rx,
            what,
            source,
            missed,
            history: VecDeque::new(),
            taken: 0,
        }
    }

    /// Takes the next message if one is there; never waits.
    pub fn try_next(&mut self) -> Option<T>
    where
        T: fmt::Debug,
    {
        let item = self.rx.try_recv().ok()?;
        self.remember(&item);
        Some(item)
    }

    /// How many messages have been taken so far.
    pub fn taken(&self) -> usize {
        self.taken
    }

    async fn next_until(&mut self, deadline: Instant) -> Next<T> {
        match tokio::time::timeout_at(deadline, self.rx.recv()).await {
            Ok(Some(item)) => Next::Got(item),
            Ok(None) => Next::Closed,
            Err(_) => Next::TimedOut,
        }
    }

    fn remember(&mut self, item: &T)
    where
        T: fmt::Debug,
    {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(format!("{item:?}"));
        self.taken += 1;
    }

    /// Fails the test: `at: what`, then where the messages come from and the
    /// last ones taken.
    #[cold]
    fn fail(&self, at: &Location<'_>, what: fmt::Arguments<'_>) -> ! {
        let mut message = format!("{at}: {what}\n  from: {}", self.what);
        if let Some(source) = &self.source {
            let cell = source.cell();
            match cell.stop_reason() {
                Some(reason) => {
                    let _ = write!(message, " (stopped: {reason})");
                }
                None if cell.is_alive() => message.push_str(" (alive)"),
                None => message.push_str(" (stopping)"),
            }
        }
        if let Some(missed) = self.missed() {
            let _ = write!(
                message,
                "\n  missed {missed} events: the bus overwrote them before the probe took them"
            );
        }
        let _ = write!(message, "\n  taken before ({}):", self.taken);
        if self.taken > self.history.len() {
            message.push_str(" ...,");
        }
        for (i, item) in self.history.iter().enumerate() {
            let sep = if i == 0 { " " } else { ", " };
            let _ = write!(message, "{sep}{item}");
        }
        if self.taken == 0 {
            message.push_str(" none");
        }
        panic!("{message}");
    }

    fn missed(&self) -> Option<u64> {
        let missed = self.missed.as_ref()?.load(Ordering::Relaxed);
        (missed > 0).then_some(missed)
    }

    /// Fails if the event bus overwrote events before the probe took them:
    /// what the test expects next may be among them.
    fn check_missed(&self, at: &Location<'_>) {
        if let Some(missed) = self.missed() {
            self.fail(
                at,
                format_args!("the probe missed {missed} events; raise the system's event_capacity"),
            );
        }
    }
}

impl<T: fmt::Debug> Probe<T> {
    /// The next message, waiting at most `within` for it. Fails the test if
    /// none comes, or if nothing more can come (what fed the probe stopped).
    #[track_caller]
    pub fn expect_message(&mut self, within: Duration) -> impl Future<Output = T> {
        let at = Location::caller();
        let deadline = Instant::now() + within;
        async move {
            match self.next_until(deadline).await {
                Next::Got(item) => {
                    self.check_missed(at);
                    self.remember(&item);
                    item
                }
                Next::Closed => self.fail(
                    at,
                    format_args!("expected a message within {within:?}, but nothing more can come"),
                ),
                Next::TimedOut => self.fail(
                    at,
                    format_args!("expected a message within {within:?}, got none"),
                ),
            }
        }
    }

    /// The next `n` messages, all within `within`. Fails the test with those
    /// that came if fewer did.
    #[track_caller]
    pub fn expect_messages(&mut self, n: usize, within: Duration) -> impl Future<Output = Vec<T>> {
        let at = Location::caller();
        let deadline = Instant::now() + within;
        async move {
            let mut got = Vec::with_capacity(n);
            while got.len() < n {
                match self.next_until(deadline).await {
                    Next::Got(item) => {
                        self.remember(&item);
                        got.push(item);
                    }
                    Next::Closed | Next::TimedOut => self.fail(
                        at,
                        format_args!(
                            "expected {n} messages within {within:?}, got {}: {got:?}",
                            got.len()
                        ),
                    ),
                }
            }
            self.check_missed(at);
            got
        }
    }

    /// The first message for which `wanted` is `true`, within `within`; the
    /// messages before it are taken and dropped. Fails the test, with the
    /// messages that came, if none matches.
    #[track_caller]
    pub fn expect_message_matching<F>(
        &mut self,
        within: Duration,
        mut wanted: F,
    ) -> impl Future<Output = T>
    where
        F: FnMut(&T) -> bool,
    {
        let at = Location::caller();
        let deadline = Instant::now() + within;
        async move {
            let mut others = Vec::new();
            loop {
                match self.next_until(deadline).await {
                    Next::Got(item) => {
                        self.remember(&item);
                        if wanted(&item) {
                            return item;
                        }
                        others.push(item);
                    }
                    Next::Closed | Next::TimedOut => self.fail(
                        at,
                        format_args!(
                            "expected a matching message within {within:?}; \
                             got {} that did not match: {others:?}",
                            others.len()
                        ),
                    ),
                }
            }
        }
    }

    /// Waits `within` and fails the test if a message comes meanwhile,
    /// showing it. Under a [paused clock](super#virtual-time) this takes no
    /// real time.
    #[track_caller]
    pub fn expect_no_message(&mut self, within: Duration) -> impl Future<Output = ()> {
        let at = Location::caller();
        let deadline = Instant::now() + within;
        async move {
            match self.next_until(deadline).await {
                Next::Got(item) => self.fail(
                    at,
                    format_args!("expected no message within {within:?}, got: {item:?}"),
                ),
                Next::Closed | Next::TimedOut => self.check_missed(at),
            }
        }
    }
}
