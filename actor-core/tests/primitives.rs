//! Recipients (one type for any actor that takes a `T`), weak handles, and
//! streams and event buses fed into a mailbox.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use actor_core::events::RecvError;
use actor_core::prelude::*;
use common::{Probe, ProbeHandle, hold};
use futures::StreamExt;
use tokio::sync::oneshot;

#[actor]
#[derive(Default)]
struct Upper {
    seen: Vec<String>,
}

#[actor]
impl Upper {
    #[message]
    fn shout(&mut self, text: String) -> String {
        self.seen.push(text.clone());
        text.to_uppercase()
    }
    #[message]
    fn count(&self) -> usize {
        self.seen.len()
    }
}

#[actor]
struct Len;

#[actor]
impl Len {
    #[message]
    fn measure(&self, text: String) -> String {
        text.len().to_string()
    }
}

#[tokio::test]
async fn one_list_of_recipients_feeds_actors_of_different_types() {
    let system = System::new();
    let upper = system.spawn(Upper::default());
    let len = system.spawn(Len);
    let list: Vec<Recipient<String, String>> = vec![
        Recipient::new(&upper, UpperHandle::shout),
        Recipient::new(&len, LenHandle::measure),
    ];
    let mut answers = Vec::new();
    for r in &list {
        answers.push(r.ask("abc".to_owned()).await.unwrap());
        r.tell("told".to_owned()).await.unwrap();
        r.try_tell("tried".to_owned()).unwrap();
    }
    assert_eq!(answers, ["ABC", "3"]);
    assert_eq!(
        upper.count().await,
        Ok(3),
        "ask, tell and try_tell all arrived"
    );
}

#[tokio::test]
async fn recipients_are_equal_and_hashed_by_actor_id() {
    let system = System::new();
    let a = system.spawn(Upper::default());
    let b = system.spawn(Upper::default());
    let a1: Recipient<String, String> = Recipient::new(&a, UpperHandle::shout);
    let a2: Recipient<String, String> = Recipient::new(&a.clone(), |h, text| h.shout(text));
    let b1: Recipient<String, String> = Recipient::new(&b, UpperHandle::shout);
    assert_eq!(a1, a2);
    assert_ne!(a1, b1);
    let set: HashSet<_> = [a1.clone(), a2, b1.clone(), a1.clone()]
        .into_iter()
        .collect();
    assert_eq!(set.len(), 2);
    assert_eq!(a1.id(), a.id());
    assert!(format!("{a1:?}").contains("Upper"));
}

#[tokio::test]
async fn a_recipient_reports_a_stopped_actor_and_a_full_mailbox_like_a_handle() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let r: Recipient<u64> = Recipient::new(&probe, |h: &ProbeHandle, seq| h.add(0, seq));
    let release = hold(&probe).await;
    for seq in 0..4 {
        r.try_tell(seq).unwrap(); // the probe's mailbox holds 4
    }
    assert_eq!(r.try_tell(4), Err(TrySendError::Full));
    drop(release);
    probe.stop();
    assert!(!r.is_alive());
    assert_eq!(r.try_tell(5), Err(TrySendError::Stopped));
    assert_eq!(r.tell(5).await, Err(SendError::Stopped));
    assert_eq!(r.ask(5).await, Err(AskError::Stopped));
    assert_eq!(r.wait_stopped().await, StopReason::Normal);
}

#[tokio::test]
async fn a_weak_handle_upgrades_while_the_actor_lives_and_not_after() {
    let system = System::new();
    let upper = system.spawn(Upper::default());
    let weak = upper.downgrade();
    assert_eq!(weak.id(), upper.id());
    let strong: UpperHandle = weak.upgrade().expect("alive");
    assert_eq!(strong.shout("x".into()).await.as_deref(), Ok("X"));
    drop(strong);
    upper.stop();
    assert!(
        weak.upgrade().is_none(),
        "no handle once a stop was asked for"
    );
    upper.wait_stopped().await;
    drop(upper);
    assert!(weak.upgrade().is_none());
    assert_eq!(weak.clone().id(), weak.id());
}

// Streams and event buses fed into the mailbox.

/// Counts the items it handled, in order, and whether the stream ended.
#[actor(mailbox = 4)]
#[derive(Default)]
struct Feed {
    items: Vec<String>,
}

