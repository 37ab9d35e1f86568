use std::rc::Rc;

use actor_core::prelude::*;

#[actor]
struct Fetcher {
    fetched: u64,
}

#[actor]
impl Fetcher {
    #[message]
    async fn fetch(&mut self) {
        let local = Rc::new(1);
        tokio::task::yield_now().await;
        self.fetched += *local;
    }
}

fn main() {}
