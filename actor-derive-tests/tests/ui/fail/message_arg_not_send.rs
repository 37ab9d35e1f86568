use std::rc::Rc;

use actor_core::prelude::*;

#[actor]
struct Store {
    items: Vec<String>,
}

#[actor]
impl Store {
    #[message]
    fn push(&mut self, item: Rc<String>) {
        self.items.push(item.to_string());
    }
}

fn main() {}
