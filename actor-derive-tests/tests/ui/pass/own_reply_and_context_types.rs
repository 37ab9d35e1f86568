//! The runtime's `Reply` and `Context` are recognised by the path they are
//! written with: `Reply<T>` / `Context<Self>` alone (the prelude's names), or
//! a path through `actor_core`. A type of the same name under another path
//! is an ordinary message argument; `#[reply]` and `#[ctx]` mark ours under a
//! renamed import.

use actor_core::prelude::*;

mod chat {
    /// The user's own reply type: a chat message answering another.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Reply<T = String> {
        pub to: u64,
        pub text: T,
    }

    /// The user's own context type.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Context {
        pub room: String,
    }
}

mod renamed {
    pub use actor_core::{Context as Ctx, Reply as Answer};
}

#[actor]
struct Room {
    posts: Vec<String>,
}

#[actor]
impl Room {
    /// `chat::Reply` (its default parameter) and `chat::Reply<String>`: message arguments.
    #[message]
    fn post(&mut self, reply: chat::Reply, quoted: chat::Reply<String>) -> usize {
        self.posts.push(format!("{}>{}: {}", quoted.to, reply.to, reply.text));
        self.posts.len()
    }

    /// The user's `Context`, owned: a message argument.
    #[message]
    fn enter(&mut self, context: chat::Context) -> String {
        context.room
    }

    /// Ours, through full paths.
    #[message(response = usize)]
    fn count(
        &self,
        ctx: &mut actor_core::Context<Self>,
        reply: actor_core::reply::Reply<usize>,
    ) {
        let _ = ctx.id();
        reply.send(self.posts.len());
    }

    /// Ours, under renamed imports: marked.
    #[message(response = String)]
    fn last(&self, #[ctx] cx: &mut renamed::Ctx<Self>, #[reply] answer: renamed::Answer<String>) {
        let _ = cx.id();
        answer.send(self.posts.last().cloned().unwrap_or_default());
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let room = system.spawn(Room { posts: vec![] });
    let hello = chat::Reply { to: 2, text: "hello".to_owned() };
    let quoted = chat::Reply { to: 1, text: "hi".to_owned() };
    assert_eq!(room.post(hello, quoted).await, Ok(1));
    let lobby = chat::Context { room: "lobby".into() };
    assert_eq!(room.enter(lobby).await, Ok("lobby".to_owned()));
    assert_eq!(room.count().await, Ok(1));
    assert_eq!(room.last().await, Ok("1>2: hello".to_owned()));
    system.shutdown().await;
}
