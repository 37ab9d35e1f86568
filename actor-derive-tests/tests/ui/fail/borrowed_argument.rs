use actor_core::prelude::*;

#[actor]
struct Greeter;

#[actor]
impl Greeter {
    #[message]
    fn greet(&self, name: &str) -> String {
        format!("hello, {name}")
    }
}

fn main() {}
