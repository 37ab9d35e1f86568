use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message(response = u32)]
    fn get(&self) -> u64 {
        self.count
    }
}

fn main() {}
