//! kameo: `#[derive(Actor)]`, one `Message<M>` impl per message, spawned with
//! `spawn_with_mailbox` (bounded at 1024 or unbounded), `tell(..).await`,
//! `ask(..).await`, `stop_gracefully` and `wait_for_shutdown`.

use kameo::Actor;
use kameo::actor::{ActorRef, Spawn};
use kameo::mailbox;
use kameo::message::{Context, Message};

use crate::tally::{Failure, Summary, Tally};
use crate::workload::{BOUNDED_CAPACITY, Framework};

/// The benchmark actor.
#[derive(Actor, Default)]
pub struct KTally {
    tally: Tally,
}

/// `record(sender, seq)`.
pub struct Record {
    sender: u32,
    seq: u64,
}

/// `ping(seq)`.
pub struct Ping(u64);

/// `summary()`.
pub struct GetSummary;

/// The answer to [`GetSummary`] (kameo replies must implement its `Reply`).
#[derive(kameo::Reply)]
pub struct KSummary(Summary);

impl Message<Record> for KTally {
    type Reply = ();

    async fn handle(&mut self, msg: Record, _: &mut Context<Self, ()>) {
        self.tally.record(msg.sender, msg.seq);
    }
}

impl Message<Ping> for KTally {
    type Reply = u64;

    async fn handle(&mut self, msg: Ping, _: &mut Context<Self, u64>) -> u64 {
        self.tally.ping(msg.0)
    }
}

impl Message<GetSummary> for KTally {
    type Reply = KSummary;

    async fn handle(&mut self, _: GetSummary, _: &mut Context<Self, KSummary>) -> KSummary {
        KSummary(self.tally.summary())
    }
}

async fn tell(h: &ActorRef<KTally>, sender: u32, seq: u64) -> Result<(), Failure> {
    h.tell(Record { sender, seq })
        .await
        .map_err(|e| Failure::from_err("tell", e.to_string()))
}

async fn ping(h: &ActorRef<KTally>, seq: u64) -> Result<u64, Failure> {
    h.ask(Ping(seq))
        .await
        .map_err(|e| Failure::from_err("ask", e.to_string()))
}

async fn summary(h: &ActorRef<KTally>) -> Result<Summary, Failure> {
    h.ask(GetSummary)
        .await
        .map(|s| s.0)
        .map_err(|e| Failure::from_err("ask", e.to_string()))
}

async fn stop_all(handles: Vec<ActorRef<KTally>>) -> Result<(), Failure> {
    for h in &handles {
        h.stop_gracefully()
            .await
            .map_err(|e| Failure::from_err("stop", e.to_string()))?;
    }
    for h in &handles {
        h.wait_for_shutdown().await;
    }
    Ok(())
}

/// kameo with a bounded mailbox of [`BOUNDED_CAPACITY`].
#[derive(Debug)]
pub struct Bounded;

impl Framework for Bounded {
    type Handle = ActorRef<KTally>;

    fn new() -> Self {
        Bounded
    }

    async fn spawn(&self) -> Result<Self::Handle, Failure> {
        Ok(KTally::spawn_with_mailbox(
            KTally::default(),
            mailbox::bounded(BOUNDED_CAPACITY),
        ))
    }

    async fn tell(h: &Self::Handle, sender: u32, seq: u64) -> Result<(), Failure> {
        tell(h, sender, seq).await
    }

    async fn ping(h: &Self::Handle, seq: u64) -> Result<u64, Failure> {
        ping(h, seq).await
    }

    async fn summary(h: &Self::Handle) -> Result<Summary, Failure> {
        summary(h).await
    }

    async fn stop_all(&self, handles: Vec<Self::Handle>) -> Result<(), Failure> {
        stop_all(handles).await
    }
}

/// kameo with an unbounded mailbox.
#[derive(Debug)]
pub struct Unbounded;

impl Framework for Unbounded {
    type Handle = ActorRef<KTally>;

    fn new() -> Self {
        Unbounded
    }

    async fn spawn(&self) -> Result<Self::Handle, Failure> {
        Ok(KTally::spawn_with_mailbox(
            KTally::default(),
            mailbox::unbounded(),
        ))
    }

    async fn tell(h: &Self::Handle, sender: u32, seq: u64) -> Result<(), Failure> {
        tell(h, sender, seq).await
    }

    async fn ping(h: &Self::Handle, seq: u64) -> Result<u64, Failure> {
        ping(h, seq).await
    }

    async fn summary(h: &Self::Handle) -> Result<Summary, Failure> {
        summary(h).await
    }

    async fn stop_all(&self, handles: Vec<Self::Handle>) -> Result<(), Failure> {
        stop_all(handles).await
    }
}
