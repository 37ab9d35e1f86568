//! Metrics per actor type.

mod common;

use actor_core::prelude::*;
use common::{Probe, hold, quiet_panics};
use tokio::sync::oneshot;

#[tokio::test]
async fn metrics_count_alive_handled_panics_restarts_and_mailbox_depth_per_type() {
    quiet_panics();
    let system = System::new();
    let plain = system.spawn(Probe::new(1));
    let tree = Supervisor::new(Strategy::OneForOne);
    let supervised = tree.child(|| Probe::new(1)).spawn().unwrap();
    let _tree = system.spawn_supervisor(tree);

    for seq in 0..5 {
        plain.add(0, seq).await.unwrap();
    }
    supervised.boom().await.unwrap_err(); // panics, restarted
    supervised.count().await.unwrap();
    let release = hold(&plain).await;
    for seq in 5..8 {
        plain.add(0, seq).try_tell().unwrap();
    }

    let m = system.metrics();
    let probes = m.actor_type("Probe").expect("Probe metrics");
    assert_eq!(probes.alive, 2);
    assert_eq!(probes.spawned, 2);
    assert_eq!(probes.panics, 1);
    assert_eq!(probes.restarts, 1);
    // 5 adds + 1 count; the hold in progress and the panicked boom do not count.
    assert_eq!(probes.handled, 6);
    assert_eq!(probes.mailbox_depth, 3);
    assert_eq!(probes.max_mailbox_depth, 3);
    assert_eq!(m.actor_type("Supervisor").map(|s| s.alive), Some(1));

    release.send(()).unwrap();
    assert_eq!(plain.count().await, Ok(8));
    plain.stop();
    plain.wait_stopped().await;
    let m = system.metrics();
    let probes = m.actor_type("Probe").unwrap();
    assert_eq!(probes.alive, 1);
    // A stopped actor's messages still count.
    assert_eq!(probes.handled, 6 + 1 + 3 + 1);
    assert_eq!(m.panics(), 1);
}

#[tokio::test]
async fn unbounded_mailbox_depth_is_exact() {
    #[actor(mailbox = unbounded)]
    struct Gate;
    #[actor]
    impl Gate {
        #[message]
        async fn hold(&self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
            let _ = entered.send(());
            let _ = release.await;
        }
        #[message]
        fn ping(&self) {}
    }
    let system = System::new();
    let gate = system.spawn(Gate);
    let (entered1, entered1_rx) = oneshot::channel();
    let (release1, release1_rx) = oneshot::channel();
    gate.hold(entered1, release1_rx).tell().await.unwrap();
    entered1_rx.await.unwrap();
    // Queued: a second hold, then three pings.
    let (entered2, entered2_rx) = oneshot::channel();
    let (release2, release2_rx) = oneshot::channel();
    gate.hold(entered2, release2_rx).tell().await.unwrap();
    for _ in 0..3 {
        gate.ping().tell().await.unwrap();
    }
    assert_eq!(
        gate.mailbox_len(),
        4,
        "the second hold and three pings wait"
    );
    release1.send(()).unwrap();
    entered2_rx.await.unwrap();
    // The second hold (async) was taken, three pings wait behind it.
    assert_eq!(gate.mailbox_len(), 3);
    assert_eq!(
        system.metrics().actor_type("Gate").unwrap().mailbox_depth,
        3
    );
    release2.send(()).unwrap();
    let (entered3, entered3_rx) = oneshot::channel();
    let (release3, release3_rx) = oneshot::channel();
    gate.hold(entered3, release3_rx).tell().await.unwrap();
    entered3_rx.await.unwrap();
    assert_eq!(gate.mailbox_len(), 0, "the pings were handled");
    release3.send(()).unwrap();
    gate.ping().await.unwrap();
}
