//! `ctx: &mut Context<Self>` may come first, in the middle or last, in
//! handlers (sync and async, with a delegated reply) and hooks.

use actor_core::prelude::*;

#[actor]
struct Echo {
    started_by: Option<ActorId>,
}

#[actor]
impl Echo {
    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        self.started_by = Some(ctx.id());
    }

    #[message]
    fn first(&self, ctx: &mut Context<Self>, a: u32, b: u32) -> (ActorId, u32) {
        (ctx.id(), a + b)
    }

    #[message]
    fn middle(&self, a: u32, ctx: &mut Context<Self>, b: u32) -> (ActorId, u32) {
        (ctx.id(), a * b)
    }

    #[message]
    async fn last(&self, a: u32, b: u32, ctx: &mut Context<Self>) -> (ActorId, u32) {
        tokio::task::yield_now().await;
        (ctx.id(), a - b)
    }

    #[message(response = (ActorId, u32))]
    fn delegated(&self, reply: Reply<(ActorId, u32)>, ctx: &mut Context<Self>, a: u32) {
        reply.send((ctx.id(), a));
    }

    #[message]
    fn started_by(&self) -> Option<ActorId> {
        self.started_by
    }
}

#[tokio::main]
async fn main() {
    let system = System::new();
    let echo = system.spawn(Echo { started_by: None });
    let id = echo.id();
    assert_eq!(echo.first(2, 3).await.unwrap(), (id, 5));
    assert_eq!(echo.middle(2, 3).await.unwrap(), (id, 6));
    assert_eq!(echo.last(3, 2).await.unwrap(), (id, 1));
    assert_eq!(echo.delegated(7).await.unwrap(), (id, 7));
    assert_eq!(echo.started_by().await.unwrap(), Some(id));
    system.shutdown().await;
}
