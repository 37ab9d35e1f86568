// An async `&self` handler holds `&Stats` across `.await`, and the actor's
// task may move between threads there: the state must be `Sync`.
use std::cell::Cell;

use actor_core::prelude::*;

#[actor]
struct Stats {
    hits: Cell<u64>,
}

#[actor]
impl Stats {
    #[message]
    async fn hits(&self) -> u64 {
        tokio::task::yield_now().await;
        self.hits.get()
    }
}

fn main() {}
