// The rule is reported first, at the argument. Code that uses the actor then
// fails where it uses it (the spawn, the call), not inside the generated code.
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

#[tokio::main]
async fn main() {
    let system = System::new();
    let store = system.spawn(Store { items: vec![] });
    store.push(Rc::new("a".into())).tell().await.unwrap();
}
