use std::rc::Rc;

use actor_core::prelude::*;

#[actor]
struct Store {
    items: Vec<String>,
}

#[actor]
impl Store {
    #[message]
    fn first(&self) -> Rc<String> {
        Rc::new(self.items[0].clone())
    }
}

fn main() {}
