use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

impl Counter {
    #[message]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
