//! Actor pools: N actors of one kind behind one handle.
//!
//! A [`Pool`] is a supervisor of `size` identical children (restarted when
//! they fail) and a routing handle in front of them. The routing handle is an
//! ordinary handle of the actor type — `pool.work(x).await` has the same
//! typed methods as one actor's handle — that spreads messages over the
//! members:
//! - [`Routing::RoundRobin`]: each member in turn (the default);
//! - [`Routing::LeastLoaded`]: the member with the fewest queued messages;
//! - key-hash (sticky): [`Pool::for_key`] gives the member that owns a key,
//!   always the same one for the same key, so per-key state can live in it.
//!
//! When the chosen member's bounded mailbox is full, a message goes to
//! another member with room; `try_tell` says `Full` only when every member is
//! full, and `tell().await` then waits at the chosen member.
//!
//! ```
//! use actor_core::prelude::*;
//! use actor_core::Routing;
//!
//! #[actor]
//! #[derive(Default)]
//! struct Squarer { served: u64 }
//!
//! #[actor]
//! impl Squarer {
//!     #[message]
//!     fn square(&mut self, x: u64) -> u64 { self.served += 1; x * x }
//!     #[message]
//!     fn served(&self) -> u64 { self.served }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), actor_core::Error> {
//! let system = System::new();
//! let pool = system.pool(4, Squarer::default).routing(Routing::RoundRobin).spawn()?;
//! for x in 0..8 {
//!     assert_eq!(pool.square(x).await?, x * x);     // the pool's handle: typed methods
//! }
//! for member in pool.members() {
//!     assert_eq!(member.served().await?, 2);         // round-robin: two each
//! }
//! let owner = pool.for_key("user-42");               // sticky: same key, same member
//! assert_eq!(owner.id(), pool.for_key("user-42").id());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use crate::actor::Actor;
use crate::cell::ActorCell;
use crate::error::SpawnError;
use crate::handle::{ActorHandle, ActorRef};
use crate::mailbox::{MailboxSender, Member, Router, Routing};
use crate::supervisor::{DEFAULT_INTENSITY, Restart, Strategy, Supervisor, SupervisorRef};
use crate::system::System;

/// A running pool. Dereferences to the routing handle, so it has the actor's
/// typed methods. Cheap to clone.
pub struct Pool<A: Actor> {
    handle: A::Handle,
    members: Arc<[A::Handle]>,
    supervisor: SupervisorRef,
}

impl<A: Actor> Clone for Pool<A> {
    fn clone(&self) -> Self {
        Pool {
            handle: self.handle.clone(),
            members: self.members.clone(),
            supervisor: self.supervisor.clone(),
        }
    }
}

impl<A: Actor> fmt::Debug for Pool<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pool")
            .field("actor", &A::NAME)
            .field("size", &self.members.len())
            .field("supervisor", &self.supervisor)
            .finish()
    }
}

impl<A: Actor> Deref for Pool<A> {
    type Target = A::Handle;

    fn deref(&self) -> &A::Handle {
        &self.handle
    }
}

impl<A: Actor> Pool<A> {
    /// The routing handle (also reachable through `Deref`): a handle of the
    /// actor type whose messages go to the members. Its `id` and lifecycle
    /// (`stop`, `wait_stopped`) are the pool's supervisor's.
    pub fn handle(&self) -> &A::Handle {
        &self.handle
    }

    /// The member that owns `key`: always the same for the same key while the
    /// pool's size stays the same (members keep their handles across restarts).
    pub fn for_key<K: Hash + ?Sized>(&self, key: &K) -> &A::Handle {
        // `DefaultHasher::new()` has fixed keys: the mapping is stable.
        let mut hasher = DefaultHasher::new();
        key.hash(&mut hasher);
        let index = (hasher.finish() % self.members.len() as u64) as usize;
        &self.members[index]
    }

    /// The members' own handles, in start order.
    pub fn members(&self) -> &[A::Handle] {
        &self.members
    }

    /// The supervisor of the members.
    pub fn supervisor(&self) -> &SupervisorRef {
        &self.supervisor
    }
}

