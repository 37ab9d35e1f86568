// The user's own type named `Reply`, written by its bare name, in a handler
// that declares a response: taken for the runtime's delegated reply, and
// the type check says how to write it instead.
use actor_core::actor;

pub struct Reply<T> {
    pub text: T,
}

#[actor]
struct Room;

#[actor]
impl Room {
    #[message(response = String)]
    fn post(&mut self, reply: Reply<String>) {
        let _ = reply.text;
    }
}

fn main() {}
