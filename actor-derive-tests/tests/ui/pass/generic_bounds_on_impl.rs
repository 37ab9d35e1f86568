//! A generic actor whose bounds live on the impl block, not on the struct
//! (the form Rust's style guide recommends): the state is checked to be
//! `Send + 'static` under the impl's bounds.

use std::sync::Arc;

use actor_core::prelude::*;

#[actor]
struct Bag<T> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + 'static> Bag<T> {
    #[message]
    fn put(&mut self, item: T) -> usize {
        self.items.push(item);
        self.items.len()
    }

    #[message]
    fn take(&mut self) -> Option<T> {
        self.items.pop()
    }
}

/// `Arc<T>` is `Send` only for `T: Send + Sync`: the impl says so.
#[actor]
struct Shared<T> {
    value: Arc<T>,
}

#[actor]
impl<T> Shared<T>
where
    T: Send + Sync + 'static,
{
    #[message]
    fn get(&self) -> Arc<T> {
        self.value.clone()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let bag: BagHandle<String> = system.spawn(Bag { items: vec![] });
    assert_eq!(bag.put("a".into()).await, Ok(1));
    assert_eq!(bag.take().await, Ok(Some("a".to_owned())));
    let shared = system.spawn(Shared { value: Arc::new(7u8) });
    assert_eq!(*shared.get().await.unwrap(), 7);
    system.shutdown().await;
}
