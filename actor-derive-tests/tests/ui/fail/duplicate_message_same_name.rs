use actor_core::prelude::*;

#[actor]
struct Point {
    x: i32,
}

#[actor]
impl Point {
    #[message]
    fn get(&self) -> i32 {
        self.x
    }

    #[message]
    fn get(&self) -> i32 {
        self.x
    }
}

fn main() {}
