//! Probes that stand where a [`Recipient`] is expected, and a probe of an
//! event bus.

// The handle method `#[actor]` writes for the two-parameter probe actor has
// a long return type, `Request<'_, ProbeActor<T, R>, R, impl FnOnce(..)>`;
// so has `probe_asks`.
#![allow(clippy::type_complexity)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::mpsc;

use super::Probe;
use crate::events::RecvError;
use crate::handle::ActorHandle;
use crate::recipient::Recipient;
use crate::reply::Reply;
use crate::system::{System, require_runtime};

/// The actor behind a probe's recipient: a real actor (its own mailbox, id
/// and lifecycle, stopped at the system's shutdown), whose one message hands
/// the item and its reply to the probe's `deliver`.
#[crate::actor(crate = crate)]
pub(crate) struct ProbeActor<T: Send + 'static, R: Send + 'static> {
    deliver: Box<dyn FnMut(T, Reply<R>) + Send>,
}

#[crate::actor(crate = crate)]
impl<T: Send + 'static, R: Send + 'static> ProbeActor<T, R> {
    #[message(response = R)]
    pub(crate) fn take(&mut self, item: T, reply: Reply<R>) {
        (self.deliver)(item, reply);
    }
}

/// Spawns a probe actor whose messages go to `deliver`, and the recipient of
/// its messages; `what` names it in failure messages.
#[track_caller]
fn spawn_probe<T, R, D>(
    system: &System,
    deliver: D,
) -> (Recipient<T, R>, Arc<dyn crate::cell::Live>)
where
    T: Send + 'static,
    R: Send + 'static,
    D: FnMut(T, Reply<R>) + Send + 'static,
{
    require_runtime("make a probe");
    let actor: ProbeActorHandle<T, R> = system.spawn(ProbeActor {
        deliver: Box::new(deliver),
    });
    let recipient = Recipient::new(&actor, ProbeActorHandle::take);
    (recipient, actor.actor_ref().live())
}

fn described<T: Send + 'static, R: Send + 'static>(recipient: &Recipient<T, R>) -> String {
    format!(
        "probe {} of Recipient<{}, {}>",
        recipient.id(),
        std::any::type_name::<T>(),
        std::any::type_name::<R>()
    )
}

/// A [`Recipient<T>`] to hand to the actor under test, and the [`Probe`]
/// of what it is sent. An ask through the recipient is answered with `()`
/// as soon as the probe's actor takes it.
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// struct Greeter { out: Recipient<String> }
/// #[actor]
/// impl Greeter {
///     #[message]
///     async fn greet(&mut self, name: String) {
///         let _ = self.out.tell(format!("hello, {name}")).await;
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = System::new();
/// let (out, mut said) = testing::probe::<String>(&system);
/// let greeter = system.spawn(Greeter { out });
/// greeter.greet("ada".into()).tell().await.unwrap();
/// assert_eq!(said.expect_message(Duration::from_secs(1)).await, "hello, ada");
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime, as [`System::spawn`].
#[track_caller]
pub fn probe<T: Send + 'static>(system: &System) -> (Recipient<T>, Probe<T>) {
    probe_answering(system, |_: &T| ())
}

/// A [`Recipient<T, R>`] whose asks `answer` answers from what was sent, and
/// the [`Probe`] of what it is sent (told or asked).
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = System::new();
/// let (lengths, mut sent) = testing::probe_answering(&system, |s: &String| s.len());
/// assert_eq!(lengths.ask("four".to_owned()).await, Ok(4));
/// assert_eq!(sent.expect_message(Duration::from_secs(1)).await, "four");
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime, as [`System::spawn`].
#[track_caller]
pub fn probe_answering<T, R, F>(system: &System, mut answer: F) -> (Recipient<T, R>, Probe<T>)
where
    T: Send + 'static,
    R: Send + 'static,
    F: FnMut(&T) -> R + Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let (recipient, live) = spawn_probe(system, move |item: T, reply: Reply<R>| {
        if reply.is_ask() {
            reply.send(answer(&item));
        }
        let _ = tx.send(item);
    });
    let what = described(&recipient);
    (recipient, Probe::new(rx, what, Some(live), None))
}

/// A [`Recipient<T, R>`] whose asks wait for the test to answer them, and
/// the [`Probe`] of what it is sent: each item with its [`Reply`] (empty
/// for a tell). A reply dropped unsent answers the ask with
/// [`AskError::NoReply`](crate::AskError::NoReply).
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = System::new();
/// let (lookup, mut asked) = testing::probe_asks::<String, u32>(&system);
/// let answer = tokio::spawn(async move { lookup.ask("alice".to_owned()).await });
/// let (name, reply) = asked.expect_message(Duration::from_secs(1)).await;
/// assert_eq!(name, "alice");
/// reply.send(7);
/// assert_eq!(answer.await.unwrap(), Ok(7));
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime, as [`System::spawn`].
#[track_caller]
pub fn probe_asks<T, R>(system: &System) -> (Recipient<T, R>, Probe<(T, Reply<R>)>)
where
    T: Send + 'static,
    R: Send + 'static,
{
    let (tx, rx) = mpsc::unbounded_channel();
    let (recipient, live) = spawn_probe(system, move |item: T, reply: Reply<R>| {
        let _ = tx.send((item, reply));
    });
    let what = described(&recipient);
    (recipient, Probe::new(rx, what, Some(live), None))
}

/// The [`Probe`] of the events published on the bus of `E`
/// ([`System::events`]) from now on, in publishing order. If the bus
/// overwrites events before the probe takes them (more were published at
/// once than the bus holds), the next `expect_*` fails and says how many
/// were missed.
///
/// ```
/// use std::time::Duration;
/// use actor_core::testing;
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = actor_core::System::new();
/// let mut deployed = testing::probe_events::<String>(&system);
/// system.events::<String>().publish("web v2".to_owned());
/// assert_eq!(deployed.expect_message(Duration::from_secs(1)).await, "web v2");
/// # }
/// ```
///
/// # Panics
///
/// Outside a tokio runtime (the probe forwards events on a task).
#[track_caller]
pub fn probe_events<E>(system: &System) -> Probe<E>
where
    E: Clone + Send + Sync + 'static,
{
    require_runtime("make a probe");
    // Subscribed now: no event published after this call is missed.
    let mut subscriber = system.events::<E>().subscribe();
    let (tx, rx) = mpsc::unbounded_channel();
    let missed = Arc::new(AtomicU64::new(0));
    let counted = missed.clone();
    tokio::spawn(async move {
        loop {
            let event = tokio::select! {
                event = subscriber.recv() => event,
                () = tx.closed() => return, // the probe is gone
            };
            match event {
                Ok(event) => {
                    let _ = tx.send(event);
                }
                Err(RecvError::Lagged(n)) => {
                    counted.fetch_add(n, Ordering::Relaxed);
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
    let what = format!("probe of the events of {}", std::any::type_name::<E>());
    Probe::new(rx, what, None, Some(missed))
}
