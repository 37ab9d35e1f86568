//! Metrics: per actor type, how many are alive, how many messages they
//! handled, how often they panicked and were restarted, and how deep their
//! mailboxes are.
//!
//! Counting costs the message path almost nothing: each actor publishes its
//! own count of handled messages (a plain store, no shared counter), and a
//! snapshot adds up the live actors' counts and those of actors that stopped.
//! Mailbox depth is read when the snapshot is taken (each mailbox keeps its
//! length where it can be read without its lock).
//!
//! ```
//! use actor_core::prelude::*;
//!
//! #[actor]
//! struct Echo;
//!
//! #[actor]
//! impl Echo {
//!     #[message]
//!     fn echo(&self, n: u32) -> u32 { n }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let system = System::new();
//! let echo = system.spawn(Echo);
//! for n in 0..10 {
//!     echo.echo(n).await.unwrap();
//! }
//! let snapshot = system.metrics();
//! let echoes = snapshot.actor_type("Echo").unwrap();
//! assert_eq!(echoes.alive, 1);
//! assert_eq!(echoes.handled, 10);
//! assert_eq!(echoes.panics, 0);
//! # }
//! ```
//!
//! A snapshot prints as a table, one line per actor type
//! (`println!("{}", system.metrics())`):
//!
//! ```text
//! actor type  alive  spawned  handled  panics  restarts  queued  max queued
//! Counter         1        1        7       1         1       0           0
//! Store           1        1        4       0         0       2           2
//! ```
//!
//! # Leaving the process: the `metrics` feature
//!
//! With the `metrics` cargo feature, an `Exporter` reports these figures
//! through the [`metrics`](https://docs.rs/metrics) facade, so that whichever
//! exporter the program installed (Prometheus, StatsD, OpenTelemetry, …)
//! picks them up; without the feature none of it is compiled. The exporter
//! reads a snapshot and records it: nothing is added to an actor's message
//! path, and no facade call is made per message. Call `Exporter::export`
//! where a scrape is answered (as the `http_service` example does for
//! `GET /metrics`), or let `Exporter::spawn` export every period for
//! exporters that push. `Exporter`'s docs list the metrics.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

#[cfg(feature = "metrics")]
mod export;
#[cfg(feature = "metrics")]
pub use export::Exporter;

/// Running counters of one actor type, shared by its actors. (Actors that
/// stopped for good, and the messages they handled, are counted by the
/// system's list of actors as they leave it: see `System::retire`.)
#[derive(Debug, Default)]
pub(crate) struct TypeCounters {
    panics: AtomicU64,
    restarts: AtomicU64,
    tell_errors: AtomicU64,
    dead_letters: AtomicU64,
}

impl TypeCounters {
    pub(crate) fn panicked(&self) {
        self.panics.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn restarted(&self) {
        self.restarts.fetch_add(1, Ordering::Relaxed);
    }

    /// Records a told message whose handler returned an error that was
    /// logged ([`TellErrors::Log`](crate::TellErrors::Log)).
    pub(crate) fn tell_error(&self) {
        self.tell_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// Records messages that were queued and never handled.
    pub(crate) fn dead_letters(&self, n: u64) {
        self.dead_letters.fetch_add(n, Ordering::Relaxed);
    }
}

/// The counters of every actor type of one system, by the address of the
/// type's name (`Actor::NAME`): hashing a pointer is one multiplication,
/// where hashing the text would cost a spawn more than the rest of it.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    types: Mutex<FxHashMap<usize, (&'static str, Arc<TypeCounters>)>>,
}

impl Registry {
    /// The counters of `name`, created on first use.
    pub(crate) fn counters(&self, name: &'static str) -> Arc<TypeCounters> {
        let mut types = self.types.lock().unwrap_or_else(|e| e.into_inner());
        let key = name.as_ptr() as usize;
        types
            .entry(key)
            .or_insert_with(|| (name, Arc::default()))
            .1
            .clone()
    }

    /// A snapshot, given each live actor's type name, handled count and
    /// mailbox depth, and the counts of actors that stopped for good (type
    /// name, how many, messages they handled).
    pub(crate) fn snapshot(
        &self,
        live: impl IntoIterator<Item = (&'static str, u64, usize)>,
        retired: impl IntoIterator<Item = (&'static str, u64, u64)>,
    ) -> Metrics {
        let mut by_type: HashMap<&'static str, ActorTypeMetrics> = HashMap::new();
        {
            let types = self.types.lock().unwrap_or_else(|e| e.into_inner());
            // Two types of the same name (in different modules) are counted together.
            for (name, c) in types.values() {
                let entry = by_type
                    .entry(name)
                    .or_insert_with(|| ActorTypeMetrics::empty(name));
                entry.panics += c.panics.load(Ordering::Relaxed);
                entry.restarts += c.restarts.load(Ordering::Relaxed);
                entry.tell_errors += c.tell_errors.load(Ordering::Relaxed);
                entry.dead_letters += c.dead_letters.load(Ordering::Relaxed);
            }
        }
        // Spawned: those stopped, and those alive (below).
        for (name, stopped, handled) in retired {
            let entry = by_type
                .entry(name)
                .or_insert_with(|| ActorTypeMetrics::empty(name));
            entry.spawned += stopped;
            entry.handled += handled;
        }
        for (name, handled, depth) in live {
            let entry = by_type
                .entry(name)
                .or_insert_with(|| ActorTypeMetrics::empty(name));
            entry.alive += 1;
            entry.spawned += 1;
            entry.handled += handled;
            entry.mailbox_depth += depth as u64;
            entry.max_mailbox_depth = entry.max_mailbox_depth.max(depth as u64);
        }
        let mut types: Vec<ActorTypeMetrics> = by_type.into_values().collect();
        types.sort_by_key(|t| t.name);
        Metrics { types }
    }
}

/// A snapshot of a system's metrics: [`System::metrics`](crate::System::metrics).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Metrics {
    /// One entry per actor type ever spawned, by name.
    pub types: Vec<ActorTypeMetrics>,
}

impl Metrics {
    /// The metrics of the actor type named `name` (the struct's name).
    pub fn actor_type(&self, name: &str) -> Option<&ActorTypeMetrics> {
        self.types.iter().find(|t| t.name == name)
    }

