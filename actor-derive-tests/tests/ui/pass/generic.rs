//! Generic actors: the parameters carry over to the message enum and the handle.

use std::fmt::Debug;

use actor_core::prelude::*;

#[actor]
pub struct Stack<T: Send + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + 'static> Stack<T> {
    #[message]
    pub fn push(&mut self, item: T) {
        self.items.push(item);
    }

    #[message]
    pub fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    #[message]
    pub fn len(&self) -> usize {
        self.items.len()
    }
}

/// A parameter no message mentions, and a const parameter.
#[actor]
pub struct Window<K, const N: usize>
where
    K: Ord + Send + 'static,
{
    keys: Vec<K>,
}

#[actor]
impl<K, const N: usize> Window<K, N>
where
    K: Ord + Send + 'static,
{
    #[message]
    fn size(&self) -> usize {
        self.keys.len().min(N)
    }
}

async fn round_trip<T: Send + Debug + PartialEq + Clone + 'static>(stack: &StackHandle<T>, item: T) {
    stack.push(item.clone()).tell().await.unwrap();
    assert_eq!(stack.pop().await.unwrap(), Some(item));
}

#[tokio::main]
async fn main() {
    let system = System::new();
    let numbers: StackHandle<u32> = system.spawn(Stack { items: vec![1, 2] });
    let words: StackHandle<String> = system.spawn(Stack { items: vec![] });
    round_trip(&numbers, 3).await;
    round_trip(&words, "three".to_owned()).await;
    assert_eq!(numbers.len().await.unwrap(), 2);

    let window: WindowHandle<u8, 2> = system.spawn(Window::<u8, 2> { keys: vec![1, 2, 3] });
    assert_eq!(window.size().await.unwrap(), 2);
    system.shutdown().await;
}
