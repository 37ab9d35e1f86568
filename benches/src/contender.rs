//! The contenders of the comparison: a framework, a mailbox kind and the
//! runtime it runs on, behind one object-safe trait so that the comparison
//! program can rotate through them.

use std::future::Future;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;
use std::time::Duration;

use crate::tally::Failure;
use crate::workload::{self, Framework, MailboxKind, MillionStats, SpawnStats};
use crate::{hand, ours};

/// Where a contender's actors run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeKind {
    /// The one multi-thread tokio runtime of the process, 2 workers; the
    /// workload's driver runs as a task on it.
    MultiThread,
    /// A current-thread tokio runtime of its own.
    CurrentThread,
    /// An actix `System` (a current-thread tokio runtime and a `LocalSet`).
    #[cfg(feature = "peers")]
    Actix,
}

impl RuntimeKind {
    /// How the table names it.
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeKind::MultiThread => "tokio, 2 workers",
            RuntimeKind::CurrentThread => "tokio, current thread",
            #[cfg(feature = "peers")]
            RuntimeKind::Actix => "actix-rt, 1 thread",
        }
    }
}

/// The multi-thread runtime every tokio-based contender shares.
pub fn shared_runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

fn panicked(payload: Box<dyn std::any::Any + Send>) -> Failure {
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    Failure(format!("panicked: {msg}"))
}

/// Runs a workload's driver to completion on a runtime of `kind`.
pub fn block_on<T, F>(kind: RuntimeKind, fut: F) -> Result<T, Failure>
where
    F: Future<Output = Result<T, Failure>> + Send + 'static,
    T: Send + 'static,
{
    match kind {
        RuntimeKind::MultiThread => {
            let rt = shared_runtime();
            rt.block_on(rt.spawn(fut))
                .map_err(|e| Failure::from_err("workload task", e))?
        }
        RuntimeKind::CurrentThread => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| Failure::from_err("runtime", e))?;
            catch_unwind(AssertUnwindSafe(|| rt.block_on(fut))).map_err(panicked)?
        }
        #[cfg(feature = "peers")]
        RuntimeKind::Actix => {
            catch_unwind(AssertUnwindSafe(|| actix_rt::System::new().block_on(fut)))
                .map_err(panicked)?
        }
    }
}

/// A workload with its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workload {
    /// `n` tells from one sender, then an ask that sees them all.
    Tell {
        /// Tells.
        n: u64,
    },
    /// `senders` concurrent senders, `per_sender` tells each, into one actor.
    Contended {
        /// Concurrent senders.
        senders: u32,
        /// Tells per sender.
        per_sender: u64,
    },
    /// `n` sequential asks.
    Ask {
        /// Asks.
        n: u64,
    },
    /// `actors` actors asked once each, concurrently, `rounds` times.
    FanOut {
        /// Actors.
        actors: usize,
        /// Rounds.
        rounds: u64,
    },
    /// `n` idle actors spawned, measured, stopped.
    Spawn {
        /// Actors.
        n: usize,
    },
    /// `n` idle actors (a million) spawned, each asked once, measured.
    Million {
        /// Actors.
        n: usize,
    },
}

/// What a workload measured.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The workload's wall time (per round for fan-out).
    Elapsed(Duration),
    /// Each ask's latency in nanoseconds.
    Latencies(Vec<u64>),
    /// Spawn, stop and memory figures.
    Spawn(SpawnStats),
    /// Spawn, ask and memory figures of the million workload.
    Million(MillionStats),
}

/// One column of the comparison: a framework with a mailbox kind on a runtime.
pub trait Contender: Send + Sync {
    /// A short unique name: `actor-core/bounded`.
    fn id(&self) -> &'static str;
    /// The framework's name as the table shows it.
    fn framework(&self) -> &'static str;
    /// The mailbox kind; ratios are taken against the hand-written actor with the same kind.
    fn mailbox(&self) -> MailboxKind;
    /// Where its actors run.
    fn runtime(&self) -> RuntimeKind;
    /// Runs one workload and checks its result.
    fn run(&self, workload: Workload) -> Result<Outcome, Failure>;
}

