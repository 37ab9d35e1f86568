//! Timers, under a paused clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use actor_core::prelude::*;

#[actor]
struct Clock {
    ticks: Arc<AtomicU32>,
    alarms: Arc<AtomicU32>,
    period: Option<Duration>,
    alarm_after: Option<Duration>,
}

#[actor]
impl Clock {
    #[message]
    fn tick(&mut self) {
        self.ticks.fetch_add(1, Ordering::SeqCst);
    }

    #[message]
    fn alarm(&mut self) {
        self.alarms.fetch_add(1, Ordering::SeqCst);
    }

    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some(period) = self.period {
            ctx.send_interval(period, |me| me.tick());
        }
        if let Some(after) = self.alarm_after {
            ctx.send_after(after, |me| me.alarm());
        }
    }
}

fn clock(
    period: Option<Duration>,
    alarm_after: Option<Duration>,
) -> (Clock, Arc<AtomicU32>, Arc<AtomicU32>) {
    let ticks = Arc::new(AtomicU32::new(0));
    let alarms = Arc::new(AtomicU32::new(0));
    (
        Clock {
            ticks: ticks.clone(),
            alarms: alarms.clone(),
            period,
            alarm_after,
        },
        ticks,
        alarms,
    )
}

/// Lets the actor handle everything that is due.
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn send_after_fires_once_after_its_delay() {
    let system = System::new();
    let (c, _, alarms) = clock(None, Some(Duration::from_secs(10)));
    let _h = system.spawn(c);
    settle().await; // on_start has set the timer
    tokio::time::advance(Duration::from_millis(9_999)).await;
    settle().await;
    assert_eq!(alarms.load(Ordering::SeqCst), 0);
    tokio::time::advance(Duration::from_millis(1)).await;
    settle().await;
    assert_eq!(alarms.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(100)).await;
    settle().await;
    assert_eq!(alarms.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn send_interval_fires_every_period() {
    let system = System::new();
    let (c, ticks, _) = clock(Some(Duration::from_secs(1)), None);
    let _h = system.spawn(c);
    settle().await;
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        0,
        "the first tick comes after one period"
    );
    for expected in 1..=5 {
        tokio::time::advance(Duration::from_secs(1)).await;
        settle().await;
        assert_eq!(ticks.load(Ordering::SeqCst), expected);
    }
}

#[tokio::test(start_paused = true)]
async fn timers_stop_with_their_actor() {
    let system = System::new();
    let (c, ticks, alarms) = clock(Some(Duration::from_secs(1)), Some(Duration::from_secs(5)));
    let h = system.spawn(c);
    settle().await; // on_start has set the timers
    for _ in 0..2 {
        tokio::time::advance(Duration::from_secs(1)).await;
        settle().await;
    }
    assert_eq!(ticks.load(Ordering::SeqCst), 2);
    h.stop();
    h.wait_stopped().await;
    tokio::time::advance(Duration::from_secs(60)).await;
    settle().await;
    assert_eq!(ticks.load(Ordering::SeqCst), 2);
    assert_eq!(alarms.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_timer_never_fires() {
    #[actor]
    struct Once {
        fired: Arc<AtomicU32>,
    }
    #[actor]
    impl Once {
        #[message]
        fn fire(&mut self) {
            self.fired.fetch_add(1, Ordering::SeqCst);
        }
        #[on_start]
        fn started(&mut self, ctx: &mut Context<Self>) {
            let timer = ctx.send_after(Duration::from_secs(1), |me| me.fire());
            timer.cancel();
        }
    }
    let fired = Arc::new(AtomicU32::new(0));
    let system = System::new();
    let _h = system.spawn(Once {
        fired: fired.clone(),
    });
    settle().await;
    tokio::time::advance(Duration::from_secs(10)).await;
    settle().await;
    assert_eq!(fired.load(Ordering::SeqCst), 0);
}
