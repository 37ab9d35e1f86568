use actor_core::prelude::*;

#[actor]
struct Manager;

#[actor]
impl Manager {
    #[on_down]
    fn down(&mut self, id: ActorId, reason: StopReason) {
        let _ = (id, reason);
    }

    #[on_down]
    fn down_again(&mut self, id: ActorId, reason: StopReason) {
        let _ = (id, reason);
    }
}

fn main() {}
