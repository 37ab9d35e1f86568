//! The one actor every framework runs: it counts what it is told and checks
//! that each sender's messages arrive in order, so that a framework that drops,
//! duplicates or reorders messages fails the workload instead of looking fast.
//!
//! Its messages are the same in every framework:
//! - `record(sender: u32, seq: u64)`, told: sender `s` sends `seq = 0, 1, 2, ..`;
//! - `ping(seq: u64) -> u64`, asked: the n-th ping carries `seq = n - 1` and is
//!   answered with `n`;
//! - `summary() -> Summary`, asked: what the actor saw.

use std::fmt;

/// The most concurrent senders a workload uses.
pub const MAX_SENDERS: usize = 4;

/// The state of the benchmark actor (the same 56 bytes in every framework).
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pings: u64,
    count: u64,
    out_of_order: u64,
    next: [u64; MAX_SENDERS],
}

impl Tally {
    /// A fresh tally.
    pub fn new() -> Self {
        Tally::default()
    }

    /// Counts a told message and checks it is the next one from its sender.
    #[inline]
    pub fn record(&mut self, sender: u32, seq: u64) {
        let next = &mut self.next[sender as usize % MAX_SENDERS];
        if seq != *next {
            self.out_of_order += 1;
        }
        *next = seq + 1;
        self.count += 1;
    }

    /// Counts an asked ping and answers how many pings arrived so far.
    #[inline]
    pub fn ping(&mut self, seq: u64) -> u64 {
        if seq != self.pings {
            self.out_of_order += 1;
        }
        self.pings += 1;
        self.pings
    }

    /// What the actor saw.
    #[inline]
    pub fn summary(&self) -> Summary {
        Summary {
            count: self.count,
            pings: self.pings,
            out_of_order: self.out_of_order,
        }
    }
}

/// What a [`Tally`] saw: the answer to `summary()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Told messages handled.
    pub count: u64,
    /// Pings handled.
    pub pings: u64,
    /// Messages that did not carry the sequence number expected next.
    pub out_of_order: u64,
}

/// A workload that did not get the result it must get: a lost, duplicated or
/// reordered message, a failed send, a wrong reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl Failure {
    /// A failure with this description.
    pub fn new(msg: impl Into<String>) -> Self {
        Failure(msg.into())
    }

    /// Wraps a framework's error.
    pub fn from_err(what: &str, err: impl fmt::Debug) -> Self {
        Failure(format!("{what}: {err:?}"))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failure {}

/// Checks a condition, failing with a message otherwise.
pub fn check(ok: bool, msg: impl FnOnce() -> String) -> Result<(), Failure> {
    if ok { Ok(()) } else { Err(Failure(msg())) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_order_messages_are_counted_without_complaint() {
        let mut t = Tally::new();
        for seq in 0..10 {
            t.record(0, seq);
            t.record(1, seq);
        }
        assert_eq!(t.ping(0), 1);
        assert_eq!(
            t.summary(),
            Summary {
                count: 20,
                pings: 1,
                out_of_order: 0
            }
        );
    }

    #[test]
    fn a_lost_or_reordered_message_is_noticed() {
        let mut t = Tally::new();
        t.record(0, 0);
        t.record(0, 2); // 1 lost
        t.record(0, 1); // late
        assert_eq!(t.summary().out_of_order, 2);
        t.ping(5);
        assert_eq!(t.summary().out_of_order, 3);
    }
}
