//! The peers, each used as its documentation shows: kameo, ractor, actix and
//! xtra. Built only with the `peers` feature.
//!
//! Where a peer cannot match the comparison's setup, it says so here and the
//! README repeats it:
//! - ractor's mailbox is unbounded only (tokio's unbounded mpsc), so ractor is
//!   compared in the unbounded group only.
//! - actix has no tell that waits for mailbox room: `do_send` ignores the
//!   capacity and `try_send` fails when full, while `send` is an ask. Its tell
//!   is `do_send`, so actix is compared in the unbounded group. It runs on its
//!   own single-threaded `System` (actix-rt), as actix actors do; the
//!   hand-written actor on a current-thread runtime is shown beside it.
//! - kameo and xtra are run with both mailbox kinds, bounded at 1024.
//! - xtra 0.6 keeps its mailbox in a `BinaryHeap` ordered by message priority,
//!   which does not keep insertion order among messages of equal priority:
//!   when several messages are queued, they can be handled out of order, and
//!   an ask can overtake the tells sent before it. The ordered workloads (tell,
//!   contended tell) therefore fail for xtra whenever its queue fills up; see
//!   [`known_failure`].

use crate::contender::{Contender, Entry, RuntimeKind, Workload};
use crate::workload::MailboxKind::{Bounded, Unbounded};

pub mod actix;
pub mod kameo;
pub mod ractor;
pub mod xtra;

/// The peers with a bounded mailbox.
pub fn bounded() -> Vec<Box<dyn Contender>> {
    use RuntimeKind::MultiThread;
    vec![
        Entry::<kameo::Bounded>::boxed("kameo/bounded", "kameo", Bounded, MultiThread),
        Entry::<xtra::Bounded>::boxed("xtra/bounded", "xtra", Bounded, MultiThread),
    ]
}

/// The peers with an unbounded mailbox on the shared multi-thread runtime.
pub fn unbounded() -> Vec<Box<dyn Contender>> {
    use RuntimeKind::MultiThread;
    vec![
        Entry::<kameo::Unbounded>::boxed("kameo/unbounded", "kameo", Unbounded, MultiThread),
        Entry::<xtra::Unbounded>::boxed("xtra/unbounded", "xtra", Unbounded, MultiThread),
        Entry::<ractor::Ractor>::boxed("ractor/unbounded", "ractor", Unbounded, MultiThread),
    ]
}

/// The peers that run on one thread.
pub fn single_threaded() -> Vec<Box<dyn Contender>> {
    vec![Entry::<actix::Actix>::boxed(
        "actix/unbounded",
        "actix",
        Unbounded,
        RuntimeKind::Actix,
    )]
}

/// Why a peer may fail a workload's checks by design rather than by a bug in
/// this package: the comparison reports it as a failure all the same, and the
/// tests of this package accept it.
pub fn known_failure(id: &str, workload: Workload) -> Option<&'static str> {
    match workload {
        Workload::Tell { .. } | Workload::Contended { .. } if id.starts_with("xtra/") => Some(
            "xtra 0.6 queues messages in a BinaryHeap by priority, which does not keep \
             the order of messages of equal priority",
        ),
        _ => None,
    }
}
