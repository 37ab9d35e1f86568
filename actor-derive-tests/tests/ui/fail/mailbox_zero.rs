use actor_core::prelude::*;

#[actor(mailbox = 0)]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
