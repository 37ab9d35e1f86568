use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message]
    fn take(self) -> u64 {
        self.count
    }
}

fn main() {}
