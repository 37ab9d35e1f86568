// A closure argument is an owned value, but it must be `Send`: the type
// system says so, with the rule.
use actor_core::prelude::*;

#[actor]
struct Numbers {
    items: Vec<u32>,
}

#[actor]
impl Numbers {
    #[message]
    fn run(&mut self, job: Box<dyn FnOnce(&mut Vec<u32>) -> usize>) -> usize {
        job(&mut self.items)
    }
}

fn main() {}
