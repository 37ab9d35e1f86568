//! Delegated replies: the handler takes `Reply<T>` and answers later, from
//! another task or another message; the actor handles the next message
//! meanwhile.

use actor_core::prelude::*;

#[actor]
struct Hasher {
    pending: Option<Reply<u64>>,
}

#[actor]
impl Hasher {
    /// Answers from another task.
    #[message(response = usize)]
    fn len_later(&mut self, text: String, reply: Reply<usize>) {
        tokio::spawn(async move { reply.send(text.len()) });
    }

    /// Keeps the reply; `release` answers it.
    #[message(response = u64)]
    fn wait(&mut self, reply: Reply<u64>) {
        self.pending = Some(reply);
    }

    #[message]
    fn release(&mut self, value: u64) -> bool {
        match self.pending.take() {
            Some(reply) => {
                reply.send(value);
                true
            }
            None => false,
        }
    }
}

#[tokio::main]
async fn main() {
    let system = System::new();
    let hasher = system.spawn(Hasher { pending: None });
    assert_eq!(hasher.len_later("four".into()).await.unwrap(), 4);

    // `join!` polls in order: `wait` is queued before `release`, and its ask
    // is answered by `release`, a later message.
    let (waited, released) = tokio::join!(
        async { hasher.wait().await },
        async { hasher.release(42).await },
    );
    assert_eq!(waited, Ok(42));
    assert_eq!(released, Ok(true));
    system.shutdown().await;
}
