//! Waits, with a deadline, for what actors and supervisors do on their own:
//! stop, restart a child, give up.

use std::future::Future;
use std::panic::Location;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

use crate::actor::StopReason;
use crate::cell::ActorId;
use crate::handle::ActorHandle;
use crate::supervisor::{ChildInfo, Escalation, SupervisorRef};
use crate::system::System;

/// How often [`expect_restarts`] asks the supervisor.
const POLL: Duration = Duration::from_millis(1);

/// What [`expect_stop`] can wait for: any actor's handle (`FooHandle`, an
/// [`ActorRef`](crate::ActorRef)'s handle) and a [`SupervisorRef`].
pub trait Watched: sealed::Sealed {}

mod sealed {
    use super::*;

    pub trait Sealed {
        /// `Counter #3`, for failure messages.
        fn describe(&self) -> String;
        /// What it does now, for failure messages: `alive, 2 messages queued`.
        fn state(&self) -> String;
        fn wait_stopped(&self) -> Pin<Box<dyn Future<Output = StopReason> + Send + '_>>;
    }
}

impl<H: ActorHandle> Watched for H {}

impl<H: ActorHandle> sealed::Sealed for H {
    fn describe(&self) -> String {
        let me = self.actor_ref();
        format!("{} {}", <H::Actor as crate::Actor>::NAME, me.id())
    }

    fn state(&self) -> String {
        let me = self.actor_ref();
        let queued = me.mailbox_len();
        match (me.stop_reason(), me.is_alive()) {
            (Some(reason), _) => format!("stopped: {reason}"),
            (None, true) => format!("alive, {queued} messages queued"),
            (None, false) => format!("stopping, {queued} messages queued"),
        }
    }

    fn wait_stopped(&self) -> Pin<Box<dyn Future<Output = StopReason> + Send + '_>> {
        Box::pin(self.actor_ref().wait_stopped())
    }
}

impl Watched for SupervisorRef {}

impl sealed::Sealed for SupervisorRef {
    fn describe(&self) -> String {
        format!("supervisor {}", self.id())
    }

    fn state(&self) -> String {
        match (self.stop_reason(), self.is_alive()) {
            (Some(reason), _) => format!("stopped: {reason}"),
            (None, true) => "running".to_owned(),
            (None, false) => "stopping".to_owned(),
        }
    }

    fn wait_stopped(&self) -> Pin<Box<dyn Future<Output = StopReason> + Send + '_>> {
        Box::pin(SupervisorRef::wait_stopped(self))
    }
}

/// Waits at most `within` for `actor` (a handle or a supervisor) to stop for
/// good, and returns why. Fails the test if it does not, saying what it is
/// doing (alive, how many messages queued).
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// struct Job;
/// #[actor]
/// impl Job {
///     #[message]
///     fn explode(&mut self) { panic!("boom") }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// # std::panic::set_hook(Box::new(|_| {}));
/// let system = System::new();
/// let job = system.spawn(Job);
/// job.explode().tell().await.unwrap();
/// let StopReason::Panicked(panic) = testing::expect_stop(&job, Duration::from_secs(1)).await else {
///     panic!("not a panic");
/// };
/// assert_eq!(panic.message(), "boom");
/// # }
/// ```
#[track_caller]
pub fn expect_stop<W: Watched>(actor: &W, within: Duration) -> impl Future<Output = StopReason> {
    wait_stop(actor, within, Location::caller())
}

/// Waits at most `within` for `actor` to stop for good with `reason`. Fails
/// the test if it does not stop, or stops for another reason (shown).
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// struct Session;
/// #[actor]
/// impl Session {
///     #[message]
///     fn logout(&mut self, ctx: &mut Context<Self>) { ctx.stop() }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() {
/// let system = System::new();
/// let session = system.spawn(Session);
/// session.logout().tell().await.unwrap();
/// testing::expect_stop_with(&session, StopReason::Normal, Duration::from_secs(1)).await;
/// # }
/// ```
#[track_caller]
pub fn expect_stop_with<W: Watched>(
    actor: &W,
    reason: StopReason,
    within: Duration,
) -> impl Future<Output = ()> {
    let at = Location::caller();
    let stopped = wait_stop(actor, within, at);
    async move {
        let stopped = stopped.await;
        if stopped != reason {
            panic!(
                "{at}: expected {} to stop with `{reason}`; it stopped with `{stopped}`",
                actor.describe()
            );
        }
    }
}

fn wait_stop<'a, W: Watched>(
    actor: &'a W,
    within: Duration,
    at: &'static Location<'static>,
) -> impl Future<Output = StopReason> + 'a {
    let deadline = Instant::now() + within;
    async move {
        match tokio::time::timeout_at(deadline, actor.wait_stopped()).await {
            Ok(reason) => reason,
            Err(_) => panic!(
                "{at}: expected {} to stop within {within:?}; it is {}",
                actor.describe(),
                actor.state()
            ),
        }
    }
}

