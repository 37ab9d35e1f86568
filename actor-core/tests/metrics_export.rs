//! The `metrics` feature: what `metrics::Exporter` reports through the
//! `metrics` facade after real actor activity, read back with a debugging
//! recorder.
#![cfg(feature = "metrics")]

use std::time::Duration;

use actor_core::metrics::Exporter;
use actor_core::prelude::*;
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use tokio::sync::oneshot;

#[actor]
struct Worker {
    done: u64,
}

#[actor]
impl Worker {
    #[message]
    fn work(&mut self) -> u64 {
        self.done += 1;
        self.done
    }

    #[message]
    fn crash(&mut self) {
        panic!("crash on purpose");
    }

    /// Holds the actor until `release`; `entered` says it got here, so every
    /// message before this one has been handled and counted.
    #[message]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }
}

/// Holds `worker` (see `Worker::hold`); the returned sender releases it.
async fn hold(worker: &WorkerHandle) -> oneshot::Sender<()> {
    let (entered, entered_rx) = oneshot::channel();
    let (release, release_rx) = oneshot::channel();
    worker.hold(entered, release_rx).tell().await.unwrap();
    entered_rx.await.unwrap();
    release
}

fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.to_string().contains("on purpose") {
                default(info);
            }
        }));
    });
}

/// What the recorder holds, read once (the debugging recorder resets its
/// values as it reads them).
struct Recorded(Vec<(metrics_util::CompositeKey, Option<String>, DebugValue)>);

impl Recorded {
    fn read(snapshotter: &Snapshotter) -> Self {
        Recorded(
            snapshotter
                .snapshot()
                .into_vec()
                .into_iter()
                .map(|(key, _, help, value)| (key, help.map(|h| h.to_string()), value))
                .collect(),
        )
    }

    /// The value of the series `name` whose labels are exactly `labels`.
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        self.0.iter().find_map(|(key, _, value)| {
            let key = key.key();
            let found: Vec<(&str, &str)> = key.labels().map(|l| (l.key(), l.value())).collect();
            (key.name() == name && found == labels).then(|| match value {
                DebugValue::Counter(n) => *n as f64,
                DebugValue::Gauge(g) => g.into_inner(),
                DebugValue::Histogram(_) => f64::NAN,
            })
        })
    }

    /// Every series of the actor type `actor`, by name.
    fn of(&self, actor: &str, system: &str) -> Vec<(String, f64)> {
        let labels = [("actor", actor), ("system", system)];
        let mut series: Vec<(String, f64)> = self
            .0
            .iter()
            .map(|(key, _, _)| key.key().name().to_owned())
            .filter_map(|name| Some((name.clone(), self.value(&name, &labels)?)))
            .collect();
        series.sort_by(|a, b| a.0.cmp(&b.0));
        series.dedup();
        series
    }

    fn help(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _, _)| key.key().name() == name)
            .and_then(|(_, help, _)| help.as_deref())
    }
}

