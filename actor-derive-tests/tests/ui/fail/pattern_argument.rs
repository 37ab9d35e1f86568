use actor_core::prelude::*;

#[actor]
struct Adder;

#[actor]
impl Adder {
    #[message]
    fn add(&self, (a, b): (u8, u8)) -> u8 {
        a + b
    }
}

fn main() {}
