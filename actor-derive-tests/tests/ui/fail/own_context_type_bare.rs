// The user's own type named `Context`, borrowed by its bare name, is taken
// for the runtime's context: the type error points at it.
use actor_core::actor;

pub struct Context<T>(T);

#[actor]
struct Room;

#[actor]
impl Room {
    #[message]
    fn post(&mut self, ctx: &mut Context<Self>) -> usize {
        let _ = ctx;
        1
    }
}

fn main() {}