#[tokio::test]
async fn exported_metrics_are_each_actor_types_figures_after_real_activity() {
    quiet_panics();
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let system = System::new();
    let exporter = Exporter::new(&system).label("system", "one");

    // Three workers: one plain, one supervised, one stopped after one message.
    let plain = system.spawn(Worker { done: 0 });
    let tree = Supervisor::new(Strategy::OneForOne);
    let supervised = tree.child(|| Worker { done: 0 }).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);
    let gone = system.spawn(Worker { done: 0 });
    gone.work().await.unwrap();
    gone.stop();
    gone.wait_stopped().await;

    for _ in 0..5 {
        plain.work().await.unwrap();
    }
    supervised.work().await.unwrap();
    supervised.crash().await.unwrap_err(); // a panic, then a restart
    supervised.work().await.unwrap();
    // Both held: every message before is counted. Three more wait at `plain`.
    let release_plain = hold(&plain).await;
    let release_supervised = hold(&supervised).await;
    for _ in 0..3 {
        plain.work().try_tell().unwrap();
    }

    let snapshot = metrics::with_local_recorder(&recorder, || exporter.export());
    let recorded = Recorded::read(&snapshotter);
    assert_eq!(
        recorded.of("Worker", "one"),
        [
            ("actor_core_actors_alive".to_owned(), 2.0),
            ("actor_core_actors_spawned_total".to_owned(), 3.0),
            ("actor_core_dead_letters_total".to_owned(), 0.0),
            ("actor_core_mailbox_depth".to_owned(), 3.0),
            ("actor_core_mailbox_depth_max".to_owned(), 3.0),
            // 1 (gone) + 5 (plain) + 2 (supervised); not the crash, not the holds.
            ("actor_core_messages_handled_total".to_owned(), 8.0),
            ("actor_core_panics_total".to_owned(), 1.0),
            ("actor_core_restarts_total".to_owned(), 1.0),
            ("actor_core_tell_errors_total".to_owned(), 0.0),
        ]
    );
    assert_eq!(
        recorded.value(
            "actor_core_actors_alive",
            &[("actor", "Supervisor"), ("system", "one")]
        ),
        Some(1.0)
    );
    assert_eq!(
        recorded.help("actor_core_panics_total"),
        Some("Panics in handlers and hooks, per actor type.")
    );
    // The exporter returns the snapshot it recorded.
    assert_eq!(snapshot.actor_type("Worker").map(|t| t.handled), Some(8));

    // Later: the queue drained, an actor stopped. Gauges follow; counters
    // are totals, so exporting twice does not count twice.
    release_plain.send(()).unwrap();
    release_supervised.send(()).unwrap();
    assert_eq!(plain.work().await, Ok(9)); // 5 + 3 queued + this one
    plain.stop();
    plain.wait_stopped().await;
    let held = hold(&supervised).await; // its first hold is counted
    metrics::with_local_recorder(&recorder, || {
        exporter.export();
        exporter.export();
    });
    let recorded = Recorded::read(&snapshotter);
    let worker = |name| recorded.value(name, &[("actor", "Worker"), ("system", "one")]);
    assert_eq!(worker("actor_core_actors_alive"), Some(1.0));
    assert_eq!(worker("actor_core_actors_spawned_total"), Some(3.0));
    assert_eq!(worker("actor_core_mailbox_depth"), Some(0.0));
    // 8, the plain worker's 3 queued and 1 more, and the two finished holds.
    assert_eq!(worker("actor_core_messages_handled_total"), Some(14.0));
    assert_eq!(worker("actor_core_mailbox_depth_max"), Some(0.0));
    assert_eq!(worker("actor_core_panics_total"), Some(1.0));

    drop(held);
    system.shutdown().await;
}

#[tokio::test]
async fn exporters_of_two_systems_keep_their_series_apart_by_label() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let (a, b) = (System::new(), System::new());
    let worker_a = a.spawn(Worker { done: 0 });
    for _ in 0..2 {
        b.spawn(Worker { done: 0 });
    }
    worker_a.work().await.unwrap();
    metrics::with_local_recorder(&recorder, || {
        Exporter::new(&a).label("system", "a").export();
        Exporter::new(&b).label("system", "b").export();
    });
    let recorded = Recorded::read(&snapshotter);
    let alive = |system| {
        recorded.value(
            "actor_core_actors_alive",
            &[("actor", "Worker"), ("system", system)],
        )
    };
    assert_eq!((alive("a"), alive("b")), (Some(1.0), Some(2.0)));
    a.shutdown().await;
    b.shutdown().await;
}

/// The periodic export, under virtual time: one export at once, one per
/// period after, and a last one once the system shuts down.
#[tokio::test(start_paused = true)]
async fn a_spawned_exporter_exports_every_period_until_the_system_shuts_down() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    // This test's runtime has one thread: the export task records here too.
    let _local = metrics::set_default_local_recorder(&recorder);
    let system = System::new();
    let worker = system.spawn(Worker { done: 0 });
    // The recorder forgets a value as it is read (a counter reads 0 until
    // the next export sets its total again).
    let handled = || {
        Recorded::read(&snapshotter).value(
            "actor_core_messages_handled_total",
            &[("actor", "Worker"), ("system", "periodic")],
        )
    };
    // Lets the export task run until `handled` reads other than `before`.
    let next_export = |before: Option<f64>| async move {
        for _ in 0..100 {
            tokio::task::yield_now().await;
            let now = handled();
            if now != before {
                return now;
            }
        }
        before
    };

    let release = hold(&worker).await; // nothing handled yet
    let period = Duration::from_secs(10);
    let periodic = Exporter::new(&system)
        .label("system", "periodic")
        .spawn(period);
    assert_eq!(next_export(None).await, Some(0.0), "an export at once");

    release.send(()).unwrap();
    for _ in 0..4 {
        worker.work().await.unwrap();
    }
    let release = hold(&worker).await; // the first hold and four works counted
    tokio::time::advance(period / 2).await;
    assert_eq!(handled(), Some(0.0), "no export between periods");
    tokio::time::advance(period / 2).await;
    assert_eq!(
        next_export(Some(0.0)).await,
        Some(5.0),
        "an export after a period"
    );
    release.send(()).unwrap();

    system.shutdown().await;
    // The task ends at its next period (virtual time moves on by itself
    // while everything waits), after a last export.
    periodic.await.unwrap();
    assert_eq!(handled(), Some(6.0), "a last export after the shutdown");
}
