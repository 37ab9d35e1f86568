// `#[deprecated]` on a handler is carried to the handle method: its callers
// are warned (here denied).
#![deny(deprecated)]

use actor_core::prelude::*;

#[actor]
struct Legacy;

#[actor]
impl Legacy {
    #[deprecated(note = "use `add`")]
    #[message]
    fn bump(&mut self) {}
}

async fn caller(legacy: LegacyHandle) {
    legacy.bump().await.unwrap();
}

fn main() {
    let _ = caller;
}
