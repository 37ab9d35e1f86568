//! The floor: the actor a careful engineer writes by hand on tokio. One task,
//! an mpsc mailbox (bounded or unbounded), a `match` in a `while let` loop, a
//! oneshot per reply. No panic catching, no stop signal beside the queue, no
//! tracing: everything actor-core adds on top must be paid for from the
//! difference between this and `#[actor]`.

use tokio::sync::{mpsc, oneshot};

use crate::tally::{Failure, Summary, Tally};
use crate::workload::{BOUNDED_CAPACITY, Framework};

/// The messages of the hand-written actor.
#[derive(Debug)]
pub enum Msg {
    /// `record(sender, seq)`, told.
    Record {
        /// The sender's index.
        sender: u32,
        /// The sender's sequence number.
        seq: u64,
    },
    /// `ping(seq)`, asked.
    Ping {
        /// The ping's sequence number.
        seq: u64,
        /// Where the answer goes.
        reply: oneshot::Sender<u64>,
    },
    /// `summary()`, asked.
    Summary {
        /// Where the answer goes.
        reply: oneshot::Sender<Summary>,
    },
    /// Ends the loop.
    Stop,
}

/// Handles one message; `false` ends the actor.
#[inline]
fn handle(tally: &mut Tally, msg: Msg) -> bool {
    match msg {
        Msg::Record { sender, seq } => tally.record(sender, seq),
        Msg::Ping { seq, reply } => {
            let _ = reply.send(tally.ping(seq));
        }
        Msg::Summary { reply } => {
            let _ = reply.send(tally.summary());
        }
        Msg::Stop => return false,
    }
    true
}

fn gone<T>(_: T) -> Failure {
    Failure::new("the actor is gone")
}

/// The hand-written actor with a bounded mailbox ([`BOUNDED_CAPACITY`]).
#[derive(Debug)]
pub struct Bounded;

/// Handle to a [`Bounded`] hand-written actor.
#[derive(Debug, Clone)]
pub struct BoundedHandle {
    tx: mpsc::Sender<Msg>,
}

impl BoundedHandle {
    /// Spawns the actor on the current runtime.
    pub fn spawn() -> Self {
        let (tx, mut rx) = mpsc::channel(BOUNDED_CAPACITY);
        tokio::spawn(async move {
            let mut tally = Tally::new();
            while let Some(msg) = rx.recv().await {
                if !handle(&mut tally, msg) {
                    break;
                }
            }
        });
        BoundedHandle { tx }
    }

    /// Tells `record`, waiting for room.
    pub async fn record(&self, sender: u32, seq: u64) -> Result<(), Failure> {
        self.tx
            .send(Msg::Record { sender, seq })
            .await
            .map_err(gone)
    }

    /// Tells `record` now or fails.
    pub fn try_record(&self, sender: u32, seq: u64) -> Result<(), Failure> {
        self.tx.try_send(Msg::Record { sender, seq }).map_err(gone)
    }

    /// Asks `ping`.
    pub async fn ping(&self, seq: u64) -> Result<u64, Failure> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Msg::Ping { seq, reply }).await.map_err(gone)?;
        rx.await.map_err(gone)
    }

    /// Asks `summary`.
    pub async fn summary(&self) -> Result<Summary, Failure> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Msg::Summary { reply }).await.map_err(gone)?;
        rx.await.map_err(gone)
    }

    /// Asks the actor to stop and waits until it has.
    pub async fn stop(&self) {
        if self.tx.send(Msg::Stop).await.is_ok() {
            self.tx.closed().await;
        }
    }
}

impl Framework for Bounded {
    type Handle = BoundedHandle;

    fn new() -> Self {
        Bounded
    }

    async fn spawn(&self) -> Result<BoundedHandle, Failure> {
        Ok(BoundedHandle::spawn())
    }

    async fn tell(h: &BoundedHandle, sender: u32, seq: u64) -> Result<(), Failure> {
        h.record(sender, seq).await
    }

    async fn ping(h: &BoundedHandle, seq: u64) -> Result<u64, Failure> {
        h.ping(seq).await
    }

    async fn summary(h: &BoundedHandle) -> Result<Summary, Failure> {
        h.summary().await
    }

    async fn stop_all(&self, handles: Vec<BoundedHandle>) -> Result<(), Failure> {
        for h in &handles {
            h.tx.send(Msg::Stop).await.map_err(gone)?;
        }
        for h in &handles {
            h.tx.closed().await;
        }
        Ok(())
    }
}

/// The hand-written actor with an unbounded mailbox.
#[derive(Debug)]
pub struct Unbounded;

/// Handle to an [`Unbounded`] hand-written actor.
#[derive(Debug, Clone)]
pub struct UnboundedHandle {
    tx: mpsc::UnboundedSender<Msg>,
}

impl UnboundedHandle {
    /// Spawns the actor on the current runtime.
    pub fn spawn() -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut tally = Tally::new();
            while let Some(msg) = rx.recv().await {
                if !handle(&mut tally, msg) {
                    break;
                }
            }
        });
        UnboundedHandle { tx }
    }

    /// Tells `record`.
    pub fn record(&self, sender: u32, seq: u64) -> Result<(), Failure> {
        self.tx.send(Msg::Record { sender, seq }).map_err(gone)
    }

    /// Asks `ping`.
    pub async fn ping(&self, seq: u64) -> Result<u64, Failure> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Msg::Ping { seq, reply }).map_err(gone)?;
        rx.await.map_err(gone)
    }

    /// Asks `summary`.
    pub async fn summary(&self) -> Result<Summary, Failure> {
        let (reply, rx) = oneshot::channel();
        self.tx.send(Msg::Summary { reply }).map_err(gone)?;
        rx.await.map_err(gone)
    }

    /// Asks the actor to stop and waits until it has.
    pub async fn stop(&self) {
        if self.tx.send(Msg::Stop).is_ok() {
            self.tx.closed().await;
        }
    }
}

impl Framework for Unbounded {
    type Handle = UnboundedHandle;

    fn new() -> Self {
        Unbounded
    }

    async fn spawn(&self) -> Result<UnboundedHandle, Failure> {
        Ok(UnboundedHandle::spawn())
    }

    async fn tell(h: &UnboundedHandle, sender: u32, seq: u64) -> Result<(), Failure> {
        h.record(sender, seq)
    }

    async fn ping(h: &UnboundedHandle, seq: u64) -> Result<u64, Failure> {
        h.ping(seq).await
    }

    async fn summary(h: &UnboundedHandle) -> Result<Summary, Failure> {
        h.summary().await
    }

    async fn stop_all(&self, handles: Vec<UnboundedHandle>) -> Result<(), Failure> {
        for h in &handles {
            h.tx.send(Msg::Stop).map_err(gone)?;
        }
        for h in &handles {
            h.tx.closed().await;
        }
        Ok(())
    }
}
