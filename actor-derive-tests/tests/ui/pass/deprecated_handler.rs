//! `#[deprecated]` on a handler is carried to the handle method, so that its
//! callers are warned; the generated dispatch, which calls the handler, is
//! not (this crate denies `deprecated`).
#![deny(deprecated)]

use actor_core::prelude::*;

#[actor]
struct Legacy {
    count: u32,
}

#[actor]
impl Legacy {
    #[deprecated(note = "use `add`")]
    #[message]
    fn bump(&mut self) {
        self.count += 1;
    }

    #[deprecated]
    #[message]
    async fn old_count(&self) -> u32 {
        self.count
    }

    #[message]
    fn add(&mut self, n: u32) -> u32 {
        self.count += n;
        self.count
    }

    #[deprecated]
    #[on_start]
    fn started(&mut self) {
        self.count = 1;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let legacy = system.spawn(Legacy { count: 0 });
    assert_eq!(legacy.add(1).await, Ok(2));
    #[allow(deprecated)]
    {
        legacy.bump().await.unwrap();
        assert_eq!(legacy.old_count().await, Ok(3));
    }
    system.shutdown().await;
}
