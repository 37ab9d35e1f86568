//! The `metrics` feature: a system's metrics reported through the `metrics`
//! facade crate.

use std::time::Duration;

use metrics::{Label, SharedString, Unit};
use tokio::task::JoinHandle;

use super::{ActorTypeMetrics, Metrics};
use crate::System;

/// Reports a [`System`]'s metrics through the [`metrics`](https://docs.rs/metrics)
/// facade, so that the exporter the program installed (Prometheus, StatsD,
/// OpenTelemetry, …) picks them up. Needs the `metrics` cargo feature.
///
/// Each export takes a [snapshot](System::metrics) and records it, one
/// series per actor type, labelled `actor="TypeName"`:
///
/// | metric | kind | what |
/// |---|---|---|
/// | `actor_core_actors_alive` | gauge | actors alive now (a supervised one waiting for its restart counts) |
/// | `actor_core_actors_spawned_total` | counter | actors ever spawned |
/// | `actor_core_messages_handled_total` | counter | messages handled (a handler that panicked does not count) |
/// | `actor_core_panics_total` | counter | panics in handlers and hooks |
/// | `actor_core_restarts_total` | counter | supervised restarts |
/// | `actor_core_mailbox_depth` | gauge | messages waiting in the mailboxes of the live actors, summed |
/// | `actor_core_mailbox_depth_max` | gauge | the deepest of those mailboxes |
///
/// How and when: the counters are set to their running totals
/// ([`Counter::absolute`](metrics::Counter::absolute)) and the gauges to
/// their present values at each export, from the counts the runtime keeps
/// anyway. Nothing is added to an actor's message path, and no facade call
/// is made per message; the price is that the figures are as fresh as the
/// last export. Export where the figures are read: in the handler that
/// answers a scrape (the `http_service` example serves `GET /metrics` this
/// way), or every period with [`Exporter::spawn`] for exporters that push.
///
/// Several systems in one process: give each a label of its own
/// ([`Exporter::label`]), or their totals, which have the same names, would
/// be taken for one.
///
/// ```
/// use std::time::Duration;
/// use actor_core::metrics::Exporter;
/// use actor_core::prelude::*;
///
/// #[actor]
/// struct Echo;
///
/// #[actor]
/// impl Echo {
///     #[message]
///     fn echo(&self, n: u32) -> u32 { n }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), actor_core::Error> {
/// // The program installs its exporter of choice as the facade's recorder, e.g.
/// // metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder()
/// let system = System::new();
/// let exporter = Exporter::new(&system).label("service", "echo");
///
/// let echo = system.spawn(Echo);
/// echo.echo(7).await?;
///
/// // Once, where a scrape is answered: records the snapshot and returns it.
/// let snapshot = exporter.export();
/// assert_eq!(snapshot.actor_type("Echo").map(|t| t.alive), Some(1));
///
/// // Or every 10 s, for exporters that push.
/// let periodic = exporter.spawn(Duration::from_secs(10));
/// system.shutdown().await;
/// periodic.abort(); // else it ends at its next period, after a last export
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Exporter {
    system: System,
    /// Labels added to every series, after `actor`.
    labels: Vec<Label>,
}

/// How one figure of an actor type is exported.
#[derive(Clone, Copy)]
struct Series {
    name: &'static str,
    kind: Kind,
    help: &'static str,
    value: fn(&ActorTypeMetrics) -> u64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A running total, exported with `Counter::absolute`.
    Counter,
    /// A value now, exported with `Gauge::set`.
    Gauge,
}

