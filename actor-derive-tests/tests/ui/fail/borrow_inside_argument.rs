// A borrow the value holds, even inside another type, cannot travel through
// the mailbox (a closure's own signature may borrow: see the pass cases).
use std::borrow::Cow;

use actor_core::prelude::*;

#[actor]
struct Words;

#[actor]
impl Words {
    #[message]
    fn count(&self, words: Vec<&str>) -> usize {
        words.len()
    }

    #[message]
    fn first(&self, text: Cow<'_, str>) -> String {
        text.into_owned()
    }
}

fn main() {}
