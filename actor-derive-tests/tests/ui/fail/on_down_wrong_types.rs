use actor_core::prelude::*;

#[actor]
struct Manager;

#[actor]
impl Manager {
    #[on_down]
    fn down(&mut self, id: u64, reason: StopReason) {
        let _ = (id, reason);
    }
}

fn main() {}
