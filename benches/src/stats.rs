//! Medians, percentiles and the formatting of figures.

use std::time::Duration;

/// The median of `values` (the mean of the middle two for an even count);
/// `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

/// The `p`-th percentile (0..=100, nearest rank) of `sorted`, which must be sorted.
pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Mean, p50 and p99 of ask latencies, in nanoseconds.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
}

impl Latency {
    /// Summarises latencies in nanoseconds.
    pub fn of(mut nanos: Vec<u64>) -> Latency {
        nanos.sort_unstable();
        let mean = nanos.iter().sum::<u64>() as f64 / nanos.len().max(1) as f64;
        Latency {
            mean,
            p50: percentile(&nanos, 50.0) as f64,
            p99: percentile(&nanos, 99.0) as f64,
        }
    }
}

/// Nanoseconds of a duration, as a float.
pub fn nanos(d: Duration) -> f64 {
    d.as_secs_f64() * 1e9
}

/// A duration in nanoseconds, written with a unit that keeps 3 significant digits.
pub fn fmt_nanos(ns: f64) -> String {
    if ns >= 1e9 {
        format!("{:.2} s", ns / 1e9)
    } else if ns >= 1e6 {
        format!("{} ms", sig3(ns / 1e6))
    } else if ns >= 1e3 {
        format!("{} µs", sig3(ns / 1e3))
    } else {
        format!("{} ns", sig3(ns))
    }
}

/// A byte count per actor.
pub fn fmt_bytes(b: f64) -> String {
    if b >= 10_000.0 {
        format!("{} KiB", sig3(b / 1024.0))
    } else {
        format!("{b:.0} B")
    }
}

/// A rate in messages per second.
pub fn fmt_rate(per_sec: f64) -> String {
    if per_sec >= 1e6 {
        format!("{} M/s", sig3(per_sec / 1e6))
    } else {
        format!("{} k/s", sig3(per_sec / 1e3))
    }
}

/// A number with three significant digits (at most two decimals).
fn sig3(x: f64) -> String {
    if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn percentiles_by_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&v, 100.0), 100);
        assert_eq!(percentile(&[7], 99.0), 7);
    }

    #[test]
    fn figures_keep_three_digits() {
        assert_eq!(fmt_nanos(1234.0), "1.23 µs");
        assert_eq!(fmt_nanos(56.0), "56.0 ns");
        assert_eq!(fmt_rate(12_345_678.0), "12.3 M/s");
        assert_eq!(fmt_bytes(600.0), "600 B");
    }
}
