//! tokio's channels, re-exported so that a service needs one dependency.
//!
//! These are `tokio::sync`'s own modules, not wrappers: their types, errors
//! and documentation are tokio's. Actors already are the usual way to share
//! state; reach for a channel when you need a plain stream of values between
//! tasks, or a way to wait for one.
//!
//! | you need                                                 | use           |
//! |----------------------------------------------------------|---------------|
//! | a queue from many producers to one consumer              | [`mpsc`]      |
//! | one value, sent once (an answer, a "done")               | [`oneshot`]   |
//! | every value delivered to every receiver                  | [`broadcast`] |
//! | only the latest value, read whenever (config, progress)  | [`watch`]     |
//!
//! - [`mpsc`]: prefer [`mpsc::channel`] (bounded): a full channel makes
//!   senders wait, which slows a fast producer down to what the consumer
//!   takes. [`mpsc::unbounded_channel`] never waits and never limits memory;
//!   use it only where the producer is bounded by something else. An actor's
//!   mailbox is this channel.
//! - [`oneshot`]: the reply slot of an ask is one. Dropping the sender wakes
//!   the receiver with an error, so a waiter never hangs.
//! - [`broadcast`]: a ring of fixed capacity; a receiver that falls more than
//!   the capacity behind loses the oldest values and is told how many
//!   (`RecvError::Lagged`). For application events, the system's typed
//!   [event bus](crate::events) is this channel, one per event type.
//! - [`watch`]: receivers see the newest value and can wait for a change;
//!   intermediate values may be skipped. Right for state, wrong for events.
//!
//! ```
//! use actor_core::channel::{mpsc, oneshot, watch};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! // A bounded work queue.
//! let (jobs, mut queue) = mpsc::channel::<u32>(16);
//! tokio::spawn(async move {
//!     for job in 1..=3 {
//!         jobs.send(job).await.unwrap();
//!     }
//! });
//! let mut total = 0;
//! while let Some(job) = queue.recv().await {
//!     total += job;
//! }
//! assert_eq!(total, 6);
//!
//! // One answer.
//! let (tx, rx) = oneshot::channel();
//! tx.send("done").unwrap();
//! assert_eq!(rx.await, Ok("done"));
//!
//! // The latest state.
//! let (progress, mut seen) = watch::channel(0u8);
//! progress.send(50).unwrap();
//! progress.send(100).unwrap();
//! assert_eq!(*seen.borrow_and_update(), 100);
//! # }
//! ```

pub use tokio::sync::{broadcast, mpsc, oneshot, watch};
