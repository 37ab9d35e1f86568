//! `#[actor]` without options: a bounded mailbox of the system's default capacity.

use actor_core::prelude::*;

#[actor]
struct Plain;

#[actor]
impl Plain {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::builder().default_mailbox_capacity(7).build();
    let plain = system.spawn(Plain);
    assert_eq!(plain.mailbox_capacity(), Some(7));
    let system = System::new();
    let plain = system.spawn(Plain);
    assert_eq!(plain.mailbox_capacity(), Some(actor_core::DEFAULT_MAILBOX_CAPACITY));
}
