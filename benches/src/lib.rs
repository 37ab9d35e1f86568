//! actor-core side by side with the code it promises to cost no more than (a
//! hand-written tokio actor) and with its peers (kameo, ractor, actix, xtra).
//!
//! Every framework implements one small trait, [`Framework`]: spawn an actor
//! of the benchmark's one actor type, [`Tally`](tally), tell it, ask it, stop
//! it. The workloads in [`workload`] are written once, generic over that
//! trait, so every framework runs exactly the same driver code and the only
//! thing that differs is the framework's own path from a send to a handler and
//! back.
//!
//! The peers are behind the `peers` feature so that `cargo test --workspace`
//! does not compile them. The comparison program is
//! `cargo run -p benches --release --features peers` (see the README's
//! "Performance" section); the criterion benches of actor-core's own hot paths
//! are `cargo bench -p benches`.

#![forbid(unsafe_code)]

pub mod contender;
pub mod hand;
pub mod ours;
#[cfg(feature = "peers")]
pub mod peers;
pub mod stats;
pub mod tally;
pub mod workload;

pub use contender::{Contender, RuntimeKind, contenders};
pub use tally::{Failure, Summary};
pub use workload::{Framework, MailboxKind};
