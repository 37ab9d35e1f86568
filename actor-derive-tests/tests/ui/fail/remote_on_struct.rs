// `remote = ".."` goes on the impl block, where the messages are.
use actor_core::prelude::*;

#[actor(remote = "test.Store")]
struct Store;

#[actor]
impl Store {}

fn main() {}
