//! A window of spawned tasks, awaited oldest first, and a gauge of how many
//! run at once.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::task::{JoinError, JoinHandle};

/// Tasks in spawn order. The pipeline's tasks finish roughly in that order
/// (the writer answers in index order), so awaiting the oldest first keeps
/// the window as small as the limit that admits them.
pub(crate) struct Window<T> {
    tasks: VecDeque<JoinHandle<T>>,
}

impl<T> Window<T> {
    pub(crate) fn new() -> Self {
        Window {
            tasks: VecDeque::new(),
        }
    }

    pub(crate) fn push(&mut self, task: JoinHandle<T>) {
        self.tasks.push_back(task);
    }

    /// The oldest task's result if it has finished, without waiting.
    pub(crate) async fn next_finished(&mut self) -> Option<Result<T, JoinError>> {
        if self.tasks.front()?.is_finished() {
            self.next().await
        } else {
            None
        }
    }

    /// The oldest task's result, waiting for it; `None` when the window is empty.
    pub(crate) async fn next(&mut self) -> Option<Result<T, JoinError>> {
        Some(self.tasks.pop_front()?.await)
    }
}

/// Counts the chunks being worked on and remembers the most at once.
///
/// Kept apart from the limiter's own count on purpose: it measures what the
/// limiter is meant to bound, so a pipeline that bypassed the limit would show.
#[derive(Debug, Clone, Default)]
pub(crate) struct InFlight {
    inner: Arc<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl InFlight {
    /// Counts one in until the returned guard is dropped.
    pub(crate) fn enter(&self) -> InFlightGuard {
        let now = self.inner.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.inner.peak.fetch_max(now, Ordering::SeqCst);
        InFlightGuard {
            inner: self.inner.clone(),
        }
    }

    /// The most counted in at once.
    pub(crate) fn peak(&self) -> usize {
        self.inner.peak.load(Ordering::SeqCst)
    }
}

/// One chunk in flight; counted out when dropped.
pub(crate) struct InFlightGuard {
    inner: Arc<Counts>,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.inner.now.fetch_sub(1, Ordering::SeqCst);
    }
}
