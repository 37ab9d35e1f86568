//! A rate limiter per user: a token bucket that all of the user's devices
//! draw from.
//!
//! The bucket holds up to `burst` tokens and refills at `per_second`. Many
//! tasks ask the same limiter at once; the actor takes the asks one at a time,
//! so there is no lock and no lost update. It also keeps the instant of every
//! request it allowed, so [`RateLimiterHandle::audit`] can check afterwards,
//! independently of the bucket's arithmetic, that no window of time saw more
//! than the bucket allows.

use std::time::{Duration, Instant};

use actor_core::prelude::*;

/// A limiter's account, and the check of its promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Audit {
    /// Requests allowed.
    pub allowed: u64,
    /// Requests refused (told to retry later).
    pub limited: u64,
    /// The most requests allowed within any one window.
    pub busiest_window: u64,
    /// The most the bucket may allow within one window: `burst + per_second × window`.
    pub limit: u64,
}

impl Audit {
    /// `true` if no window saw more requests allowed than the limit.
    pub fn held(&self) -> bool {
        self.busiest_window <= self.limit
    }
}

/// See the [module docs](self).
#[actor]
pub struct RateLimiter {
    burst: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
    allowed: Vec<Instant>,
    limited: u64,
}

impl RateLimiter {
    /// A full bucket of `burst` tokens, refilled at `per_second`.
    pub fn new(burst: u32, per_second: f64) -> Self {
        RateLimiter {
            burst: f64::from(burst.max(1)),
            per_second: per_second.max(0.0),
            tokens: f64::from(burst.max(1)),
            last: Instant::now(),
            allowed: Vec::new(),
            limited: 0,
        }
    }
}

#[actor]
impl RateLimiter {
    /// Takes a token: `Ok` if the request may go ahead, else how long until
    /// the next token (a `Retry-After`).
    #[message]
    pub fn acquire(&mut self) -> Result<(), Duration> {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            self.allowed.push(now);
            Ok(())
        } else {
            self.limited += 1;
            let wait = if self.per_second > 0.0 {
                (1.0 - self.tokens) / self.per_second
            } else {
                1.0
            };
            Err(Duration::from_secs_f64(wait))
        }
    }

    /// Requests allowed and limited so far.
    #[message]
    pub fn counts(&self) -> (u64, u64) {
        (self.allowed.len() as u64, self.limited)
    }

    /// Counts, and the most requests allowed within any `window`.
    #[message]
    pub fn audit(&self, window: Duration) -> Audit {
        let mut busiest = 0;
        let mut start = 0;
        for (end, &t) in self.allowed.iter().enumerate() {
            while t.duration_since(self.allowed[start]) > window {
                start += 1;
            }
            busiest = busiest.max(end - start + 1);
        }
        Audit {
            allowed: self.allowed.len() as u64,
            limited: self.limited,
            busiest_window: busiest as u64,
            limit: (self.burst + self.per_second * window.as_secs_f64()).floor() as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_allows_its_burst_then_says_when_to_retry() {
        let mut limiter = RateLimiter::new(3, 10.0);
        for _ in 0..3 {
            assert_eq!(limiter.acquire(), Ok(()));
        }
        let retry = limiter.acquire().unwrap_err();
        assert!(retry > Duration::ZERO && retry <= Duration::from_millis(100));
        let audit = limiter.audit(Duration::from_secs(1));
        assert_eq!((audit.allowed, audit.limited), (3, 1));
        assert_eq!(audit.busiest_window, 3);
        assert_eq!(audit.limit, 13);
        assert!(audit.held());
    }

    #[test]
    fn the_audit_finds_the_busiest_window() {
        let mut limiter = RateLimiter::new(1, 1.0);
        let t0 = Instant::now();
        limiter.allowed = [0, 100, 200, 1500, 1600]
            .iter()
            .map(|ms| t0 + Duration::from_millis(*ms))
            .collect();
        let audit = limiter.audit(Duration::from_secs(1));
        assert_eq!(audit.busiest_window, 3);
        assert_eq!(audit.limit, 2);
        assert!(!audit.held(), "the audit does not trust the bucket");
    }
}
