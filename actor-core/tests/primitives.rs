//! Recipients (one type for any actor that takes a `T`) and weak handles.

mod common;

use std::collections::HashSet;

use actor_core::prelude::*;
use common::{Probe, ProbeHandle, hold};

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
