use std::rc::Rc;

use actor_core::prelude::*;

#[actor]
struct Cache {
    shared: Rc<String>,
}

#[actor]
impl Cache {
    #[message]
    fn get(&self) -> String {
        self.shared.to_string()
    }
}

fn main() {}