    /// Actors alive, all types together.
    pub fn alive(&self) -> u64 {
        self.types.iter().map(|t| t.alive).sum()
    }

    /// Messages handled, all types together.
    pub fn handled(&self) -> u64 {
        self.types.iter().map(|t| t.handled).sum()
    }

    /// Panics, all types together.
    pub fn panics(&self) -> u64 {
        self.types.iter().map(|t| t.panics).sum()
    }

    /// Restarts, all types together.
    pub fn restarts(&self) -> u64 {
        self.types.iter().map(|t| t.restarts).sum()
    }

    /// Logged errors of told messages, all types together.
    pub fn tell_errors(&self) -> u64 {
        self.types.iter().map(|t| t.tell_errors).sum()
    }

    /// Dead letters of every actor type: see [`ActorTypeMetrics::dead_letters`].
    pub fn dead_letters(&self) -> u64 {
        self.types.iter().map(|t| t.dead_letters).sum()
    }
}

/// The metrics of one actor type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActorTypeMetrics {
    /// The actor type's name.
    pub name: &'static str,
    /// Actors of this type alive now (a supervised actor waiting to be
    /// restarted counts as alive).
    pub alive: u64,
    /// Actors of this type ever spawned.
    pub spawned: u64,
    /// Messages handled (a handler that panicked does not count). A message
    /// is counted just after its handler returns, so an asker that reads the
    /// metrics the moment it has its reply may not see its own message yet.
    pub handled: u64,
    /// Panics in handlers and hooks.
    pub panics: u64,
    /// Supervised restarts.
    pub restarts: u64,
    /// Told messages whose handler returned an error that was logged
    /// (`#[actor(tell_errors = log)]`; by default such an error fails the actor).
    pub tell_errors: u64,
    /// Dead letters: messages that were queued for an actor of this type and
    /// never handled, because it stopped for good first (see
    /// [`System::dead_letters`](crate::System::dead_letters)).
    pub dead_letters: u64,
    /// Messages waiting in the mailboxes of the live actors, summed.
    pub mailbox_depth: u64,
    /// The deepest mailbox among the live actors.
    pub max_mailbox_depth: u64,
}

impl ActorTypeMetrics {
    fn empty(name: &'static str) -> Self {
        ActorTypeMetrics {
            name,
            alive: 0,
            spawned: 0,
            handled: 0,
            panics: 0,
            restarts: 0,
            tell_errors: 0,
            dead_letters: 0,
            mailbox_depth: 0,
            max_mailbox_depth: 0,
        }
    }
}

/// A table, one line per actor type, numbers aligned (the header alone when
/// no actor was ever spawned).
impl fmt::Display for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const HEADER: [&str; 8] = [
            "actor type",
            "alive",
            "spawned",
            "handled",
            "panics",
            "restarts",
            "queued",
            "max queued",
        ];
        let rows: Vec<[String; 8]> = self
            .types
            .iter()
            .map(|t| {
                [
                    t.name.to_owned(),
                    t.alive.to_string(),
                    t.spawned.to_string(),
                    t.handled.to_string(),
                    t.panics.to_string(),
                    t.restarts.to_string(),
                    t.mailbox_depth.to_string(),
                    t.max_mailbox_depth.to_string(),
                ]
            })
            .collect();
        let mut widths = HEADER.map(str::len);
        for row in &rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.len());
            }
        }
        let header = HEADER.map(str::to_owned);
        for (i, row) in std::iter::once(&header).chain(&rows).enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            // The name to the left, the numbers to the right.
            write!(f, "{:<w$}", row[0], w = widths[0])?;
            for (cell, width) in row.iter().zip(widths).skip(1) {
                write!(f, "  {cell:>width$}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_metrics(name: &'static str, figures: [u64; 7]) -> ActorTypeMetrics {
        let [alive, spawned, handled, panics, restarts, depth, max_depth] = figures;
        ActorTypeMetrics {
            alive,
            spawned,
            handled,
            panics,
            restarts,
            mailbox_depth: depth,
            max_mailbox_depth: max_depth,
            ..ActorTypeMetrics::empty(name)
        }
    }

    #[test]
    fn metrics_display_as_a_table_with_one_aligned_line_per_actor_type() {
        let metrics = Metrics {
            types: vec![
                type_metrics("Counter", [1, 1, 7, 1, 1, 0, 0]),
                type_metrics("SessionRegistry", [250, 1200, 1234567, 0, 0, 31, 4]),
            ],
        };
        assert_eq!(
            metrics.to_string(),
            "\
actor type       alive  spawned  handled  panics  restarts  queued  max queued
Counter              1        1        7       1         1       0           0
SessionRegistry    250     1200  1234567       0         0      31           4"
        );
    }

    #[test]
    fn empty_metrics_display_as_the_header() {
        assert_eq!(
            Metrics::default().to_string(),
            "actor type  alive  spawned  handled  panics  restarts  queued  max queued"
        );
    }
}
