// `#[message(local)]` means something only for a remote actor.
use actor_core::prelude::*;

#[actor]
struct Store;

#[actor]
impl Store {
    #[message(local)]
    fn get(&self) -> u8 {
        1
    }
}

fn main() {}
