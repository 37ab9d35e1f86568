use actor_core::prelude::*;

// `T` is not bounded by `Send`: `Stack<Rc<u8>>` could not be an actor.
#[actor]
struct Stack<T> {
    items: Vec<T>,
}

#[actor]
impl<T> Stack<T> {
    #[message]
    fn len(&self) -> usize {
        self.items.len()
    }
}

fn main() {}
