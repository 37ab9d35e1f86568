//! [`CpuPool`]: a rayon thread pool for CPU-bound work, awaitable from async code.
//!
//! Hashing, compression, parsing, image work: anything that computes for more
//! than a few hundred microseconds without awaiting would stall the tokio
//! worker it runs on, and with it every actor and IO future scheduled there.
//! Send it to the system's CPU pool instead:
//! [`system.cpu().spawn(f)`](CpuPool::spawn) from anywhere, or
//! [`ctx.spawn_cpu(f)`](crate::Context::spawn_cpu) from inside an actor.
//! Either returns a [`CpuTask`] to await for the result, or to drop if nobody
//! needs it: the work still runs.
//!
//! ```
//! use actor_core::System;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::CpuError> {
//! let system = System::builder().cpu_threads(2).build();
//! let sum = system.cpu().spawn(|| (1..=1_000_000u64).sum::<u64>()).await?;
//! assert_eq!(sum, 500_000_500_000);
//! # Ok(())
//! # }
//! ```
//!
//! # Panics
//!
//! A panic in `f` is caught on the pool thread and comes back as
//! [`CpuError::Panicked`]; the thread and the pool keep working. A [`Reply`]
//! that `f` owned and drops while panicking answers its ask with
//! [`AskError::Panicked`](crate::AskError::Panicked), carrying that panic.
//!
//! # Delegated replies
//!
//! A handler that takes its [`Reply`] can hand it to the pool and return at
//! once: the actor goes on with its next message while the work runs, and the
//! asker gets the answer when the pool sends it.
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Checksums;
//!
//! #[actor]
//! impl Checksums {
//!     #[message(response = u64)]
//!     fn checksum(&mut self, data: Vec<u8>, reply: Reply<u64>, ctx: &mut Context<Self>) {
//!         ctx.spawn_cpu(move || {
//!             let sum = data.iter().map(|b| u64::from(*b)).sum();
//!             reply.send(sum)
//!         });
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let sums = system.spawn(Checksums);
//! assert_eq!(sums.checksum(vec![1, 2, 3]).await?, 6);
//! # Ok(())
//! # }
//! ```
//!
//! # The pool
//!
//! One pool per [`System`](crate::System), with the thread count set by
//! [`SystemBuilder::cpu_threads`](crate::SystemBuilder::cpu_threads) (default:
//! the number of CPUs). Its threads start on first use, so a system that never
//! computes costs no threads, and end when the system and every [`CpuPool`]
//! clone are dropped, after the work already queued. rayon's parallel
//! iterators used inside `f` run on this same pool. Tasks cannot be cancelled:
//! dropping a [`CpuTask`] only discards its result.
//!
//! [`Reply`]: crate::Reply

use std::fmt;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use tokio::sync::oneshot;

use crate::actor::PanicError;

/// The name a CPU task's panic reports as its handler ([`PanicError::handler`]).
const TASK_NAME: &str = "cpu task";

/// The system's pool for CPU-bound work. See the [module docs](self).
///
/// Cheap to clone: clones share the same threads.
#[derive(Clone)]
pub struct CpuPool {
    inner: Arc<Inner>,
}

struct Inner {
    threads: usize,
    /// Built on first use; an error if the threads could not be started.
    pool: OnceLock<Result<rayon::ThreadPool, String>>,
}

impl fmt::Debug for CpuPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CpuPool")
            .field("threads", &self.inner.threads)
            .field("started", &self.inner.pool.get().is_some())
            .finish()
    }
}

impl CpuPool {
    /// A pool of `threads` threads (the number of CPUs when `None`), not yet started.
    pub(crate) fn new(threads: Option<usize>) -> Self {
        let threads = threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
            .max(1);
        CpuPool {
            inner: Arc::new(Inner {
                threads,
                pool: OnceLock::new(),
            }),
        }
    }

