use actor_core::prelude::*;

#[actor]
struct Log<T: Send + 'static> {
    lines: Vec<T>,
}

// The impl forgets `'static`: a `T` that borrows could not travel through the mailbox.
#[actor]
impl<T: Send + Clone> Log<T> {
    #[message]
    fn push(&mut self, line: T) {
        self.lines.push(line);
    }
}

fn main() {}
