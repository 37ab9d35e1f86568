//! Unit and tuple structs, and a raw identifier as a message name.

use actor_core::prelude::*;

#[actor]
struct Unit;

#[actor]
impl Unit {
    #[message]
    fn r#type(&self) -> &'static str {
        "unit"
    }
}

#[actor]
struct Pair(u32, u32);

#[actor]
impl Pair {
    #[message]
    fn sum(&self) -> u32 {
        self.0 + self.1
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    assert_eq!(system.spawn(Unit).r#type().await.unwrap(), "unit");
    assert_eq!(system.spawn(Pair(2, 3)).sum().await.unwrap(), 5);
    system.shutdown().await;
}
