//! The event bus: every subscriber gets every event in order, one bus per
//! event type, and a subscriber that falls behind learns how many it missed.

use actor_core::events::{RecvError, TryRecvError};
use actor_core::prelude::*;
use tokio::sync::oneshot;

#[derive(Debug, Clone, PartialEq)]
struct Deployed(u32);

#[derive(Debug, Clone, PartialEq)]
struct Alert(&'static str);

#[tokio::test]
async fn every_subscriber_receives_every_event_in_publishing_order() {
    let system = System::new();
    let mut subs: Vec<_> = (0..3)
        .map(|_| system.events::<Deployed>().subscribe())
        .collect();
    let bus = system.events::<Deployed>();
    for n in 0..100 {
        assert_eq!(bus.publish(Deployed(n)), 3);
    }
    for sub in &mut subs {
        for n in 0..100 {
            assert_eq!(sub.recv().await, Ok(Deployed(n)));
        }
        assert_eq!(sub.try_recv(), Err(TryRecvError::Empty));
    }
}

#[tokio::test]
async fn a_subscriber_that_falls_behind_learns_how_many_events_it_missed() {
    let system = System::builder().event_capacity(4).build();
    let bus = system.events::<u32>();
    let mut slow = bus.subscribe();
    let mut fast = bus.subscribe();
    for n in 0..10 {
        bus.publish(n);
        assert_eq!(
            fast.recv().await,
            Ok(n),
            "a subscriber that keeps up misses nothing"
        );
    }
    assert_eq!(slow.len(), 10);
    assert_eq!(slow.recv().await, Err(RecvError::Lagged(6)));
    for n in 6..10 {
        assert_eq!(slow.recv().await, Ok(n));
    }
    assert!(slow.is_empty());
}

#[tokio::test]
async fn missed_plus_received_is_everything_published() {
    let system = System::builder().event_capacity(8).build();
    let bus = system.events::<u64>();
    let mut sub = bus.subscribe();
    let (mut received, mut missed) = (Vec::new(), 0);
    for round in 0..50u64 {
        // Bursts bigger than the capacity, then a partial read.
        for i in 0..13 {
            bus.publish(round * 100 + i);
        }
        for _ in 0..5 {
            match sub.try_recv() {
                Ok(n) => received.push(n),
                Err(TryRecvError::Lagged(n)) => missed += n,
                Err(e) => panic!("unexpected {e:?}"),
            }
        }
    }
    loop {
        match sub.try_recv() {
            Ok(n) => received.push(n),
            Err(TryRecvError::Lagged(n)) => missed += n,
            Err(TryRecvError::Empty) => break,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert!(missed > 0);
    assert_eq!(received.len() as u64 + missed, 50 * 13);
    assert!(received.is_sorted(), "order kept across lags");
}

#[tokio::test]
async fn each_event_type_has_its_own_bus_shared_by_every_caller() {
    let system = System::new();
    let mut deploys = system.events::<Deployed>().subscribe();
    let mut alerts = system.events::<Alert>().subscribe();
    assert_eq!(system.events::<Alert>().publish(Alert("disk")), 1);
    assert_eq!(system.events::<Deployed>().publish(Deployed(1)), 1);
    assert_eq!(alerts.recv().await, Ok(Alert("disk")));
    assert_eq!(alerts.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(deploys.recv().await, Ok(Deployed(1)));
    assert_eq!(deploys.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(system.events::<Deployed>().subscriber_count(), 1);
}

#[tokio::test]
async fn systems_do_not_share_buses() {
    let (one, two) = (System::new(), System::new());
    let mut sub = one.events::<Deployed>().subscribe();
    assert_eq!(two.events::<Deployed>().publish(Deployed(2)), 0);
    assert_eq!(sub.try_recv(), Err(TryRecvError::Empty));
}

#[tokio::test]
async fn a_subscriber_sees_only_events_published_after_it_subscribed() {
    let system = System::new();
    let bus = system.events::<u8>();
    assert_eq!(bus.publish(1), 0, "nobody listening");
    let mut sub = bus.subscribe();
    bus.publish(2);
    assert_eq!(sub.recv().await, Ok(2));
}

#[tokio::test]
async fn a_subscriber_drains_what_is_left_then_sees_closed_once_the_system_is_gone() {
    let system = System::new();
    let mut sub = system.events::<u8>().subscribe();
    system.events::<u8>().publish(9);
    drop(system);
    assert_eq!(sub.recv().await, Ok(9));
    assert_eq!(sub.recv().await, Err(RecvError::Closed));
}

/// Turns the alerts it is subscribed to into messages; reports on `done`
/// once it has handled `want` of them.
#[actor]
struct Pager {
    paged: Vec<&'static str>,
    want: usize,
    done: Option<oneshot::Sender<Vec<&'static str>>>,
}

#[actor]
impl Pager {
    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        let mut alerts = ctx.system().events::<Alert>().subscribe();
        let me = ctx.handle();
        tokio::spawn(async move {
            while let Ok(Alert(what)) = alerts.recv().await {
                if me.page(what).tell().await.is_err() {
                    break;
                }
            }
        });
    }

    #[message]
    fn page(&mut self, what: &'static str) {
        self.paged.push(what);
        if self.paged.len() == self.want
            && let Some(done) = self.done.take()
        {
            let _ = done.send(self.paged.clone());
        }
    }

    #[message]
    fn ready(&self) {}
}

#[tokio::test]
async fn an_actor_can_subscribe_in_on_start_and_handle_events_as_messages() {
    let system = System::new();
    let (done, paged) = oneshot::channel();
    let pager = system.spawn(Pager {
        paged: vec![],
        want: 3,
        done: Some(done),
    });
    // on_start has run once the actor answers: its subscription exists.
    pager.ready().await.unwrap();
    let bus = system.events::<Alert>();
    assert_eq!(bus.subscriber_count(), 1);
    for what in ["disk full", "cpu hot", "done"] {
        assert_eq!(bus.publish(Alert(what)), 1);
    }
    assert_eq!(paged.await.unwrap(), ["disk full", "cpu hot", "done"]);
}
