//! `#[actor(mailbox = N)]`: a bounded mailbox of N messages.

use actor_core::prelude::*;

#[actor(mailbox = 2)]
struct Slow;

#[actor]
impl Slow {
    #[message]
    fn work(&self) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let slow = system.spawn(Slow);
    assert_eq!(slow.mailbox_capacity(), Some(2));

    // On a current-thread runtime the actor cannot run until we await, so the
    // third `try_tell` finds the mailbox full.
    slow.work().try_tell().unwrap();
    slow.work().try_tell().unwrap();
    assert_eq!(slow.work().try_tell(), Err(TrySendError::Full));
    system.shutdown().await;
}
