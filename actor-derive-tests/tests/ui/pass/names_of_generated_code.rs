//! Names the generated code also uses are the user's to take: arguments
//! named `__reply`, `__ctx`, `reply`, `ctx`, `msg`; messages named like the
//! `Actor` trait's methods. The generated code calls the user's method and
//! its own locals never meet the user's names.

use actor_core::prelude::*;

#[actor]
struct Names {
    log: Vec<String>,
}

#[actor]
impl Names {
    #[message]
    fn handle(&mut self, msg: String, __reply: u32, __ctx: u32) -> String {
        self.log.push("handle".into());
        format!("{msg} {__reply} {__ctx}")
    }

    #[message]
    fn handle_sync(&mut self, reply: u8, reply_: u8, ctx: u8) -> u32 {
        self.log.push("handle_sync".into());
        u32::from(reply) + u32::from(reply_) + u32::from(ctx)
    }

    /// A message, not the hook.
    #[message]
    async fn on_start(&mut self, response: u8) -> u8 {
        self.log.push("on_start".into());
        response
    }

    #[message]
    fn on_stop(&mut self, reason: String) -> String {
        self.log.push("on_stop".into());
        reason
    }

    #[message]
    fn on_restart(&self, never: bool) -> bool {
        !never
    }

    #[message]
    fn message_name(&self, slot: u8) -> u8 {
        slot
    }

    #[message(response = u64)]
    fn delegated(&self, ctx: u64, reply: Reply<u64>, msg: &mut Context<Self>) {
        let _ = msg.id();
        reply.send(ctx * 2);
    }

    #[message]
    fn log(&self) -> Vec<String> {
        self.log.clone()
    }

    /// The hook, under another name.
    #[on_start]
    fn started(&mut self) {
        self.log.push("hook".into());
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let names = system.spawn(Names { log: vec![] });
    assert_eq!(names.handle("m".into(), 1, 2).await, Ok("m 1 2".to_owned()));
    assert_eq!(names.handle_sync(1, 2, 3).await, Ok(6));
    assert_eq!(names.on_start(7).await, Ok(7));
    assert_eq!(names.on_stop("why".into()).await, Ok("why".to_owned()));
    assert_eq!(names.on_restart(false).await, Ok(true));
    assert_eq!(names.message_name(9).await, Ok(9));
    assert_eq!(names.delegated(21).await, Ok(42));
    assert_eq!(
        names.log().await.unwrap(),
        ["hook", "handle", "handle_sync", "on_start", "on_stop"]
    );
    system.shutdown().await;
}
