// A wire name is letters, digits, `.`, `_` and `-`, and not empty.
use actor_core::prelude::*;

#[actor]
struct Store;

#[actor(remote = "ci Store")]
impl Store {}

#[actor]
struct Bin;

#[actor(remote = ci.Bin)]
impl Bin {}

fn main() {}
