use actor_core::prelude::*;

#[actor]
struct Manager;

#[actor]
impl Manager {
    #[on_down]
    fn down(&mut self, id: ActorId) {
        let _ = id;
    }

    #[on_link_died]
    fn died(&mut self, id: ActorId, reason: &StopReason) {
        let _ = (id, reason);
    }
}

fn main() {}
