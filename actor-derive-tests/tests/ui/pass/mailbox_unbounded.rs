//! `#[actor(mailbox = unbounded)]`: senders never wait.

use actor_core::prelude::*;

#[actor(mailbox = unbounded)]
struct Sink {
    seen: usize,
}

#[actor]
impl Sink {
    #[message]
    fn put(&mut self, _item: u32) {
        self.seen += 1;
    }

    #[message]
    fn seen(&self) -> usize {
        self.seen
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let sink = system.spawn(Sink { seen: 0 });
    assert_eq!(sink.mailbox_capacity(), None);
    // Far beyond the default capacity, without the actor running in between.
    for i in 0..5000 {
        sink.put(i).try_tell().unwrap();
    }
    assert_eq!(sink.seen().await.unwrap(), 5000);
    system.shutdown().await;
}
