use actor_core::prelude::*;

#[actor(mailbox = 16, mailbox = unbounded)]
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
