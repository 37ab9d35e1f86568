use actor_core::prelude::*;

#[actor]
struct Store {
    items: Vec<String>,
}

#[actor]
impl Store {
    #[message]
    fn first(&self) -> &String {
        &self.items[0]
    }
}

fn main() {}
