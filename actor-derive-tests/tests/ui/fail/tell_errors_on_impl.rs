use actor_core::prelude::*;

#[actor]
struct Store;

#[actor(tell_errors = log)]
impl Store {}

fn main() {}
