use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message]
    fn get(&self, reply: Reply<u64>) {
        reply.send(self.count);
    }
}

fn main() {}