/// Options of a pool being spawned: see [`System::pool`].
#[must_use = "a pool starts only with `spawn()`"]
pub struct PoolBuilder<'s, A, F> {
    system: &'s System,
    size: usize,
    factory: Arc<F>,
    routing: Routing,
    restart: Restart,
    supervisor: Option<Supervisor>,
    _actor: std::marker::PhantomData<fn() -> A>,
}

impl<A, F> fmt::Debug for PoolBuilder<'_, A, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolBuilder")
            .field("size", &self.size)
            .field("routing", &self.routing)
            .field("restart", &self.restart)
            .finish_non_exhaustive()
    }
}

impl<'s, A, F> PoolBuilder<'s, A, F>
where
    A: Actor,
    F: Fn() -> A + Send + Sync + 'static,
{
    pub(crate) fn new(system: &'s System, size: usize, factory: F) -> Self {
        PoolBuilder {
            system,
            size: size.max(1),
            factory: Arc::new(factory),
            routing: Routing::RoundRobin,
            restart: Restart::Permanent,
            supervisor: None,
            _actor: std::marker::PhantomData,
        }
    }

    /// The system the pool is spawned in.
    #[cfg_attr(not(feature = "remote"), allow(dead_code))]
    pub(crate) fn system(&self) -> &'s System {
        self.system
    }

    /// How the pool's handle picks a member ([`Routing::RoundRobin`] by default).
    pub fn routing(mut self, routing: Routing) -> Self {
        self.routing = routing;
        self
    }

    /// The members' restart type ([`Restart::Permanent`] by default).
    pub fn restart(mut self, restart: Restart) -> Self {
        self.restart = restart;
        self
    }

    /// The supervisor of the members, with its strategy, intensity and backoff.
    /// By default: one-for-one, allowing 3 restarts per member within 5 seconds.
    pub fn supervisor(mut self, supervisor: Supervisor) -> Self {
        self.supervisor = Some(supervisor);
        self
    }

    /// Starts the members under their supervisor and returns the pool.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime, as [`System::spawn`].
    #[track_caller]
    pub fn spawn(self) -> Result<Pool<A>, SpawnError> {
        crate::system::require_runtime("spawn a pool");
        if self.system.is_shutting_down() {
            return Err(SpawnError::ShuttingDown);
        }
        let size = self.size;
        let supervisor = self.supervisor.unwrap_or_else(|| {
            let (max, period) = DEFAULT_INTENSITY;
            let max = max.saturating_mul(u32::try_from(size).unwrap_or(u32::MAX));
            Supervisor::new(Strategy::OneForOne).intensity(max, period)
        });
        let mut members = Vec::with_capacity(size);
        for _ in 0..size {
            let factory = self.factory.clone();
            let member = supervisor
                .child(move || factory())
                .restart(self.restart)
                .spawn()?;
            members.push(member);
        }
        let router = Router::new(
            members
                .iter()
                .map(|m| {
                    let r = m.actor_ref();
                    Member {
                        tx: r.tx().clone(),
                        live: r.live(),
                    }
                })
                .collect(),
            self.routing,
        );
        // The routing handle's own cell stands for the supervisor: stopping
        // it stops the pool, and it stops with the pool.
        let routing = ActorRef::new(ActorCell::new(), MailboxSender::Routed(Arc::new(router)));
        let supervisor = self
            .system
            .spawn_supervisor(supervisor.with_alias(routing.live()));
        let handle = A::Handle::from_ref(routing);
        Ok(Pool {
            handle,
            members: members.into(),
            supervisor,
        })
    }
}

impl System {
    /// A pool of `size` actors built by `factory` (at least one), supervised and
    /// behind one routing handle: see [`Pool`].
    pub fn pool<A, F>(&self, size: usize, factory: F) -> PoolBuilder<'_, A, F>
    where
        A: Actor,
        F: Fn() -> A + Send + Sync + 'static,
    {
        PoolBuilder::new(self, size, factory)
    }
}
