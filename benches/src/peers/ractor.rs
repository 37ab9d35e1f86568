//! ractor: an `Actor` impl whose state is the tally, a message enum with
//! `RpcReplyPort`s, `Actor::spawn`, `cast`, `call`, `stop` and the join handle.
//! ractor's mailbox is unbounded (tokio's unbounded mpsc); there is no other kind.

use ractor::rpc::CallResult;
use ractor::{Actor, ActorProcessingErr, ActorRef, RpcReplyPort};
use tokio::task::JoinHandle;

use crate::tally::{Failure, Summary, Tally};
use crate::workload::Framework;

/// The benchmark actor's behaviour; its state is a [`Tally`].
#[derive(Debug)]
pub struct RTally;

/// The benchmark actor's messages.
#[derive(Debug)]
pub enum Msg {
    /// `record(sender, seq)`.
    Record(u32, u64),
    /// `ping(seq)`.
    Ping(u64, RpcReplyPort<u64>),
    /// `summary()`.
    Summary(RpcReplyPort<Summary>),
}

impl Actor for RTally {
    type Msg = Msg;
    type State = Tally;
    type Arguments = ();

    async fn pre_start(&self, _: ActorRef<Msg>, _: ()) -> Result<Tally, ActorProcessingErr> {
        Ok(Tally::new())
    }

    async fn handle(
        &self,
        _: ActorRef<Msg>,
        msg: Msg,
        tally: &mut Tally,
    ) -> Result<(), ActorProcessingErr> {
        match msg {
            Msg::Record(sender, seq) => tally.record(sender, seq),
            Msg::Ping(seq, reply) => {
                let _ = reply.send(tally.ping(seq));
            }
            Msg::Summary(reply) => {
                let _ = reply.send(tally.summary());
            }
        }
        Ok(())
    }
}

/// A spawned ractor actor: its reference and the handle that completes when it ends.
#[derive(Debug)]
pub struct RHandle {
    actor: ActorRef<Msg>,
    join: JoinHandle<()>,
}

fn answer<T>(r: Result<CallResult<T>, impl std::fmt::Debug>) -> Result<T, Failure> {
    match r {
        Ok(CallResult::Success(v)) => Ok(v),
        Ok(CallResult::Timeout) => Err(Failure::new("ask timed out")),
        Ok(CallResult::SenderError) => Err(Failure::new("ask: reply dropped")),
        Err(e) => Err(Failure::from_err("ask", e)),
    }
}

/// ractor (unbounded mailbox).
#[derive(Debug)]
pub struct Ractor;

impl Framework for Ractor {
    type Handle = RHandle;

    fn new() -> Self {
        Ractor
    }

    async fn spawn(&self) -> Result<RHandle, Failure> {
        let (actor, join) = Actor::spawn(None, RTally, ())
            .await
            .map_err(|e| Failure::from_err("spawn", e))?;
        Ok(RHandle { actor, join })
    }

    async fn tell(h: &RHandle, sender: u32, seq: u64) -> Result<(), Failure> {
        h.actor
            .cast(Msg::Record(sender, seq))
            .map_err(|e| Failure::from_err("tell", e.to_string()))
    }

    async fn ping(h: &RHandle, seq: u64) -> Result<u64, Failure> {
        answer(h.actor.call(|reply| Msg::Ping(seq, reply), None).await)
    }

    async fn summary(h: &RHandle) -> Result<Summary, Failure> {
        answer(h.actor.call(Msg::Summary, None).await)
    }

    async fn stop_all(&self, handles: Vec<RHandle>) -> Result<(), Failure> {
        for h in &handles {
            h.actor.stop(None);
        }
        for h in handles {
            h.join.await.map_err(|e| Failure::from_err("stop", e))?;
        }
        Ok(())
    }
}
