//! Array arguments of any size, in every kind of handler: an array larger
//! than 1 KiB travels boxed (the handler still takes it by value), and
//! arrays whose size depends on the actor's parameters travel as they are.

use actor_core::prelude::*;

const PAGE: usize = 4096;

#[actor]
struct Pages {
    seen: usize,
}

impl Pages {
    const WORDS: usize = 512;
}

#[actor]
impl Pages {
    #[message]
    fn small(&mut self, header: [u8; 4]) -> u8 {
        header[3]
    }

    #[message]
    fn page(&mut self, page: [u8; PAGE], ctx: &mut Context<Self>) -> Result<usize, String> {
        let _ = ctx.id();
        self.seen += 1;
        if page[0] == 0 { Err("empty page".into()) } else { Ok(page.len()) }
    }

    #[message]
    fn words(&mut self, first: u8, words: [u64; Self::WORDS], names: [String; 2]) -> String {
        format!("{first} {} {}", words.len(), names.join("+"))
    }

    #[message(response = usize)]
    fn later(&mut self, page: [u8; PAGE], reply: Reply<usize>) {
        tokio::spawn(async move { reply.send(page.len()) });
    }

    #[message]
    async fn page_async(&mut self, page: [u8; PAGE], ctx: &mut Context<Self>) -> Result<usize, String> {
        tokio::task::yield_now().await;
        let _ = ctx.id();
        self.seen += 1;
        Ok(page.len())
    }

    #[message(response = u8)]
    async fn later_async(&mut self, page: [u8; PAGE], reply: Reply<u8>) {
        tokio::task::yield_now().await;
        reply.send(page[1]);
    }

    #[message]
    fn seen(&self) -> usize {
        self.seen
    }
}

/// Arrays whose size depends on the parameters: by value.
#[actor]
struct Ring<T, const N: usize> {
    slots: Vec<[T; N]>,
}

#[actor]
impl<T: Send + Clone + 'static, const N: usize> Ring<T, N> {
    #[message]
    fn push(&mut self, slot: [T; N], tag: [u8; 2048]) -> usize {
        self.slots.push(slot);
        self.slots.len() + usize::from(tag[0])
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let system = System::new();
    let pages = system.spawn(Pages { seen: 0 });
    assert_eq!(pages.small([1, 2, 3, 4]).await, Ok(4));
    assert_eq!(pages.page([1; PAGE]).await, Ok(Ok(PAGE)));
    assert_eq!(pages.page([0; PAGE]).await, Ok(Err("empty page".into())));
    let names = ["a".to_owned(), "b".to_owned()];
    assert_eq!(pages.words(7, [0; 512], names).await, Ok("7 512 a+b".to_owned()));
    assert_eq!(pages.later([0; PAGE]).await, Ok(PAGE));
    assert_eq!(pages.page_async([1; PAGE]).await, Ok(Ok(PAGE)));
    assert_eq!(pages.later_async([9; PAGE]).await, Ok(9));
    pages.page([1; PAGE]).tell().await.unwrap();
    pages.page_async([1; PAGE]).tell().await.unwrap();
    assert_eq!(pages.seen().await, Ok(5));

    let ring: RingHandle<String, 2> = system.spawn(Ring { slots: vec![] });
    assert_eq!(ring.push(["x".into(), "y".into()], [0; 2048]).await, Ok(1));
    system.shutdown().await;
}
