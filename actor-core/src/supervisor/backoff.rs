//! Delays between restarts.

use std::time::Duration;

/// Delays between restarts: exponential from `min` to `max`, with jitter, and
/// reset once a child has gone `reset_after` without restarting (Akka's
/// restart-with-backoff).
///
/// The n-th consecutive restart of a child waits `min * 2^n` capped at `max`,
/// plus a random extra of up to `jitter` times that (so restarts of many
/// children spread out instead of arriving together).
///
/// ```
/// use std::time::Duration;
/// use actor_core::supervisor::Backoff;
///
/// let backoff = Backoff::exponential(Duration::from_millis(10), Duration::from_secs(1))
///     .jitter(0.2)
///     .reset_after(Duration::from_secs(30));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Backoff {
    min: Duration,
    max: Duration,
    jitter: f64,
    reset_after: Option<Duration>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::none()
    }
}

impl Backoff {
    /// No delay: restart at once (OTP's behaviour, the default).
    pub fn none() -> Self {
        Backoff {
            min: Duration::ZERO,
            max: Duration::ZERO,
            jitter: 0.0,
            reset_after: None,
        }
    }

    /// Exponential delays from `min` doubling up to `max` (`max` is raised to `min` if lower).
    pub fn exponential(min: Duration, max: Duration) -> Self {
        Backoff {
            min,
            max: max.max(min),
            jitter: 0.0,
            reset_after: None,
        }
    }

    /// Adds a random extra of up to `fraction` of each delay (clamped to `0.0..=1.0`).
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_finite() {
            fraction.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// Starts again from `min` once a child has gone this long without a
    /// restart. Defaults to `max`.
    pub fn reset_after(mut self, quiet: Duration) -> Self {
        self.reset_after = Some(quiet);
        self
    }

    pub(super) fn is_none(&self) -> bool {
        self.max.is_zero()
    }

    pub(super) fn quiet_period(&self) -> Duration {
        self.reset_after.unwrap_or(self.max)
    }

    /// The delay before restart number `attempt` (0-based) of a child.
    pub(super) fn delay(&self, attempt: u32, rng: &mut fastrand::Rng) -> Duration {
        if self.is_none() {
            return Duration::ZERO;
        }
        let factor = 2u32.checked_pow(attempt.min(31)).unwrap_or(u32::MAX);
        let base = self
            .min
            .checked_mul(factor)
            .unwrap_or(self.max)
            .min(self.max);
        base + base.mul_f64(self.jitter * rng.f64())
    }
}
