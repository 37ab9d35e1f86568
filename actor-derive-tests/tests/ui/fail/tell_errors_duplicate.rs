use actor_core::prelude::*;

#[actor(tell_errors = log, tell_errors = fail)]
struct Store;

#[actor]
impl Store {}

fn main() {}
