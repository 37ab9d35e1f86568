use actor_core::prelude::*;

#[actor]
struct Point {
    x: i32,
}

#[actor]
impl Point {
    #[message]
    fn get_x(&self) -> i32 {
        self.x
    }

    #[message]
    #[allow(non_snake_case)]
    fn get_X(&self) -> i32 {
        self.x
    }
}

fn main() {}
