//! Errors are never silent: a handler's `Err` for a told message, which
//! nobody reads, fails the actor with the error's text (its supervisor then
//! decides), or with `#[actor(tell_errors = log)]` is logged and counted. An
//! ask gets its `Err` as the value, and the actor goes on. The return type
//! is told apart by its type, whatever alias names it.

use std::fmt;
use std::io;

use actor_core::prelude::*;
use tokio::sync::mpsc;

/// An error type of the user's, behind an alias.
#[derive(Debug, PartialEq)]
struct DiskFull;

impl fmt::Display for DiskFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("disk full")
    }
}

type Saved<T> = Result<T, DiskFull>;

#[actor]
struct Store {
    saved: u32,
    /// Says "started" each time an instance starts.
    starts: mpsc::UnboundedSender<u32>,
}

#[actor]
impl Store {
    #[on_start]
    fn started(&mut self) {
        let _ = self.starts.send(self.saved);
    }

    #[message]
    fn save(&mut self, data: String) -> Saved<u32> {
        if data.is_empty() {
            return Err(DiskFull);
        }
        self.saved += 1;
        Ok(self.saved)
    }

    #[message]
    async fn flush(&mut self, ok: bool) -> io::Result<()> {
        tokio::task::yield_now().await;
        if ok {
            Ok(())
        } else {
            Err(io::Error::other("device gone"))
        }
    }

    /// Not an error: `None` is a value like any other.
    #[message]
    fn find(&self, n: u32) -> Option<u32> {
        (n <= self.saved).then_some(n)
    }

    #[message]
    fn saved(&self) -> u32 {
        self.saved
    }
}

fn store() -> (Store, mpsc::UnboundedReceiver<u32>) {
    let (starts, starts_rx) = mpsc::unbounded_channel();
    (Store { saved: 0, starts }, starts_rx)
}

#[tokio::test]
async fn told_err_fails_the_actor_with_the_error_text() {
    let system = System::new();
    let (actor, _starts) = store();
    let store = system.spawn(actor);
    store.save(String::new()).tell().await.unwrap();
    assert_eq!(
        store.wait_stopped().await,
        StopReason::Failed("`save` returned an error: disk full".into())
    );
    assert!(!store.is_alive());
}

#[tokio::test]
async fn told_err_of_an_async_handler_behind_an_alias_fails_the_actor() {
    let system = System::new();
    let (actor, _starts) = store();
    let store = system.spawn(actor);
    store.flush(true).tell().await.unwrap();
    store.flush(false).try_tell().unwrap();
    assert_eq!(
        store.wait_stopped().await,
        StopReason::Failed("`flush` returned an error: device gone".into())
    );
}

#[tokio::test]
async fn asked_err_is_the_value_and_the_actor_goes_on() {
    let system = System::new();
    let (actor, _starts) = store();
    let store = system.spawn(actor);
    assert_eq!(store.save(String::new()).await, Ok(Err(DiskFull)));
    assert!(matches!(store.flush(false).await, Ok(Err(_))));
    assert_eq!(store.save("a".into()).await, Ok(Ok(1)));
    assert!(store.is_alive());
    system.shutdown().await;
}

#[tokio::test]
async fn told_ok_and_other_values_leave_the_actor_running() {
    let system = System::new();
    let (actor, _starts) = store();
    let store = system.spawn(actor);
    store.save("a".into()).tell().await.unwrap();
    store.find(7).tell().await.unwrap(); // `None`
    store.flush(true).tell().await.unwrap();
    assert_eq!(store.saved().await, Ok(1));
    assert!(store.is_alive());
    system.shutdown().await;
}

#[tokio::test]
async fn supervised_transient_child_is_restarted_after_a_told_err() {
    let system = System::new();
    let (starts, mut started) = mpsc::unbounded_channel();
    let tree = Supervisor::new(Strategy::OneForOne);
    let store = tree
        .child(move || Store {
            saved: 0,
            starts: starts.clone(),
        })
        .restart(Restart::Transient)
        .spawn()
        .unwrap();
    let tree = system.spawn_supervisor(tree);
    assert_eq!(started.recv().await, Some(0));

    store.save("a".into()).tell().await.unwrap();
    store.save(String::new()).tell().await.unwrap();
    // A failure: the transient child comes back, as a new instance.
    assert_eq!(started.recv().await, Some(0));
    assert_eq!(store.saved().await, Ok(0));
    assert_eq!(tree.children().await[0].restarts, 1);
    system.shutdown().await;
}

// ---------------------------------------------------------------------------
// `tell_errors = log`
// ---------------------------------------------------------------------------

#[actor(tell_errors = log)]
struct Tolerant {
    saved: u32,
}

#[actor]
impl Tolerant {
    #[message]
    fn save(&mut self, data: String) -> Saved<u32> {
        if data.is_empty() {
            return Err(DiskFull);
        }
        self.saved += 1;
        Ok(self.saved)
    }
}

#[tokio::test]
async fn with_tell_errors_log_a_told_err_is_counted_and_the_actor_goes_on() {
    let system = System::new();
    let tolerant = system.spawn(Tolerant { saved: 0 });
    tolerant.save(String::new()).tell().await.unwrap();
    tolerant.save(String::new()).tell().await.unwrap();
    // FIFO: the tells are handled before this ask.
    assert_eq!(tolerant.save("a".into()).await, Ok(Ok(1)));
    assert!(tolerant.is_alive());
    let metrics = system.metrics();
    assert_eq!(metrics.actor_type("Tolerant").unwrap().tell_errors, 2);
    assert_eq!(metrics.tell_errors(), 2);
    system.shutdown().await;
}

#[actor(tell_errors = fail)]
struct Strict;

#[actor]
impl Strict {
    #[message]
    fn check(&self, ok: bool) -> Result<(), String> {
        if ok { Ok(()) } else { Err("not ok".into()) }
    }
}

#[tokio::test]
async fn tell_errors_fail_is_the_default_spelled_out() {
    let system = System::new();
    let strict = system.spawn(Strict);
    strict.check(false).tell().await.unwrap();
    assert_eq!(
        strict.wait_stopped().await,
        StopReason::Failed("`check` returned an error: not ok".into())
    );
    assert_eq!(system.metrics().tell_errors(), 0);
}

// ---------------------------------------------------------------------------
// A generic error without `Display`
// ---------------------------------------------------------------------------

#[actor]
struct Relay<E> {
    next: Option<E>,
}

#[actor]
impl<E: Send + 'static> Relay<E> {
    /// `E` has no `Display` bound: the error cannot be shown, and is not
    /// reported (documented on `TellErrors`).
    #[message]
    fn take(&mut self) -> Result<(), E> {
        self.next.take().map_or(Ok(()), Err)
    }

    #[message]
    fn pending(&self) -> bool {
        self.next.is_some()
    }
}

#[tokio::test]
async fn told_err_of_a_generic_error_without_display_is_not_reported() {
    let system = System::new();
    let relay: RelayHandle<DiskFull> = system.spawn(Relay {
        next: Some(DiskFull),
    });
    relay.take().tell().await.unwrap();
    assert_eq!(relay.pending().await, Ok(false));
    assert!(relay.is_alive());
    system.shutdown().await;
}