/// A [`Contender`] made of a [`Framework`] type.
pub struct Entry<F> {
    id: &'static str,
    framework: &'static str,
    mailbox: MailboxKind,
    runtime: RuntimeKind,
    _framework: PhantomData<fn() -> F>,
}

impl<F: Framework> Entry<F> {
    /// A contender running `F`.
    pub fn new(
        id: &'static str,
        framework: &'static str,
        mailbox: MailboxKind,
        runtime: RuntimeKind,
    ) -> Self {
        Entry {
            id,
            framework,
            mailbox,
            runtime,
            _framework: PhantomData,
        }
    }

    /// The same, boxed for the list of contenders.
    pub fn boxed(
        id: &'static str,
        framework: &'static str,
        mailbox: MailboxKind,
        runtime: RuntimeKind,
    ) -> Box<dyn Contender> {
        Box::new(Entry::<F>::new(id, framework, mailbox, runtime))
    }
}

impl<F: Framework> Contender for Entry<F> {
    fn id(&self) -> &'static str {
        self.id
    }

    fn framework(&self) -> &'static str {
        self.framework
    }

    fn mailbox(&self) -> MailboxKind {
        self.mailbox
    }

    fn runtime(&self) -> RuntimeKind {
        self.runtime
    }

    fn run(&self, workload: Workload) -> Result<Outcome, Failure> {
        let rt = self.runtime;
        match workload {
            Workload::Tell { n } => block_on(rt, workload::tell::<F>(n)).map(Outcome::Elapsed),
            Workload::Contended {
                senders,
                per_sender,
            } => block_on(rt, workload::contended::<F>(senders, per_sender)).map(Outcome::Elapsed),
            Workload::Ask { n } => block_on(rt, workload::ask::<F>(n)).map(Outcome::Latencies),
            Workload::FanOut { actors, rounds } => {
                block_on(rt, workload::fan_out::<F>(actors, rounds)).map(Outcome::Elapsed)
            }
            Workload::Spawn { n } => block_on(rt, workload::spawn::<F>(n)).map(Outcome::Spawn),
            Workload::Million { n } => {
                block_on(rt, workload::million::<F>(n)).map(Outcome::Million)
            }
        }
    }
}

/// Why a contender may fail a workload by design (a peer's documented
/// behaviour, not a bug of this package); `None` for a real failure.
pub fn known_failure(id: &str, workload: Workload) -> Option<&'static str> {
    #[cfg(feature = "peers")]
    {
        crate::peers::known_failure(id, workload)
    }
    #[cfg(not(feature = "peers"))]
    {
        let _ = (id, workload);
        None
    }
}

/// The id of the hand-written actor a contender is compared to: the one with
/// the same mailbox kind on the same kind of runtime (the multi-thread one, or
/// a single thread for actix and the current-thread rows).
pub fn baseline_id(mailbox: MailboxKind, runtime: RuntimeKind) -> &'static str {
    match (runtime, mailbox) {
        (RuntimeKind::MultiThread, MailboxKind::Bounded) => "tokio/bounded",
        (RuntimeKind::MultiThread, MailboxKind::Unbounded) => "tokio/unbounded",
        (_, MailboxKind::Bounded) => "tokio-1t/bounded",
        (_, MailboxKind::Unbounded) => "tokio-1t/unbounded",
    }
}

/// [`baseline_id`] of a contender.
pub fn baseline_of(c: &dyn Contender) -> &'static str {
    baseline_id(c.mailbox(), c.runtime())
}

/// An actor-core contender and its supervised twin, for the "supervised vs
/// unsupervised" table.
#[derive(Debug, Clone, Copy)]
pub struct SupervisedPair {
    /// The mailbox kind of both.
    pub mailbox: MailboxKind,
    /// The id of the unsupervised contender.
    pub unsupervised: &'static str,
    /// The id of the same actor as a supervised child, once supervision exists.
    pub supervised: Option<&'static str>,
    /// What the table says while `supervised` is `None`.
    pub missing: &'static str,
}

