use actor_core::prelude::*;

#[actor(tell_errors = ignore)]
struct Store;

#[actor]
impl Store {}

fn main() {}
