// A remote actor's message arguments and responses travel between nodes:
// they must be `Serialize + DeserializeOwned`. Reported at the type.
use actor_core::prelude::*;

struct Blob(Vec<u8>);

#[actor]
struct Store;

#[actor(remote = "test.Store")]
impl Store {
    #[message]
    fn put(&mut self, blob: Blob) -> usize {
        blob.0.len()
    }

    #[message]
    fn get(&self) -> Blob {
        Blob(Vec::new())
    }

    // Kept off the wire: any `Send` type will do.
    #[message(local)]
    fn put_local(&mut self, blob: Blob) -> usize {
        blob.0.len()
    }
}

fn main() {}
