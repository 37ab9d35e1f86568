use actor_core::prelude::*;

#[actor]
struct Greeter;

#[actor]
impl Greeter {
    #[message]
    fn greet(&self, name: impl Into<String>) -> String {
        format!("hello, {}", name.into())
    }
}

fn main() {}
