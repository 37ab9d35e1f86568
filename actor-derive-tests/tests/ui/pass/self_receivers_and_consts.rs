//! `Self` in an argument's type, also in a constant expression
//! (`[u8; Self::N]`), and the typed receivers `self: &Self` and
//! `self: &mut Self`.

use actor_core::prelude::*;

#[actor]
struct Framer {
    frames: usize,
}

impl Framer {
    const N: usize = 4;
}

#[actor]
impl Framer {
    #[message]
    fn push(self: &mut Self, frame: [u8; Self::N]) -> usize {
        self.frames += 1;
        frame.iter().map(|&b| usize::from(b)).sum()
    }

    #[message]
    fn frames(self: &Self) -> usize {
        self.frames
    }

    #[message]
    async fn frames_later(self: &mut Self, padding: [u8; Self::N * 2]) -> usize {
        tokio::task::yield_now().await;
        self.frames + padding.len()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let framer = system.spawn(Framer { frames: 0 });
    assert_eq!(framer.push([1, 2, 3, 4]).await, Ok(10));
    assert_eq!(framer.frames().await, Ok(1));
    assert_eq!(framer.frames_later([0; 8]).await, Ok(9));
    system.shutdown().await;
}
