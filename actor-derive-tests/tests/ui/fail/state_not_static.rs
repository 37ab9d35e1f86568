use actor_core::prelude::*;

#[actor]
struct Borrower<'a> {
    name: &'a str,
}

#[actor]
impl<'a> Borrower<'a> {
    #[message]
    fn name(&self) -> String {
        self.name.to_owned()
    }
}

fn main() {}
