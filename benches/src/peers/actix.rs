//! actix: an `Actor` with a `Context`, one `Handler<M>` impl per message,
//! started with `Actor::start` inside an actix `System` (one thread). A tell is
//! `do_send` (queued regardless of the mailbox capacity: actix has no tell that
//! waits for room), an ask is `send(..).await`, a stop is a message whose
//! handler calls `ctx.stop()`; actix offers no future that resolves when an
//! actor has stopped, so the driver yields until `Addr::connected` turns false.

use actix::{Actor, ActorContext, Addr, Context, Handler, Message, MessageResult};

use crate::tally::{Failure, Summary, Tally};
use crate::workload::Framework;

/// The benchmark actor.
#[derive(Debug, Default)]
pub struct ATally {
    tally: Tally,
}

impl Actor for ATally {
    type Context = Context<Self>;
}

/// `record(sender, seq)`.
#[derive(Debug)]
pub struct Record {
    sender: u32,
    seq: u64,
}

impl Message for Record {
    type Result = ();
}

/// `ping(seq)`.
#[derive(Debug)]
pub struct Ping(u64);

impl Message for Ping {
    type Result = u64;
}

/// `summary()`.
#[derive(Debug)]
pub struct GetSummary;

impl Message for GetSummary {
    type Result = Summary;
}

/// Stops the actor.
#[derive(Debug)]
pub struct Stop;

impl Message for Stop {
    type Result = ();
}

impl Handler<Record> for ATally {
    type Result = ();

    fn handle(&mut self, msg: Record, _: &mut Context<Self>) {
        self.tally.record(msg.sender, msg.seq);
    }
}

impl Handler<Ping> for ATally {
    type Result = u64;

    fn handle(&mut self, msg: Ping, _: &mut Context<Self>) -> u64 {
        self.tally.ping(msg.0)
    }
}

impl Handler<GetSummary> for ATally {
    type Result = MessageResult<GetSummary>;

    fn handle(&mut self, _: GetSummary, _: &mut Context<Self>) -> Self::Result {
        MessageResult(self.tally.summary())
    }
}

impl Handler<Stop> for ATally {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// actix on its own single-threaded `System`.
#[derive(Debug)]
pub struct Actix;

impl Framework for Actix {
    type Handle = Addr<ATally>;

    fn new() -> Self {
        Actix
    }

    async fn spawn(&self) -> Result<Addr<ATally>, Failure> {
        Ok(ATally::default().start())
    }

    async fn tell(h: &Addr<ATally>, sender: u32, seq: u64) -> Result<(), Failure> {
        h.do_send(Record { sender, seq });
        Ok(())
    }

    async fn ping(h: &Addr<ATally>, seq: u64) -> Result<u64, Failure> {
        h.send(Ping(seq))
            .await
            .map_err(|e| Failure::from_err("ask", e))
    }

    async fn summary(h: &Addr<ATally>) -> Result<Summary, Failure> {
        h.send(GetSummary)
            .await
            .map_err(|e| Failure::from_err("ask", e))
    }

    async fn stop_all(&self, handles: Vec<Addr<ATally>>) -> Result<(), Failure> {
        for h in &handles {
            h.do_send(Stop);
        }
        for h in &handles {
            while h.connected() {
                tokio::task::yield_now().await;
            }
        }
        Ok(())
    }

    fn spawn_task<T, F>(fut: F) -> tokio::task::JoinHandle<T>
    where
        F: std::future::Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        actix_rt::spawn(fut)
    }
}
