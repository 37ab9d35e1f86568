//! actor-core: the benchmark actor written the way a user writes one,
//! `#[actor]` on the struct and on the `impl`, with the default bounded
//! mailbox and with `#[actor(mailbox = unbounded)]`.

use actor_core::prelude::*;

use crate::tally::{Failure, Summary, Tally};
use crate::workload::Framework;

/// Declares one benchmark actor type of actor-core (the same body for every
/// mailbox kind) and its [`Framework`] implementation.
macro_rules! tally_actor {
    ($(#[$attr:meta])* $name:ident, $handle:ident, $framework:ident) => {
        $(#[$attr])*
        #[derive(Debug, Default)]
        pub struct $name {
            tally: Tally,
        }

        #[actor]
        impl $name {
            /// Counts a told message.
            #[message]
            pub fn record(&mut self, sender: u32, seq: u64) {
                self.tally.record(sender, seq);
            }

            /// Answers how many pings arrived.
            #[message]
            pub fn ping(&mut self, seq: u64) -> u64 {
                self.tally.ping(seq)
            }

            /// What the actor saw.
            #[message]
            pub fn summary(&self) -> Summary {
                self.tally.summary()
            }
        }

        /// The [`Framework`] of this actor type: one [`System`] per workload.
        #[derive(Debug)]
        pub struct $framework {
            system: System,
        }

        impl $framework {
            /// The system the actors are spawned in.
            pub fn system(&self) -> &System {
                &self.system
            }
        }

        impl Framework for $framework {
            type Handle = $handle;

            fn new() -> Self {
                $framework {
                    system: System::new(),
                }
            }

            async fn spawn(&self) -> Result<$handle, Failure> {
                Ok(self.system.spawn($name::default()))
            }

            async fn tell(h: &$handle, sender: u32, seq: u64) -> Result<(), Failure> {
                h.record(sender, seq)
                    .tell()
                    .await
                    .map_err(|e| Failure::from_err("tell", e))
            }

            async fn ping(h: &$handle, seq: u64) -> Result<u64, Failure> {
                h.ping(seq).await.map_err(|e| Failure::from_err("ask", e))
            }

            async fn summary(h: &$handle) -> Result<Summary, Failure> {
                h.summary().await.map_err(|e| Failure::from_err("ask", e))
            }

            async fn stop_all(&self, handles: Vec<$handle>) -> Result<(), Failure> {
                for h in &handles {
                    h.stop();
                }
                for h in &handles {
                    let reason = h.wait_stopped().await;
                    if reason != StopReason::Normal {
                        return Err(Failure::from_err("stop", reason));
                    }
                }
                Ok(())
            }

            async fn finish(self) {
                self.system.shutdown().await;
            }
        }
    };
}

/// The same actors as supervised children: one supervisor per [`Framework`]
/// (one-for-one, permanent children), every actor spawned under it. This is
/// the "supervised vs unsupervised" comparison: the message path of a
/// supervised child must cost (almost) nothing more.
macro_rules! supervised_framework {
    ($(#[$attr:meta])* $framework:ident, $actor:ident, $handle:ident) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub struct $framework {
            system: System,
            tree: SupervisorRef,
        }

        impl Framework for $framework {
            type Handle = $handle;

            fn new() -> Self {
                let system = System::new();
                let tree = system.spawn_supervisor(
                    Supervisor::new(Strategy::OneForOne).intensity(1000, std::time::Duration::from_secs(1)),
                );
                $framework { system, tree }
            }

            async fn spawn(&self) -> Result<$handle, Failure> {
                let h = self
                    .tree
                    .child($actor::default)
                    .restart(Restart::Transient)
                    .spawn()
                    .map_err(|e| Failure::from_err("spawn", e))?;
                // A supervised child starts when its supervisor gets to it,
                // after `spawn` returns. Wait for it, so that the workloads
                // measure the message path, not a million tells piling up
                // (and allocating queue blocks) before the child runs.
                h.summary().await.map_err(|e| Failure::from_err("start", e))?;
                Ok(h)
            }

            async fn tell(h: &$handle, sender: u32, seq: u64) -> Result<(), Failure> {
                h.record(sender, seq)
                    .tell()
                    .await
                    .map_err(|e| Failure::from_err("tell", e))
            }

            async fn ping(h: &$handle, seq: u64) -> Result<u64, Failure> {
                h.ping(seq).await.map_err(|e| Failure::from_err("ask", e))
            }

            async fn summary(h: &$handle) -> Result<Summary, Failure> {
                h.summary().await.map_err(|e| Failure::from_err("ask", e))
            }

            async fn stop_all(&self, handles: Vec<$handle>) -> Result<(), Failure> {
                // Transient children stopped normally are not restarted.
                for h in &handles {
                    h.stop();
                }
                for h in &handles {
                    let reason = h.wait_stopped().await;
                    if reason != StopReason::Normal {
                        return Err(Failure::from_err("stop", reason));
                    }
                }
                Ok(())
            }

            async fn finish(self) {
                self.system.shutdown().await;
            }
        }
    };
}

tally_actor!(
    /// actor-core's benchmark actor with the default mailbox (bounded, 1024).
    #[actor]
    OursBounded,
    OursBoundedHandle,
    Bounded
);

tally_actor!(
    /// actor-core's benchmark actor with an unbounded mailbox.
    #[actor(mailbox = unbounded)]
    OursUnbounded,
    OursUnboundedHandle,
    Unbounded
);

supervised_framework!(
    /// [`OursBounded`] as a supervised child.
    SupervisedBounded,
    OursBounded,
    OursBoundedHandle
);

supervised_framework!(
    /// [`OursUnbounded`] as a supervised child.
    SupervisedUnbounded,
    OursUnbounded,
    OursUnboundedHandle
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::BOUNDED_CAPACITY;

    #[test]
    fn the_bounded_actor_has_the_capacity_the_others_are_given() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let system = System::new();
            let h = system.spawn(OursBounded::default());
            assert_eq!(h.mailbox_capacity(), Some(BOUNDED_CAPACITY));
            let h = system.spawn(OursUnbounded::default());
            assert_eq!(h.mailbox_capacity(), None);
            system.shutdown().await;
        });
    }
}