/// Waits at most `within` until `supervisor` has restarted its child `child`
/// (an [`ActorId`]: `handle.id()`) at least `count` times in all, and returns
/// what the supervisor reports of it. Fails the test, with the count reached,
/// if it has not; or if the supervisor stopped or has no such child (one
/// that stopped for good is forgotten).
///
/// Counting from the child's start makes the wait independent of when it is
/// called: a restart that has already happened counts. It asks the
/// supervisor ([`SupervisorRef::children`]) every millisecond of tokio's
/// clock until the count is reached.
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// #[derive(Default)]
/// struct Cache;
/// #[actor]
/// impl Cache {
///     #[message]
///     fn corrupt(&mut self) { panic!("corrupt entry") }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), actor_core::Error> {
/// # std::panic::set_hook(Box::new(|_| {}));
/// let system = System::new();
/// let tree = Supervisor::new(Strategy::OneForOne)
///     .backoff(Backoff::exponential(Duration::from_secs(1), Duration::from_secs(60)));
/// let cache: CacheHandle = tree.child(Cache::default).spawn()?;
/// let tree = system.spawn_supervisor(tree);
///
/// let start = tokio::time::Instant::now();
/// cache.corrupt().tell().await?;
/// cache.corrupt().tell().await?; // queued: handled by the next instance
/// testing::expect_restarts(&tree, cache.id(), 2, Duration::from_secs(10)).await;
/// // 1 s, then 2 s of backoff, on a paused clock:
/// assert!(start.elapsed() >= Duration::from_secs(3));
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn expect_restarts(
    supervisor: &SupervisorRef,
    child: ActorId,
    count: u64,
    within: Duration,
) -> impl Future<Output = ChildInfo> {
    let at = Location::caller();
    let deadline = Instant::now() + within;
    async move {
        let mut last: Option<ChildInfo> = None;
        loop {
            // A supervisor that backs off answers once it has restarted.
            let Ok(children) = tokio::time::timeout_at(deadline, supervisor.children()).await
            else {
                fail_restarts(at, child, count, within, last.as_ref(), None)
            };
            let Some(info) = children.into_iter().find(|c| c.id == child) else {
                let state = match supervisor.stop_reason() {
                    Some(reason) => format!("the supervisor has stopped: {reason}"),
                    None => {
                        "the supervisor has no such child (one that stops for good is forgotten)"
                            .to_owned()
                    }
                };
                panic!("{at}: expected child {child} to be restarted {count} times; {state}");
            };
            if info.restarts >= count {
                return info;
            }
            if Instant::now() >= deadline {
                fail_restarts(at, child, count, within, Some(&info), Some(()))
            }
            last = Some(info);
            tokio::time::sleep_until(deadline.min(Instant::now() + POLL)).await;
        }
    }
}

/// Fails [`expect_restarts`] with the child as the supervisor last reported
/// it; `answered`: the supervisor answered at the deadline (else it was busy
/// backing off or restarting).
#[cold]
fn fail_restarts(
    at: &Location<'_>,
    child: ActorId,
    count: u64,
    within: Duration,
    last: Option<&ChildInfo>,
    answered: Option<()>,
) -> ! {
    let expected =
        format!("{at}: expected child {child} to be restarted {count} times within {within:?}");
    let Some(info) = last else {
        panic!("{expected}; the supervisor did not answer (it was backing off or restarting)");
    };
    let state = if info.running {
        "running"
    } else {
        "waiting to be restarted"
    };
    let then = if answered.is_some() {
        ""
    } else {
        ", then the supervisor did not answer again (backing off or restarting)"
    };
    panic!(
        "{expected}; it was restarted {} times ({} {state}{then})",
        info.restarts, info.name
    );
}

/// Waits at most `within` until a top-level supervisor of `system` gives up
/// (more restarts than its intensity allows) and returns its failure (the
/// first one, if there were several; at once if there already was one).
/// Fails the test if none does.
///
/// ```
/// use std::time::Duration;
/// use actor_core::prelude::*;
/// use actor_core::testing;
///
/// #[actor]
/// #[derive(Default)]
/// struct Flaky;
/// #[actor]
/// impl Flaky {
///     #[on_start]
///     fn started(&mut self) { panic!("cannot connect") }
/// }
///
/// # #[tokio::main(flavor = "current_thread", start_paused = true)]
/// # async fn main() -> Result<(), actor_core::Error> {
/// # std::panic::set_hook(Box::new(|_| {}));
/// let system = System::new();
/// let tree = Supervisor::new(Strategy::OneForOne).intensity(2, Duration::from_secs(10));
/// tree.child(Flaky::default).spawn()?;
/// let tree = system.spawn_supervisor(tree);
///
/// let escalation = testing::expect_escalation(&system, Duration::from_secs(1)).await;
/// assert_eq!(escalation.supervisor, tree.id());
/// assert!(escalation.reason.to_string().contains("cannot connect"));
/// # Ok(())
/// # }
/// ```
#[track_caller]
pub fn expect_escalation(system: &System, within: Duration) -> impl Future<Output = Escalation> {
    let at = Location::caller();
    let deadline = Instant::now() + within;
    let escalation = system.wait_escalation();
    async move {
        match tokio::time::timeout_at(deadline, escalation).await {
            Ok(escalation) => escalation,
            Err(_) => panic!(
                "{at}: expected a top-level supervisor to give up within {within:?}; none did"
            ),
        }
    }
}
