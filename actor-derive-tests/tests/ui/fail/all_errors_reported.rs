use actor_core::prelude::*;

#[actor]
struct Store {
    items: Vec<String>,
}

#[actor(capacity = 8)]
impl Store {
    #[message(reply = ())]
    fn push(&mut self, item: &str) {
        self.items.push(item.to_owned());
    }

    #[message]
    fn take(self) -> Vec<String> {
        self.items
    }

    #[message]
    fn len(&self, (a, b): (u8, u8)) -> usize {
        self.items.len() + usize::from(a + b)
    }
}

fn main() {}
