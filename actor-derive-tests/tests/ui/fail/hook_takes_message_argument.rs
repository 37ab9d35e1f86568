use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[on_start]
    fn started(&mut self, initial: u64) {
        self.count = initial;
    }

    #[message]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