#[actor]
impl Feed {
    #[message]
    fn item(&mut self, item: String) {
        self.items.push(item);
    }
    #[message]
    fn ended(&mut self) {
        self.items.push("end".to_owned());
    }
    #[message]
    fn items(&self) -> Vec<String> {
        self.items.clone()
    }
    #[message]
    async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }
    #[message]
    fn attach_counted(
        &mut self,
        ctx: &mut Context<Self>,
        pulled: Arc<AtomicU64>,
        gate: oneshot::Receiver<()>,
    ) {
        // Nothing flows until the gate opens; then 100 items, counted as pulled.
        let items = futures::stream::once(gate).flat_map(|_| futures::stream::iter(0..100u64));
        let stream = items.map(move |n| {
            pulled.fetch_add(1, Ordering::SeqCst);
            n.to_string()
        });
        ctx.attach(stream, |me, item| me.item(item));
    }
    #[message]
    fn attach_forever(&mut self, ctx: &mut Context<Self>, dropped: oneshot::Sender<()>) {
        let guard = DropSignal(Some(dropped));
        let stream = futures::stream::pending::<String>().map(move |s| {
            let _ = &guard;
            s
        });
        ctx.attach(stream, |me, item| me.item(item));
    }
    #[message]
    fn attach_three_then_end(&mut self, ctx: &mut Context<Self>) {
        let stream = futures::stream::iter(["a", "b", "c"].map(String::from));
        ctx.attach_then(stream, |me, item| me.item(item), |me| me.ended());
    }
    #[message]
    fn subscribe_to_deploys(&mut self, ctx: &mut Context<Self>) {
        ctx.subscribe(|me, event: Result<u32, RecvError>| {
            me.item(match event {
                Ok(n) => n.to_string(),
                Err(RecvError::Lagged(missed)) => format!("lagged {missed}"),
                Err(other) => other.to_string(),
            })
        });
    }
}

struct DropSignal(Option<oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

async fn hold_feed(feed: &FeedHandle) -> oneshot::Sender<()> {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    feed.hold(entered_tx, release_rx).tell().await.unwrap();
    entered_rx.await.unwrap();
    release_tx
}

async fn settle() {
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn attach_polls_the_stream_only_when_the_mailbox_has_room() {
    let system = System::new();
    let feed = system.spawn(Feed::default());
    let pulled = Arc::new(AtomicU64::new(0));
    let (open, gate) = oneshot::channel();
    feed.attach_counted(pulled.clone(), gate).await.unwrap();
    let release = hold_feed(&feed).await;
    open.send(()).unwrap();
    settle().await; // give the stream every chance to run ahead
    assert_eq!(feed.mailbox_len(), 4, "the mailbox filled up");
    assert_eq!(
        pulled.load(Ordering::SeqCst),
        4,
        "only as many items pulled as the mailbox had room for"
    );
    release.send(()).unwrap();
    while feed.items().await.unwrap().len() < 100 {
        settle().await;
    }
    let items = feed.items().await.unwrap();
    let expected: Vec<String> = (0..100).map(|n| n.to_string()).collect();
    assert_eq!(items, expected, "every item, in order");
}

#[tokio::test]
async fn an_attached_stream_ends_with_the_actor() {
    let system = System::new();
    let feed = system.spawn(Feed::default());
    let (dropped_tx, dropped_rx) = oneshot::channel();
    feed.attach_forever(dropped_tx).await.unwrap();
    feed.stop();
    feed.wait_stopped().await;
    dropped_rx
        .await
        .expect("the stream was dropped when the actor stopped");
}

#[tokio::test]
async fn attach_then_tells_the_end_after_the_last_item() {
    let system = System::new();
    let feed = system.spawn(Feed::default());
    feed.attach_three_then_end().await.unwrap();
    while feed.items().await.unwrap().len() < 4 {
        settle().await;
    }
    assert_eq!(feed.items().await.unwrap(), ["a", "b", "c", "end"]);
}

#[tokio::test]
async fn subscribe_turns_events_into_messages_and_tells_lag() {
    let system = System::builder().event_capacity(2).build();
    let feed = system.spawn(Feed::default());
    feed.subscribe_to_deploys().await.unwrap();
    let events = system.events::<u32>();
    for n in 0..10 {
        events.publish(n); // faster than the subscriber reads: 8 are overwritten
    }
    while feed.items().await.unwrap().len() < 3 {
        settle().await;
    }
    assert_eq!(feed.items().await.unwrap(), ["lagged 8", "8", "9"]);
}

// Dead letters: queued, never handled.

#[tokio::test]
async fn messages_queued_when_an_actor_stops_are_dead_letters_counted_and_published() {
    let system = System::new();
    let mut dead = system.dead_letters();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    probe.add(0, 0).try_tell().unwrap();
    probe.add(0, 1).try_tell().unwrap();
    let asked = tokio::spawn({
        let probe = probe.clone();
        async move { probe.count().await }
    });
    while probe.mailbox_len() < 3 {
        tokio::task::yield_now().await;
    }
    probe.stop();
    drop(release);
    probe.wait_stopped().await;
    assert_eq!(asked.await.unwrap(), Err(AskError::NoReply));
    let mut letters = Vec::new();
    for _ in 0..3 {
        let letter = dead.recv().await.unwrap();
        assert_eq!((letter.actor, letter.actor_type), (probe.id(), "Probe"));
        letters.push(letter.message);
    }
    assert_eq!(letters, ["add", "add", "count"]);
    assert_eq!(
        system.metrics().actor_type("Probe").unwrap().dead_letters,
        3
    );
}

#[tokio::test]
async fn a_graceful_stop_leaves_no_dead_letters() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    for seq in 0..3 {
        probe.add(0, seq).try_tell().unwrap();
    }
    probe.stop_gracefully();
    drop(release);
    probe.wait_stopped().await;
    assert_eq!(system.metrics().dead_letters(), 0);
}
