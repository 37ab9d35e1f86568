//! Two versions of one handler under opposite `#[cfg]`s: one message, whose
//! handler is the version compiled in.

use actor_core::prelude::*;

#[actor]
struct Clock;

#[actor]
impl Clock {
    #[cfg(debug_assertions)]
    #[message]
    fn build(&self) -> &'static str {
        "debug"
    }

    #[cfg(not(debug_assertions))]
    #[message]
    fn build(&self) -> &'static str {
        "release"
    }

    #[cfg(all())]
    #[message]
    async fn tick(&mut self, n: u32) -> u32 {
        n + 1
    }

    #[cfg(not(all()))]
    #[message]
    async fn tick(&mut self, n: u64) -> u64 {
        n + 2
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let clock = system.spawn(Clock);
    let expected = if cfg!(debug_assertions) { "debug" } else { "release" };
    assert_eq!(clock.build().await, Ok(expected));
    assert_eq!(clock.tick(1).await, Ok(2));
    system.shutdown().await;
}
