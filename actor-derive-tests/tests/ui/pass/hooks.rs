//! `#[on_start]`, `#[on_stop]` (with the reason, with or without ctx, sync or
//! async) and `#[on_restart]`.

use std::sync::{Arc, Mutex};

use actor_core::prelude::*;

type Log = Arc<Mutex<Vec<String>>>;

#[actor]
struct Plain {
    log: Log,
}

#[actor]
impl Plain {
    #[on_start]
    fn started(&mut self) {
        self.log.lock().unwrap().push("start".into());
    }

    #[message]
    fn ping(&self) {
        self.log.lock().unwrap().push("ping".into());
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.log.lock().unwrap().push(format!("stop: {reason}"));
    }
}

#[actor]
struct WithCtx {
    log: Log,
}

#[actor]
impl WithCtx {
    #[on_start]
    async fn started(&mut self, ctx: &mut Context<Self>) {
        tokio::task::yield_now().await;
        self.log.lock().unwrap().push(format!("start {}", ctx.id()));
    }

    #[on_restart]
    async fn restarted(&mut self, ctx: &mut Context<Self>) {
        self.log.lock().unwrap().push(format!("restart {}", ctx.id()));
    }

    #[on_stop]
    async fn stopped(&mut self, ctx: &mut Context<Self>, reason: &StopReason) {
        tokio::task::yield_now().await;
        self.log
            .lock()
            .unwrap()
            .push(format!("stop {}: {reason:?}", ctx.id()));
    }
}

#[actor]
struct ReasonFirst {
    log: Log,
}

#[actor]
impl ReasonFirst {
    #[on_stop]
    fn stopped(&mut self, reason: &StopReason, _ctx: &mut Context<Self>) {
        self.log.lock().unwrap().push(format!("stop: {reason}"));
    }
}

#[tokio::main]
async fn main() {
    let system = System::new();

    let log = Log::default();
    let plain = system.spawn(Plain { log: log.clone() });
    plain.ping().await.unwrap();
    plain.stop();
    assert_eq!(plain.wait_stopped().await, StopReason::Normal);
    assert_eq!(*log.lock().unwrap(), ["start", "ping", "stop: stopped normally"]);

    let log = Log::default();
    let with_ctx = system.spawn(WithCtx { log: log.clone() });
    let id = with_ctx.id();
    with_ctx.stop();
    with_ctx.wait_stopped().await;
    assert_eq!(*log.lock().unwrap(), [format!("start {id}"), format!("stop {id}: Normal")]);

    let log = Log::default();
    let reason_first = system.spawn(ReasonFirst { log: log.clone() });
    system.shutdown().await;
    assert_eq!(reason_first.stop_reason(), Some(StopReason::Shutdown));
    assert_eq!(*log.lock().unwrap(), ["stop: shut down"]);
}
