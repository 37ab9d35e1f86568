//! A test kit for the tests you write about your own actors (feature
//! `testing`, for `[dev-dependencies]`):
//!
//! - **probes**, which record what they are told or asked and answer
//!   `expect_*` calls with a deadline: [`probe`] gives a [`Recipient<T>`] to
//!   hand to the actor under test, [`probe_answering`] one that answers asks,
//!   [`probe_asks`] one whose asks the test answers, [`probe_events`] one
//!   that records an event bus;
//! - **stand-ins** for an actor type: [`stand_in`] gives a real `FooHandle`
//!   whose messages a closure of the test answers, [`stand_in_probe`] one
//!   whose messages wait in a probe for the test to look at and answer. The
//!   actor under test runs against them instead of its real collaborators;
//! - **waits with a deadline** for what actors do on their own: [`expect_stop`]
//!   and [`expect_stop_with`], [`expect_restarts`] (of a supervised child),
//!   [`expect_escalation`] (of a top-level supervisor).
//!
//! Every `expect_*` fails the test with a message that says where it was
//! called, what it waited for, and what happened instead: the messages that
//! did arrive, the reason an actor stopped for, how often a child was
//! restarted.
//!
//! ```toml
//! [dev-dependencies]
//! actor-core = { version = "0.1", features = ["testing"] }
//! tokio = { version = "1", features = ["macros", "rt", "time", "test-util"] }
//! ```
//!
//! # A complete test
//!
//! A `Shop` sells through a `Payments` actor, which in production talks to a
//! bank. The test stands in for `Payments` with a closure, and the shop under
//! test cannot tell the difference:
//!
//! ```
//! use actor_core::prelude::*;
//! use actor_core::testing;
//!
//! /// Charges cards (in production, through the bank's API).
//! #[actor]
//! struct Payments;
//!
//! #[actor]
//! impl Payments {
//!     /// Charges `cents`; the bank's reference of the payment.
//!     #[message]
//!     async fn charge(&mut self, cents: u64) -> Result<String, String> {
//!         unimplemented!("calls the bank")
//!     }
//! }
//!
//! /// The actor under test.
//! #[actor]
//! struct Shop { payments: PaymentsHandle, sold: u32 }
//!
//! #[actor]
//! impl Shop {
//!     /// Sells an item for `cents`: the items sold so far, or why not.
//!     #[message]
//!     async fn sell(&mut self, cents: u64) -> Result<u32, String> {
//!         match self.payments.charge(cents).await {
//!             Ok(Ok(_reference)) => {
//!                 self.sold += 1;
//!                 Ok(self.sold)
//!             }
//!             Ok(Err(declined)) => Err(declined),
//!             Err(unreachable) => Err(format!("payments: {unreachable}")),
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! // #[tokio::test(start_paused = true)]
//! // async fn a_declined_card_sells_nothing() {
//! let system = System::new();
//! // `PaymentsCall` is generated with the actor: one variant per message,
//! // its arguments, and the reply to answer an ask through.
//! let payments = testing::stand_in::<Payments>(&system, |call| match call {
//!     PaymentsCall::Charge { cents, reply } if cents <= 100_00 => {
//!         reply.send(Ok(format!("ref-{cents}")))
//!     }
//!     PaymentsCall::Charge { reply, .. } => reply.send(Err("declined".to_owned())),
//! });
//! let shop = system.spawn(Shop { payments, sold: 0 });
//!
//! assert_eq!(shop.sell(25_00).await, Ok(Ok(1)));
//! assert_eq!(shop.sell(500_00).await, Ok(Err("declined".to_owned())));
//! assert_eq!(shop.sell(10_00).await, Ok(Ok(2)));
//! # }
//! ```
//!
//! To look at each message as it comes, and answer it from the test, record
//! them instead ([`stand_in_probe`]); a [`Probe`] fails with what it got:
//!
//! ```
//! # use actor_core::prelude::*;
//! # use actor_core::testing;
//! # #[actor] struct Payments;
//! # #[actor] impl Payments {
//! #     #[message] async fn charge(&mut self, cents: u64) -> Result<String, String> { unimplemented!() }
//! # }
//! # #[actor] struct Shop { payments: PaymentsHandle, sold: u32 }
//! # #[actor] impl Shop {
//! #     #[message] async fn sell(&mut self, cents: u64) -> Result<u32, String> {
//! #         match self.payments.charge(cents).await {
//! #             Ok(Ok(_)) => { self.sold += 1; Ok(self.sold) }
//! #             Ok(Err(declined)) => Err(declined),
//! #             Err(e) => Err(e.to_string()),
//! #         }
//! #     }
//! # }
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let system = System::new();
//! let (payments, mut charges) = testing::stand_in_probe::<Payments>(&system);
//! let shop = system.spawn(Shop { payments, sold: 0 });
//!
//! let sale = tokio::spawn(shop.sell(42_00).into_owned().into_future());
//! let PaymentsCall::Charge { cents, reply } =
//!     charges.expect_message(Duration::from_secs(1)).await;
//! assert_eq!(cents, 42_00);
//! reply.send(Ok("ref-1".to_owned()));
//! assert_eq!(sale.await.unwrap(), Ok(Ok(1)));
//! charges.expect_no_message(Duration::from_secs(10)).await;
//! # }
//! ```
//!
//! # Virtual time
//!
//! Timers ([`Context::send_after`](crate::Context::send_after),
//! [`Context::send_interval`](crate::Context::send_interval)), supervisors'
//! [`Backoff`](crate::Backoff), ask timeouts
//! ([`Request::timeout`](crate::Request::timeout)), stop deadlines and every
//! `expect_*` deadline of this kit run on tokio's clock. Paused, that clock
//! moves only when every task waits, and then jumps straight to the next
//! timer: a test of a 30 second timer takes no time, and its outcome does not
//! depend on how loaded the machine is.
//!
//! ```
//! use std::time::Duration;
//! use actor_core::prelude::*;
//! use actor_core::testing;
//!
//! /// Tells its listener every minute how many minutes have passed.
//! #[actor]
//! struct Clock { listener: Recipient<u32>, minutes: u32 }
//!
//! #[actor]
//! impl Clock {
//!     #[on_start]
//!     fn started(&mut self, ctx: &mut Context<Self>) {
//!         ctx.send_interval(Duration::from_secs(60), |me| me.tick());
//!     }
//!     #[message]
//!     fn tick(&mut self) {
//!         self.minutes += 1;
//!         let _ = self.listener.try_tell(self.minutes);
//!     }
//! }
//!
//! // #[tokio::test(start_paused = true)]
//! # #[tokio::main(flavor = "current_thread", start_paused = true)]
//! # async fn main() {
//! let system = System::new();
//! let (listener, mut minutes) = testing::probe::<u32>(&system);
//! system.spawn(Clock { listener, minutes: 0 });
//!
//! let start = tokio::time::Instant::now();
//! minutes.expect_no_message(Duration::from_secs(59)).await; // takes no real time
//! assert_eq!(minutes.expect_message(Duration::from_secs(2)).await, 1);
//! assert_eq!(minutes.expect_message(Duration::from_secs(61)).await, 2);
//! assert_eq!(start.elapsed(), Duration::from_secs(120));
//! # }
//! ```
//!
//! - `#[tokio::test(start_paused = true)]` (or `tokio::time::pause()` at the
//!   start) needs tokio's `test-util` feature and the current-thread runtime,
//!   the default of `#[tokio::test]`.
//! - The clock jumps whenever the runtime has nothing to do, even while work
//!   goes on elsewhere: on the CPU pool ([`System::cpu`]), on another runtime,
//!   in a blocking thread. A deadline then passes at once, as if that work had
//!   taken forever. Under a paused clock, keep such work out of what the test
//!   waits for, or let the clock run (`tokio::time::resume()`) around it.
//! - `std::time::Instant` does not follow tokio's clock; code that measures
//!   time with it sees real time. `tokio::time::Instant` follows it.
//!
//! # What the kit cannot do
//!
//! - A stand-in is not an instance of the actor: it has no state, no hooks
//!   (`on_start`, `on_stop`, ...), no [`Context`](crate::Context), so it does
//!   not watch, link, spawn children or set timers. It takes the messages
//!   sent to its handle, stops as an actor stops ([`ActorRef::stop`],
//!   [`ActorRef::kill`], a system shutdown, a linked actor's failure), and a
//!   panic in its closure stops it with [`StopReason::Panicked`].
//! - A stand-in is not supervised: a supervisor builds its children from
//!   their factories, so a child cannot be a stand-in; stand in for what the
//!   child talks to instead.
//! - [`expect_restarts`] asks the supervisor for its children until the
//!   count is reached (one message per millisecond of the clock, real or
//!   virtual): supervisors publish no restart event yet.
//! - `expect_*` deadlines are failure bounds, not timing assertions: under
//!   real time, pick them generous (a loaded machine is slow); under a paused
//!   clock they cost nothing, and [`tokio::time::Instant`] tells exact times.
//!
//! [`ActorRef::stop`]: crate::ActorRef::stop
//! [`ActorRef::kill`]: crate::ActorRef::kill
//! [`StopReason::Panicked`]: crate::StopReason::Panicked
//! [`System::cpu`]: crate::System::cpu
//! [`Recipient<T>`]: crate::Recipient

mod generated;
mod lifecycle;
mod probe;
mod sink;
mod stand_in;

pub use lifecycle::{Watched, expect_escalation, expect_restarts, expect_stop, expect_stop_with};
pub use probe::Probe;
pub use sink::{probe, probe_answering, probe_asks, probe_events};
pub use stand_in::{Calls, stand_in, stand_in_probe};

#[doc(hidden)]
pub use generated::{__Arg, __ShowDebug, __ShowOpaque, __asked, __debug_call, __told};
