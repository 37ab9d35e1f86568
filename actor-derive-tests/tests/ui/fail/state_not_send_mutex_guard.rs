use std::sync::MutexGuard;

use actor_core::prelude::*;

#[actor]
struct Holder {
    guard: MutexGuard<'static, u64>,
}

#[actor]
impl Holder {
    #[message]
    fn get(&self) -> u64 {
        *self.guard
    }
}

fn main() {}
