//! Async handlers and hooks: they may await; the actor takes the next message
//! only when the handler's future is done.

use std::time::Duration;

use actor_core::prelude::*;

#[actor]
struct Fetcher {
    log: Vec<String>,
}

#[actor]
impl Fetcher {
    #[on_start]
    async fn started(&mut self) {
        tokio::task::yield_now().await;
        self.log.push("started".into());
    }

    #[message]
    async fn fetch(&mut self, key: String) -> Result<usize, String> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        if key.is_empty() {
            return Err("empty key".into());
        }
        self.log.push(key.clone());
        Ok(key.len())
    }

    #[message]
    async fn log(&self) -> Vec<String> {
        self.log.clone()
    }
}

#[tokio::main]
async fn main() {
    let system = System::new();
    let fetcher = system.spawn(Fetcher { log: vec![] });
    assert_eq!(fetcher.fetch("abc".into()).await.unwrap(), Ok(3));
    assert_eq!(fetcher.fetch(String::new()).await.unwrap(), Err("empty key".into()));
    assert_eq!(fetcher.log().await.unwrap(), ["started", "abc"]);
    system.shutdown().await;
}
