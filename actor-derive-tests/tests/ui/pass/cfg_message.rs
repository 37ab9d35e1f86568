//! `#[cfg]` on a message removes it from the enum, the dispatch and the handle.

use actor_core::prelude::*;

#[actor]
struct Flags;

#[actor]
impl Flags {
    #[cfg(all())]
    #[message]
    fn enabled(&self) -> &'static str {
        "on"
    }

    // Compiled out: its argument type does not even exist.
    #[cfg(any())]
    #[message]
    fn disabled(&self, _x: NoSuchType) {}
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let flags = system.spawn(Flags);
    assert_eq!(flags.enabled().await.unwrap(), "on");
    system.shutdown().await;
}
