use actor_core::prelude::*;

#[actor]
struct Room;

#[actor]
impl Room {
    #[message]
    fn post(&mut self, #[ctx] cx: u32) -> u32 {
        cx
    }
}

fn main() {}
