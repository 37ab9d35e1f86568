use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message]
    fn zero() -> u64 {
        0
    }
}

fn main() {}
