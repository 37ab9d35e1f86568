//! Owned requests (`Request::into_owned`) go anywhere a `'static` value
//! goes and are sent as any request is; generic code takes handle methods.

mod common;

use std::time::Duration;

use actor_core::prelude::*;
use common::{Probe, ProbeHandle, hold};

/// Asks every handle with `method`: the bound generic code writes.
async fn ask_all<H, R, G>(
    handles: &[H],
    method: impl for<'h> Fn(&'h H) -> Request<'h, H::Actor, R, G>,
) -> Vec<Result<R, AskError>>
where
    H: ActorHandle,
    G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message,
{
    let mut answers = Vec::new();
    for handle in handles {
        answers.push(method(handle).await);
    }
    answers
}

/// Makes the request now and returns it, owned, to be sent later.
fn prepared<H, R, G>(
    handle: &H,
    method: impl for<'h> FnOnce(&'h H) -> Request<'h, H::Actor, R, G>,
) -> Request<'static, H::Actor, R, G>
where
    H: ActorHandle,
    G: FnOnce(Reply<R>) -> <H::Actor as Actor>::Message,
{
    method(handle).into_owned()
}

#[tokio::test]
async fn an_owned_request_is_sent_in_every_way_from_a_spawned_task() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let told = tokio::spawn(probe.add(0, 0).into_owned().tell());
    told.await.unwrap().unwrap();
    let tried = probe.add(0, 1).into_owned();
    tokio::spawn(async move { tried.try_tell() })
        .await
        .unwrap()
        .unwrap();
    let asked = tokio::spawn(probe.count().into_owned().into_future());
    assert_eq!(asked.await.unwrap(), Ok(2));
    let timed = probe.count().into_owned().timeout(Duration::from_secs(60));
    assert_eq!(tokio::spawn(timed).await.unwrap(), Ok(2));
    let queued = probe.count().into_owned().try_ask().unwrap();
    assert_eq!(tokio::spawn(queued).await.unwrap(), Ok(2));
    assert_eq!(probe.out_of_order().await, Ok(0));
}

#[tokio::test]
async fn an_owned_request_outlives_every_handle() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let (add, count) = (probe.add(0, 0).into_owned(), probe.count().into_owned());
    drop(probe);
    add.tell().await.unwrap();
    assert_eq!(count.await, Ok(1));
}

#[tokio::test]
async fn owned_requests_wait_for_room_in_a_full_mailbox() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let release = hold(&probe).await;
    for seq in 0..4 {
        probe.add(0, seq).try_tell().unwrap(); // the mailbox holds four
    }
    assert_eq!(probe.add(0, 4).try_tell(), Err(TrySendError::Full));
    let tell = tokio::spawn(probe.add(0, 4).into_owned().tell());
    let ask = tokio::spawn(probe.count().into_owned().into_future());
    tokio::task::yield_now().await;
    assert!(!tell.is_finished() && !ask.is_finished());
    release.send(()).unwrap();
    tell.await.unwrap().unwrap();
    assert_eq!(ask.await.unwrap(), Ok(5));
    assert_eq!(probe.out_of_order().await, Ok(0));
}

#[tokio::test]
async fn an_owned_request_to_a_stopped_actor_fails_as_any_request() {
    let system = System::new();
    let probe = system.spawn(Probe::new(1));
    let (tell, ask) = (probe.add(0, 0).into_owned(), probe.count().into_owned());
    probe.stop();
    probe.wait_stopped().await;
    assert_eq!(tell.tell().await, Err(SendError::Stopped));
    assert_eq!(ask.await, Err(AskError::Stopped));
}

#[tokio::test]
async fn generic_code_takes_handle_methods_and_closures() {
    let system = System::new();
    let probes: Vec<ProbeHandle> = (0..3).map(|_| system.spawn(Probe::new(1))).collect();
    assert_eq!(
        ask_all(&probes, |p| p.add(0, 0)).await,
        [Ok(()), Ok(()), Ok(())]
    );
    assert_eq!(
        ask_all(&probes, ProbeHandle::count).await,
        [Ok(1), Ok(1), Ok(1)]
    );
    let later = prepared(&probes[1], ProbeHandle::count);
    probes[1].add(0, 1).tell().await.unwrap();
    assert_eq!(tokio::spawn(later.into_future()).await.unwrap(), Ok(2));
}
