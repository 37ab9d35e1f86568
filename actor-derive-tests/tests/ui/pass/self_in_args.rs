//! `Self` in argument and response types means the actor type, also in the
//! message enum and the handle, which live outside the impl block.

use actor_core::prelude::*;

#[derive(Debug, Clone, PartialEq)]
#[actor]
pub struct Config {
    name: String,
    retries: u8,
}

#[actor]
impl Config {
    #[message]
    fn replace(&mut self, new: Self) -> Self {
        std::mem::replace(self, new)
    }

    #[message]
    fn merge_all(&mut self, others: Vec<Self>, fallback: Option<Box<Self>>) -> u8 {
        for other in others.into_iter().chain(fallback.map(|b| *b)) {
            self.retries = self.retries.max(other.retries);
        }
        self.retries
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let first = Config { name: "a".into(), retries: 1 };
    let second = Config { name: "b".into(), retries: 2 };
    let config = system.spawn(first.clone());
    assert_eq!(config.replace(second.clone()).await.unwrap(), first);
    let third = Config { name: "c".into(), retries: 5 };
    assert_eq!(config.merge_all(vec![first], Some(Box::new(third))).await.unwrap(), 5);
    system.shutdown().await;
}
