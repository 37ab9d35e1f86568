use std::cell::RefCell;
use std::sync::Arc;

use actor_core::prelude::*;

#[actor]
struct Cache {
    shared: Arc<RefCell<Vec<u8>>>,
}

#[actor]
impl Cache {
    #[message]
    fn push(&mut self, byte: u8) {
        self.shared.borrow_mut().push(byte);
    }
}

fn main() {}
