//! An actor with no messages: a handle, a lifecycle, nothing to send.

use actor_core::prelude::*;

#[actor]
struct Idle;

#[actor]
impl Idle {}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let idle: IdleHandle = system.spawn(Idle);
    assert!(idle.is_alive());
    idle.stop();
    assert_eq!(idle.wait_stopped().await, StopReason::Normal);
}
