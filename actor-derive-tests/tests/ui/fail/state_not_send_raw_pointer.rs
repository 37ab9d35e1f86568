use actor_core::prelude::*;

#[actor]
struct Buffer {
    start: *mut u8,
    len: usize,
}

#[actor]
impl Buffer {
    #[message]
    fn len(&self) -> usize {
        self.len
    }
}

fn main() {}