    /// The number of threads of the pool.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::builder().cpu_threads(3).build();
    /// assert_eq!(system.cpu().threads(), 3);
    /// # }
    /// ```
    pub fn threads(&self) -> usize {
        self.inner.threads
    }

    /// Runs `f` on the pool and returns a [`CpuTask`] that resolves to its
    /// result, or to [`CpuError::Panicked`] if it panicked.
    ///
    /// Returns at once and never blocks: the task waits in the pool's queue
    /// while every thread is busy. The caller's `tracing` span is entered
    /// while `f` runs. Dropping the [`CpuTask`] does not stop `f`.
    ///
    /// ```
    /// use actor_core::CpuError;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// let ok = system.cpu().spawn(|| 6 * 7);
    /// let bad = system.cpu().spawn(|| -> u32 { panic!("out of cheese") });
    /// assert_eq!(ok.await, Ok(42));
    /// match bad.await {
    ///     Err(CpuError::Panicked(p)) => assert_eq!(p.message(), "out of cheese"),
    ///     other => panic!("expected a panic, got {other:?}"),
    /// }
    /// // The pool is unharmed.
    /// assert_eq!(system.cpu().spawn(|| "still here").await, Ok("still here"));
    /// # }
    /// ```
    pub fn spawn<F, T>(&self, f: F) -> CpuTask<T>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        match self.pool() {
            Ok(pool) => {
                let span = tracing::Span::current();
                pool.spawn(move || {
                    let _entered = span.enter();
                    // Replies dropped by a panic in `f` answer with it.
                    let result =
                        crate::reply::catching(TASK_NAME, || catch_unwind(AssertUnwindSafe(f)))
                            .map_err(CpuError::Panicked);
                    let _ = tx.send(result);
                });
            }
            Err(why) => {
                let _ = tx.send(Err(CpuError::Unavailable(why.clone())));
            }
        }
        CpuTask { rx }
    }

    fn pool(&self) -> &Result<rayon::ThreadPool, String> {
        self.inner.pool.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(self.inner.threads)
                .thread_name(|i| format!("actor-core-cpu-{i}"))
                // `spawn` catches panics in user code; this only guards against
                // one escaping from elsewhere (a result's destructor), which
                // would otherwise abort the process.
                .panic_handler(|payload| {
                    let p = PanicError::from_payload(payload, TASK_NAME);
                    tracing::error!(panic = %p, "panic escaped a CPU pool task");
                })
                .build()
                .map_err(|e| {
                    tracing::error!(error = %e, "cannot start the CPU pool");
                    e.to_string()
                })
        })
    }
}

/// The result of a task on the [`CpuPool`]: a future of
/// `Result<T, CpuError>`.
///
/// Dropping it detaches the task: it still runs, its result is discarded.
pub struct CpuTask<T> {
    rx: oneshot::Receiver<Result<T, CpuError>>,
}

impl<T> CpuTask<T> {
    /// `true` once the task has finished (its result is ready or was taken).
    pub fn is_finished(&self) -> bool {
        self.rx.is_terminated() || !self.rx.is_empty()
    }
}

impl<T> Future for CpuTask<T> {
    type Output = Result<T, CpuError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.rx).poll(cx).map(|result| {
            result.unwrap_or_else(|_| {
                Err(CpuError::Unavailable(
                    "the pool dropped the task before it finished".to_owned(),
                ))
            })
        })
    }
}

impl<T> fmt::Debug for CpuTask<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CpuTask")
            .field("finished", &self.is_finished())
            .finish()
    }
}

/// Why a [`CpuTask`] has no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CpuError {
    /// The task panicked. The panic was caught; the pool keeps working.
    #[error("the CPU task panicked: {}", .0.message())]
    Panicked(PanicError),
    /// The pool could not run the task: its threads could not be started
    /// (the operating system refused), with the reason.
    #[error("the CPU pool could not run the task: {0}")]
    Unavailable(String),
}
