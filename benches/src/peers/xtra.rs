//! xtra: an `Actor` impl, one `Handler<M>` impl per message, `spawn_tokio`
//! with `Mailbox::bounded(1024)` or `Mailbox::unbounded()`, a tell as
//! `send(..).detach().await` (waits for room only), an ask as `send(..).await`,
//! a stop message that calls `stop_self`, and `join`.

use xtra::{Actor, Address, Context, Handler, Mailbox};

use crate::tally::{Failure, Summary, Tally};
use crate::workload::{BOUNDED_CAPACITY, Framework};

/// The benchmark actor.
#[derive(Debug, Default)]
pub struct XTally {
    tally: Tally,
}

impl Actor for XTally {
    type Stop = ();

    async fn stopped(self) {}
}

/// `record(sender, seq)`.
#[derive(Debug)]
pub struct Record {
    sender: u32,
    seq: u64,
}

/// `ping(seq)`.
#[derive(Debug)]
pub struct Ping(u64);

/// `summary()`.
#[derive(Debug)]
pub struct GetSummary;

/// Stops the actor.
#[derive(Debug)]
pub struct Stop;

impl Handler<Record> for XTally {
    type Return = ();

    async fn handle(&mut self, msg: Record, _: &mut Context<Self>) {
        self.tally.record(msg.sender, msg.seq);
    }
}

impl Handler<Ping> for XTally {
    type Return = u64;

    async fn handle(&mut self, msg: Ping, _: &mut Context<Self>) -> u64 {
        self.tally.ping(msg.0)
    }
}

impl Handler<GetSummary> for XTally {
    type Return = Summary;

    async fn handle(&mut self, _: GetSummary, _: &mut Context<Self>) -> Summary {
        self.tally.summary()
    }
}

impl Handler<Stop> for XTally {
    type Return = ();

    async fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop_self();
    }
}

async fn tell(h: &Address<XTally>, sender: u32, seq: u64) -> Result<(), Failure> {
    h.send(Record { sender, seq })
        .detach()
        .await
        .map(drop)
        .map_err(|e| Failure::from_err("tell", e))
}

async fn ping(h: &Address<XTally>, seq: u64) -> Result<u64, Failure> {
    h.send(Ping(seq))
        .await
        .map_err(|e| Failure::from_err("ask", e))
}

async fn summary(h: &Address<XTally>) -> Result<Summary, Failure> {
    h.send(GetSummary)
        .await
        .map_err(|e| Failure::from_err("ask", e))
}

async fn stop_all(handles: Vec<Address<XTally>>) -> Result<(), Failure> {
    for h in &handles {
        h.send(Stop)
            .detach()
            .await
            .map(drop)
            .map_err(|e| Failure::from_err("stop", e))?;
    }
    for h in &handles {
        h.join().await;
    }
    Ok(())
}

/// xtra with a bounded mailbox of [`BOUNDED_CAPACITY`].
#[derive(Debug)]
pub struct Bounded;

impl Framework for Bounded {
    type Handle = Address<XTally>;

    fn new() -> Self {
        Bounded
    }

    async fn spawn(&self) -> Result<Self::Handle, Failure> {
        Ok(xtra::spawn_tokio(
            XTally::default(),
            Mailbox::bounded(BOUNDED_CAPACITY),
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

/// xtra with an unbounded mailbox.
#[derive(Debug)]
pub struct Unbounded;

impl Framework for Unbounded {
    type Handle = Address<XTally>;

    fn new() -> Self {
        Unbounded
    }

    async fn spawn(&self) -> Result<Self::Handle, Failure> {
        Ok(xtra::spawn_tokio(XTally::default(), Mailbox::unbounded()))
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