/// Every exported figure, one line each. New per-type counts (dead letters,
/// errors of told messages) join here once [`ActorTypeMetrics`] has them,
/// and in the table of [`Exporter`]'s docs.
const SERIES: &[Series] = &[
    Series {
        name: "actor_core_actors_alive",
        kind: Kind::Gauge,
        help: "Actors alive now, per actor type.",
        value: |t| t.alive,
    },
    Series {
        name: "actor_core_actors_spawned_total",
        kind: Kind::Counter,
        help: "Actors ever spawned, per actor type.",
        value: |t| t.spawned,
    },
    Series {
        name: "actor_core_messages_handled_total",
        kind: Kind::Counter,
        help: "Messages handled, per actor type.",
        value: |t| t.handled,
    },
    Series {
        name: "actor_core_panics_total",
        kind: Kind::Counter,
        help: "Panics in handlers and hooks, per actor type.",
        value: |t| t.panics,
    },
    Series {
        name: "actor_core_restarts_total",
        kind: Kind::Counter,
        help: "Supervised restarts, per actor type.",
        value: |t| t.restarts,
    },
    Series {
        name: "actor_core_mailbox_depth",
        kind: Kind::Gauge,
        help: "Messages waiting in the mailboxes of the live actors, summed per actor type.",
        value: |t| t.mailbox_depth,
    },
    Series {
        name: "actor_core_mailbox_depth_max",
        kind: Kind::Gauge,
        help: "The deepest mailbox among the live actors of the type.",
        value: |t| t.max_mailbox_depth,
    },
    Series {
        name: "actor_core_tell_errors_total",
        kind: Kind::Counter,
        help: "Told messages whose handler returned an error that was logged, per actor type.",
        value: |t| t.tell_errors,
    },
    Series {
        name: "actor_core_dead_letters_total",
        kind: Kind::Counter,
        help: "Messages queued and never handled because the actor stopped first, per actor type.",
        value: |t| t.dead_letters,
    },
];

impl Exporter {
    /// An exporter of `system`'s metrics.
    pub fn new(system: &System) -> Self {
        Exporter {
            system: system.clone(),
            labels: Vec::new(),
        }
    }

    /// Adds the label `key="value"` to every series this exporter records
    /// (for example `system="orders"` when a process runs several systems).
    pub fn label(mut self, key: impl Into<SharedString>, value: impl Into<SharedString>) -> Self {
        self.labels.push(Label::new(key, value));
        self
    }

    /// Takes a snapshot of the system's metrics, records it through the
    /// facade's recorder (the global one, or the thread's local one:
    /// [`metrics::with_local_recorder`]), and returns it.
    pub fn export(&self) -> Metrics {
        let snapshot = self.system.metrics();
        self.record(&snapshot);
        snapshot
    }

    /// Records `snapshot` (taken from this exporter's system) through the
    /// facade.
    pub fn record(&self, snapshot: &Metrics) {
        for series in SERIES {
            match series.kind {
                Kind::Counter => metrics::describe_counter!(series.name, Unit::Count, series.help),
                Kind::Gauge => metrics::describe_gauge!(series.name, Unit::Count, series.help),
            }
        }
        for t in &snapshot.types {
            let mut labels = Vec::with_capacity(1 + self.labels.len());
            labels.push(Label::new("actor", t.name));
            labels.extend(self.labels.iter().cloned());
            for series in SERIES {
                let value = (series.value)(t);
                match series.kind {
                    Kind::Counter => metrics::counter!(series.name, labels.iter()).absolute(value),
                    // Counts far below 2^53: exact as f64.
                    Kind::Gauge => metrics::gauge!(series.name, labels.iter()).set(value as f64),
                }
            }
        }
    }

    /// Exports now, then every `period` (missed periods are skipped, not
    /// made up), from a task on the system's IO runtime. The first export
    /// after [`System::shutdown`] has begun is the task's last (so it ends
    /// within a period of the shutdown); abort its handle to end it sooner.
    /// A zero `period` is taken as one millisecond.
    pub fn spawn(self, period: Duration) -> JoinHandle<()> {
        self.system.io().clone().spawn(async move {
            let mut ticks = tokio::time::interval(period.max(Duration::from_millis(1)));
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                ticks.tick().await;
                let shutting_down = self.system.is_shutting_down();
                self.export();
                if shutting_down {
                    break;
                }
            }
        })
    }
}