/// The supervised/unsupervised pairs: the benchmark actor spawned plainly,
/// and as a child of a supervisor (`Supervisor::new(..).child(..).spawn()`).
pub fn supervised_pairs() -> Vec<SupervisedPair> {
    const MISSING: &str = "n/a";
    vec![
        SupervisedPair {
            mailbox: MailboxKind::Bounded,
            unsupervised: "actor-core/bounded",
            supervised: Some("actor-core-supervised/bounded"),
            missing: MISSING,
        },
        SupervisedPair {
            mailbox: MailboxKind::Unbounded,
            unsupervised: "actor-core/unbounded",
            supervised: Some("actor-core-supervised/unbounded"),
            missing: MISSING,
        },
    ]
}

/// Every contender this build has, in table order: bounded mailboxes first,
/// each group led by its hand-written baseline. The peers are there only with
/// the `peers` feature.
pub fn contenders() -> Vec<Box<dyn Contender>> {
    use MailboxKind::{Bounded, Unbounded};
    use RuntimeKind::{CurrentThread, MultiThread};
    let mut all: Vec<Box<dyn Contender>> = vec![
        Entry::<hand::Bounded>::boxed("tokio/bounded", "hand-written tokio", Bounded, MultiThread),
        Entry::<ours::Bounded>::boxed("actor-core/bounded", "actor-core", Bounded, MultiThread),
        Entry::<ours::SupervisedBounded>::boxed(
            "actor-core-supervised/bounded",
            "actor-core, supervised child",
            Bounded,
            MultiThread,
        ),
    ];
    #[cfg(feature = "peers")]
    all.extend(crate::peers::bounded());
    all.push(Entry::<hand::Unbounded>::boxed(
        "tokio/unbounded",
        "hand-written tokio",
        Unbounded,
        MultiThread,
    ));
    all.push(Entry::<ours::Unbounded>::boxed(
        "actor-core/unbounded",
        "actor-core",
        Unbounded,
        MultiThread,
    ));
    all.push(Entry::<ours::SupervisedUnbounded>::boxed(
        "actor-core-supervised/unbounded",
        "actor-core, supervised child",
        Unbounded,
        MultiThread,
    ));
    #[cfg(feature = "peers")]
    all.extend(crate::peers::unbounded());
    all.push(Entry::<hand::Unbounded>::boxed(
        "tokio-1t/unbounded",
        "hand-written tokio",
        Unbounded,
        CurrentThread,
    ));
    all.push(Entry::<ours::Unbounded>::boxed(
        "actor-core-1t/unbounded",
        "actor-core",
        Unbounded,
        CurrentThread,
    ));
    #[cfg(feature = "peers")]
    all.extend(crate::peers::single_threaded());
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small counts: checks that every workload runs and checks its result
    /// for the contenders built without the `peers` feature.
    #[test]
    fn every_workload_passes_its_checks_for_every_contender() {
        let workloads = [
            Workload::Tell { n: 2_000 },
            Workload::Contended {
                senders: 4,
                per_sender: 500,
            },
            Workload::Ask { n: 200 },
            Workload::FanOut {
                actors: 50,
                rounds: 3,
            },
            Workload::Spawn { n: 200 },
            Workload::Million { n: 300 },
        ];
        for c in contenders() {
            for w in workloads {
                match c.run(w) {
                    Ok(_) => {}
                    Err(_) if known_failure(c.id(), w).is_some() => {}
                    Err(e) => panic!("{} failed {w:?}: {e}", c.id()),
                }
            }
        }
    }

    #[test]
    fn every_mailbox_kind_has_its_baseline() {
        let all = contenders();
        for c in &all {
            let base = baseline_of(c.as_ref());
            assert!(
                all.iter().any(|b| b.id() == base),
                "{} has no baseline",
                c.id()
            );
        }
    }
}
