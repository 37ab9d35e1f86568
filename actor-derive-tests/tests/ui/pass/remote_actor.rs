// A remote actor: `StoreRemote` has the message methods that travel, each a
// `RemoteRequest` of the response; `#[message(local)]` ones are left out.
use actor_core::prelude::*;
use actor_core::remote::{RemoteActor, RemoteHandle, RemoteRequest};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    #[serde(default)]
    pub size: Option<u64>,
}

#[actor]
pub struct Store {
    items: Vec<Item>,
}

#[actor(remote = "test.Store")]
impl Store {
    /// Adds an item.
    #[message]
    pub fn put(&mut self, item: Item) -> usize {
        self.items.push(item);
        self.items.len()
    }

    #[message]
    pub async fn count(&self) -> usize {
        self.items.len()
    }

    #[message(response = Option<String>)]
    pub fn first(&self, reply: Reply<Option<String>>) {
        reply.send(self.items.first().map(|i| i.name.clone()));
    }

    #[message(local)]
    pub fn drain_to(&mut self, to: std::sync::mpsc::Sender<Item>) {
        for item in self.items.drain(..) {
            let _ = to.send(item);
        }
    }
}

fn requests(store: &StoreRemote) {
    let _: RemoteRequest<usize> = store.put(Item { name: "a".into(), size: None });
    let _: RemoteRequest<usize> = store.count();
    let _: RemoteRequest<Option<String>> = store.first();
}

fn main() {
    assert_eq!(<StoreRemote as RemoteHandle>::WIRE_NAME, "test.Store");
    fn remote_of<A: RemoteActor>() {}
    remote_of::<Store>();
    let _ = requests;
}
