// The user's own type named `Reply`, written by its bare name, is taken for
// the runtime's delegated reply: the error says how to write it instead.
use actor_core::prelude::*;

mod chat {
    pub struct Reply<T> {
        pub text: T,
    }
}
use chat::Reply;

#[actor]
struct Room;

#[actor]
impl Room {
    #[message]
    fn post(&mut self, reply: Reply<String>) -> usize {
        reply.text.len()
    }
}

fn main() {}
