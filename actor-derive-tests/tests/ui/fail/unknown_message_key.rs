use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message(reply = u64)]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
