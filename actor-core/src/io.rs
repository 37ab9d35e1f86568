//! [`Io`]: the tokio runtime of a system, for IO-bound futures and blocking
//! calls, and [`Limiter`], for fan-out with a bound on concurrency.
//!
//! IO work (sockets, files, HTTP calls) belongs on tokio: [`Io::spawn`] for
//! futures, [`Io::spawn_blocking`] for calls that block a thread (a
//! synchronous database driver, `std::fs` on a large directory). Unlike
//! `tokio::spawn`, these work from any thread, a CPU pool thread included,
//! because [`Io`] holds the runtime's handle.
//!
//! To call a thousand services but no more than ten at a time, make a
//! [`Limiter`] with [`Io::limit`] and run each call through it:
//!
//! ```
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = actor_core::System::new();
//! let limit = system.io().limit(10);           // at most 10 at a time
//! let lengths = limit
//!     .run_all((0..1000u64).map(|i| async move {
//!         tokio::time::sleep(Duration::from_micros(i % 7)).await; // a network call
//!         i * 2
//!     }))
//!     .await;
//! assert_eq!(lengths.len(), 1000);
//! assert_eq!(lengths[999], 1998);              // results in input order
//! # }
//! ```
//!
//! The limit is a [`tokio::sync::Semaphore`]: each run holds one permit while
//! it runs. Clones of a [`Limiter`] share its permits, so one limit can guard
//! a resource (a database, a rate-limited API) across every actor that uses it.

use std::fmt;
use std::future::{Future, IntoFuture};
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

/// The tokio runtime a [`System`](crate::System) runs on: spawn IO-bound
/// futures and blocking calls here. See the [module docs](self).
///
/// Cheap to clone.
#[derive(Clone)]
pub struct Io {
    handle: Handle,
}

impl fmt::Debug for Io {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Io")
            .field("runtime", &self.handle.runtime_flavor())
            .finish()
    }
}

impl Io {
    pub(crate) fn new(handle: Handle) -> Self {
        Io { handle }
    }

    /// The tokio runtime handle, for what this type does not wrap
    /// (`block_on`, `enter`, runtime metrics).
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Spawns `future` on the runtime and returns its [`JoinHandle`]; like
    /// `tokio::spawn`, but callable from any thread.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// let task = system.io().spawn(async { "fetched" });
    /// assert_eq!(task.await.unwrap(), "fetched");
    /// # }
    /// ```
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs `f` on tokio's blocking-thread pool, for calls that block (file
    /// system walks, synchronous drivers). Use the
    /// [`CpuPool`](crate::cpu::CpuPool) for computation instead: blocking
    /// threads are many and meant for waiting, not for keeping CPUs busy.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let system = actor_core::System::new();
    /// let exists = system.io().spawn_blocking(|| std::path::Path::new("/").exists());
    /// assert!(exists.await.unwrap());
    /// # }
    /// ```
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// A [`Limiter`] that lets at most `max` futures run at a time (zero is
    /// raised to one).
    pub fn limit(&self, max: usize) -> Limiter {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        Limiter {
            io: self.clone(),
            permits: Arc::new(Semaphore::new(max)),
            max,
        }
    }
}

/// Runs futures with at most [`Limiter::max`] of them at a time. Made by
/// [`Io::limit`]; see the [module docs](self).
///
/// Clones share the limit. Waiting runs are admitted first come, first served.
/// A run that is dropped (cancelled) before it finishes frees its place.
#[derive(Clone)]
pub struct Limiter {
    io: Io,
    permits: Arc<Semaphore>,
    max: usize,
}

impl fmt::Debug for Limiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limiter")
            .field("max", &self.max)
            .field("running", &self.running())
            .finish()
    }
}

impl Limiter {
    /// The most futures that run at a time.
    pub fn max(&self) -> usize {
        self.max
    }

    /// How many runs hold a place now.
    pub fn running(&self) -> usize {
        self.max - self.permits.available_permits()
    }

    /// Waits for a place, then runs `future` in the caller's task and returns
    /// its output. The place is freed when `future` finishes or is dropped.
    ///
    /// Takes anything `.await`able, an ask (`handle.method(..)`) included.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let limit = actor_core::System::new().io().limit(2);
    /// assert_eq!(limit.run(async { 1 + 1 }).await, 2);
    /// # }
    /// ```
    pub async fn run<F: IntoFuture>(&self, future: F) -> F::Output {
        let _permit = self.acquire().await;
        future.await
    }

    /// Runs all of `futures` concurrently, at most [`Limiter::max`] at a time
    /// (counting runs through clones of this limiter), and returns their
    /// outputs in the order of `futures`. See the [module docs](self).
    pub async fn run_all<I>(&self, futures: I) -> Vec<<I::Item as IntoFuture>::Output>
    where
        I: IntoIterator,
        I::Item: IntoFuture,
    {
        futures::future::join_all(futures.into_iter().map(|f| self.run(f))).await
    }

    /// Waits for a place, then spawns `future` on the runtime; the place is
    /// freed when the task ends or is aborted. Waiting before spawning pushes
    /// back on a producer that makes work faster than it can run.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let limit = actor_core::System::new().io().limit(4);
    /// let mut tasks = Vec::new();
    /// for i in 0..16u32 {
    ///     tasks.push(limit.spawn(async move { i * i }).await);
    /// }
    /// let mut total = 0;
    /// for t in tasks {
    ///     total += t.await.unwrap();
    /// }
    /// assert_eq!(total, 1240);
    /// # }
    /// ```
    pub async fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let permit = self.acquire().await;
        self.io.spawn(async move {
            let _permit = permit;
            future.await
        })
    }

    /// Like [`Limiter::spawn`], for a blocking call on tokio's blocking-thread pool.
    pub async fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let permit = self.acquire().await;
        self.io.spawn_blocking(move || {
            let _permit = permit;
            f()
        })
    }

    async fn acquire(&self) -> OwnedSemaphorePermit {
        match self.permits.clone().acquire_owned().await {
            Ok(permit) => permit,
            // The semaphore is private and never closed.
            Err(_) => unreachable!("a limiter's semaphore is never closed"),
        }
    }
}
