// Every mistake of an actor is reported in one build, not only the first:
// attribute keys, signatures, and the `Send` rules that need types.
use std::rc::Rc;

use actor_core::prelude::*;

#[actor(mailbox = 0)]
struct Store {
    items: Vec<String>,
    cache: Rc<String>,
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

    #[message]
    fn share(&self) -> Rc<String> {
        self.cache.clone()
    }
}

fn main() {}
