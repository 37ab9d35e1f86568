use actor_core::prelude::*;

#[actor]
struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message(response = u64)]
    fn get(&self, reply: Reply<u32>) {
        reply.send(self.count as u32);
    }
}

fn main() {}
