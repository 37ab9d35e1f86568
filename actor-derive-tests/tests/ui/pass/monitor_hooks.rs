//! `#[on_down]` and `#[on_link_died]`: sync or async, with or without ctx,
//! any argument names; an actor with only notice hooks and no messages.

use actor_core::prelude::*;

#[actor]
#[derive(Default)]
struct Manager {
    downs: u32,
}

#[actor]
impl Manager {
    #[message]
    fn watch(&mut self, ctx: &mut Context<Self>, worker: WorkerHandle) {
        ctx.watch(&worker);
        ctx.link(&worker);
    }

    #[message]
    fn downs(&self) -> u32 {
        self.downs
    }

    #[on_down]
    fn worker_down(&mut self, who: ActorId, why: StopReason) {
        let _ = (who, why);
        self.downs += 1;
    }

    #[on_link_died]
    async fn worker_died(&mut self, ctx: &mut Context<Self>, id: ActorId, reason: StopReason) {
        let _ = (ctx.id(), id, reason);
        tokio::task::yield_now().await;
    }
}

#[actor]
struct Worker;

#[actor]
impl Worker {
    #[message]
    fn quit(&mut self, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

#[actor]
struct OnlyHooks;

#[actor]
impl OnlyHooks {
    #[on_down]
    async fn down(&mut self, _id: ActorId, _reason: StopReason) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let manager = system.spawn(Manager::default());
    let worker = system.spawn(Worker);
    let _only = system.spawn(OnlyHooks);
    manager.watch(worker.clone()).await.unwrap();
    worker.quit().await.unwrap();
    worker.wait_stopped().await;
    assert_eq!(manager.downs().await, Ok(1));
    system.shutdown().await;
}
