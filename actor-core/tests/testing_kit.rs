//! The test kit (`testing` feature): probes record what they are sent and
//! fail with what came; stand-ins take an actor type's messages and live as
//! actors do; the waits for stops, restarts and escalations; virtual time.
#![cfg(feature = "testing")]

use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use actor_core::prelude::*;
use actor_core::testing::{self, Calls};
use futures::FutureExt;
use tokio::time::Instant;

// ---------------------------------------------------------------------------
// Actors of the tests
// ---------------------------------------------------------------------------

/// A collaborator that the tests always stand in for.
#[actor]
struct Payments;

#[actor]
impl Payments {
    #[message]
    fn charge(&mut self, cents: u64) -> Result<String, String> {
        unreachable!("stood in for: {cents}")
    }
    #[message]
    fn refund(&mut self, reference: String) {
        unreachable!("stood in for: {reference}")
    }
    #[message]
    async fn balance(&self) -> u64 {
        unreachable!("stood in for")
    }
}

/// The actor under test: sells through `Payments`.
#[actor]
struct Shop {
    payments: PaymentsHandle,
    sold: u32,
}

#[actor]
impl Shop {
    #[message]
    async fn sell(&mut self, cents: u64) -> Result<u32, String> {
        match self.payments.charge(cents).await {
            Ok(Ok(_)) => {
                self.sold += 1;
                Ok(self.sold)
            }
            Ok(Err(declined)) => Err(declined),
            Err(e) => Err(format!("payments: {e}")),
        }
    }
    #[message]
    fn take_back(&mut self, reference: String) -> Result<(), TrySendError> {
        self.payments.refund(reference).try_tell()
    }
    #[message]
    fn link_to(&mut self, payments: PaymentsHandle, ledger: LedgerHandle, ctx: &mut Context<Self>) {
        ctx.link(&payments);
        ctx.link(&ledger);
    }
    #[message]
    fn explode(&mut self) {
        panic!("shop exploded on purpose")
    }
}

/// An actor type that traps its links' failures: its stand-in gets the
/// notice as a message, which it does not see.
#[actor]
struct Ledger;

#[actor]
impl Ledger {
    #[message]
    fn total(&self) -> u64 {
        unreachable!()
    }
    #[on_link_died]
    fn partner_died(&mut self, id: ActorId, reason: StopReason) {
        let _ = (id, reason);
    }
}

#[actor]
struct Store<T: Send + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + Clone + 'static> Store<T> {
    #[message]
    fn put(&mut self, item: T) {
        self.items.push(item);
    }
    #[message]
    fn get(&self, index: usize) -> Option<T> {
        self.items.get(index).cloned()
    }
}

/// Arguments larger than `BOX_ARGS_OVER` travel boxed: a call has them unboxed.
#[actor]
struct Disk;

#[actor]
impl Disk {
    #[message]
    fn write(&mut self, block: [u8; 4096], at: u64) -> u64 {
        let _ = block;
        at
    }
}

/// No messages: its call enum has no variants.
#[actor]
struct Idle;

#[actor]
impl Idle {}

/// A message compiled out: so is its call.
#[actor]
struct Versioned;

#[actor]
impl Versioned {
    #[cfg(any())]
    #[message]
    fn gone(&mut self) {}
    #[message]
    fn here(&mut self) -> u8 {
        unreachable!()
    }
}

#[actor]
#[derive(Default)]
struct Crashy {
    started: u32,
}

#[actor]
impl Crashy {
    #[on_start]
    fn started(&mut self) {
        self.started += 1;
    }
    #[message]
    fn crash(&mut self) {
        panic!("crashed on purpose")
    }
    #[message]
    fn ping(&self) -> u32 {
        self.started
    }
}

/// Tells its recipient after `delay`, once.
#[actor]
struct Alarm {
    delay: Duration,
    out: Recipient<&'static str>,
}

#[actor]
impl Alarm {
    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.send_after(self.delay, |me| me.ring());
    }
    #[message]
    fn ring(&mut self) {
        let _ = self.out.try_tell("ring");
    }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

thread_local! {
    /// Set while a test runs an expectation that must fail: its panic is
    /// the result, not noise.
    static EXPECTING: Cell<bool> = const { Cell::new(false) };
}

/// Panics on purpose (and expected failures) are not printed.
fn quiet_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if !EXPECTING.with(Cell::get) && !message.contains("on purpose") {
                default(info);
            }
        }));
    });
}

/// Runs `expectation`, which must fail, and returns its failure message.
async fn failure_of<T>(expectation: impl Future<Output = T>) -> String {
    quiet_panics();
    EXPECTING.with(|e| e.set(true));
    let outcome = AssertUnwindSafe(expectation).catch_unwind().await;
    EXPECTING.with(|e| e.set(false));
    let Err(payload) = outcome else {
        panic!("the expectation passed; it should have failed");
    };
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .expect("a panic message")
}

const SOON: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------
// Probes
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_probe_records_tells_and_asks_in_order_and_answers_asks() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<u32>(&system);
    sink.tell(1).await.unwrap();
    assert_eq!(sink.ask(2).await, Ok(()));
    sink.try_tell(3).unwrap();
    assert_eq!(probe.expect_messages(3, SOON).await, [1, 2, 3]);
    assert_eq!(probe.taken(), 3);
    assert_eq!(probe.try_next(), None);
    assert!(sink.is_alive());
}

#[tokio::test(start_paused = true)]
async fn a_probe_answering_answers_each_ask_from_what_was_sent() {
    let system = System::new();
    let (sink, mut probe) = testing::probe_answering(&system, |s: &String| s.len() * 10);
    assert_eq!(sink.ask("abc".to_owned()).await, Ok(30));
    sink.tell("told".to_owned()).await.unwrap();
    assert_eq!(probe.expect_message(SOON).await, "abc");
    assert_eq!(probe.expect_message(SOON).await, "told");
}

#[tokio::test(start_paused = true)]
async fn a_probe_of_asks_lets_the_test_answer_later_or_not_at_all() {
    let system = System::new();
    let (sink, mut asked) = testing::probe_asks::<&'static str, u32>(&system);
    let first = tokio::spawn(sink.ask("first"));
    let (item, reply) = asked.expect_message(SOON).await;
    assert_eq!(item, "first");
    let second = tokio::spawn(sink.ask("second"));
    let (_, unanswered) = asked.expect_message(SOON).await;
    sink.tell("told").await.unwrap();
    let (told, told_reply) = asked.expect_message(SOON).await;
    assert_eq!(told, "told");
    assert!(!told_reply.is_wanted(), "a tell has nobody waiting");

    reply.send(7);
    assert_eq!(first.await.unwrap(), Ok(7));
    drop(unanswered);
    assert_eq!(second.await.unwrap(), Err(AskError::NoReply));
}

#[tokio::test(start_paused = true)]
async fn expect_no_message_waits_on_the_paused_clock_and_shows_what_came() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<u32>(&system);
    let start = Instant::now();
    probe.expect_no_message(Duration::from_secs(3600)).await;
    assert_eq!(start.elapsed(), Duration::from_secs(3600), "virtual time");

    sink.tell(1).await.unwrap();
    assert_eq!(probe.expect_message(SOON).await, 1);
    sink.tell(42).await.unwrap();
    let failure = failure_of(probe.expect_no_message(SOON)).await;
    assert!(
        failure.contains("expected no message within 1s, got: 42"),
        "{failure}"
    );
    assert!(failure.contains("taken before (1): 1"), "{failure}");
    assert!(failure.contains("Recipient<u32, ()>"), "{failure}");
    assert!(
        failure.starts_with(&format!("{}:", file!())),
        "the failure points at the test's line: {failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn expect_message_fails_after_its_deadline_with_the_last_messages_taken() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<String>(&system);
    for word in ["a", "b"] {
        sink.tell(word.to_owned()).await.unwrap();
    }
    probe.expect_messages(2, SOON).await;
    let start = Instant::now();
    let failure = failure_of(probe.expect_message(Duration::from_secs(5))).await;
    assert_eq!(start.elapsed(), Duration::from_secs(5));
    assert!(
        failure.contains("expected a message within 5s, got none"),
        "{failure}"
    );
    assert!(
        failure.contains(r#"taken before (2): "a", "b""#),
        "{failure}"
    );
    assert!(failure.contains("(alive)"), "{failure}");
}

#[tokio::test(start_paused = true)]
async fn expect_messages_fails_with_those_that_came() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<u32>(&system);
    sink.tell(5).await.unwrap();
    let failure = failure_of(probe.expect_messages(3, SOON)).await;
    assert!(
        failure.contains("expected 3 messages within 1s, got 1: [5]"),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn expect_message_matching_skips_others_and_lists_them_when_none_matches() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<u32>(&system);
    for n in [1, 3, 4, 5] {
        sink.tell(n).await.unwrap();
    }
    assert_eq!(probe.expect_message_matching(SOON, |n| n % 2 == 0).await, 4);
    let failure = failure_of(probe.expect_message_matching(SOON, |n| *n > 10)).await;
    assert!(
        failure.contains("got 1 that did not match: [5]"),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_probe_whose_actor_stopped_says_why_nothing_more_comes() {
    let system = System::new();
    let (sink, mut probe) = testing::probe::<u32>(&system);
    system.shutdown().await;
    assert_eq!(sink.tell(1).await, Err(SendError::Stopped));
    let failure = failure_of(probe.expect_message(SOON)).await;
    assert!(failure.contains("nothing more can come"), "{failure}");
    assert!(failure.contains("(stopped: shut down)"), "{failure}");
    // Nothing more can come: no message within any time.
    probe.expect_no_message(SOON).await;
}

#[tokio::test(start_paused = true)]
async fn a_probe_of_events_records_the_bus_and_says_when_it_missed_events() {
    let system = System::builder().event_capacity(2).build();
    let mut events = testing::probe_events::<u32>(&system);
    let bus = system.events::<u32>();
    bus.publish(1);
    assert_eq!(events.expect_message(SOON).await, 1);
    // More than the bus holds, before the probe's task runs.
    for n in 2..=6 {
        bus.publish(n);
    }
    let failure = failure_of(events.expect_messages(2, SOON)).await;
    assert!(failure.contains("the probe missed 3 events"), "{failure}");
}

// ---------------------------------------------------------------------------
// Stand-ins
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_actor_under_test_runs_against_a_stand_in_closure() {
    let system = System::new();
    let charged = Arc::new(Mutex::new(Vec::new()));
    let payments = testing::stand_in::<Payments>(&system, {
        let charged = charged.clone();
        move |call| match call {
            PaymentsCall::Charge { cents, reply } if cents <= 100 => {
                charged.lock().unwrap().push(cents);
                reply.send(Ok(format!("ref-{cents}")));
            }
            PaymentsCall::Charge { reply, .. } => reply.send(Err("declined".to_owned())),
            PaymentsCall::Refund { .. } => {}
            PaymentsCall::Balance { reply } => reply.send(0),
        }
    });
    let shop = system.spawn(Shop {
        payments: payments.clone(),
        sold: 0,
    });
    assert_eq!(shop.sell(50).await, Ok(Ok(1)));
    assert_eq!(shop.sell(500).await, Ok(Err("declined".to_owned())));
    assert_eq!(shop.sell(100).await, Ok(Ok(2)));
    assert_eq!(payments.balance().await, Ok(0));
    assert_eq!(*charged.lock().unwrap(), [50, 100]);
}

#[tokio::test(start_paused = true)]
async fn a_recorded_stand_in_shows_each_call_with_its_arguments_and_kind() {
    let system = System::new();
    let (payments, mut calls) = testing::stand_in_probe::<Payments>(&system);
    let shop = system.spawn(Shop {
        payments: payments.clone(),
        sold: 0,
    });
    let sale = tokio::spawn(shop.sell(42).into_owned().into_future());
    let call = calls.expect_message(SOON).await;
    assert_eq!(format!("{call:?}"), "Charge { cents: 42 } (ask)");
    let PaymentsCall::Charge { reply, .. } = call else {
        panic!("{call:?}");
    };
    reply.send(Ok("ref-1".to_owned()));
    assert_eq!(sale.await.unwrap(), Ok(Ok(1)));

    shop.take_back("ref-1".to_owned()).await.unwrap().unwrap();
    let failure = failure_of(calls.expect_no_message(SOON)).await;
    assert!(
        failure.contains(r#"got: Refund { reference: "ref-1" } (tell)"#),
        "{failure}"
    );
    assert!(
        failure.contains(&format!("stand-in for Payments {} (alive)", payments.id())),
        "{failure}"
    );
    assert!(
        failure.contains("taken before (1): Charge { cents: 42 } (ask)"),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stand_in_takes_its_messages_in_mailbox_order() {
    let system = System::new();
    let (store, mut calls) = testing::stand_in_probe::<Store<String>>(&system);
    for word in ["a", "b", "c"] {
        store.put(word.to_owned()).tell().await.unwrap();
    }
    let got = tokio::spawn(store.get(1).into_owned().into_future());
    let mut seen = Vec::new();
    for _ in 0..3 {
        let StoreCall::Put { item, reply } = calls.expect_message(SOON).await else {
            panic!("a put first");
        };
        assert!(!reply.is_wanted());
        seen.push(item);
    }
    assert_eq!(seen, ["a", "b", "c"]);
    let StoreCall::Get { index, reply } = calls.expect_message(SOON).await else {
        panic!("then a get");
    };
    reply.send(seen.get(index).cloned());
    assert_eq!(got.await.unwrap(), Ok(Some("b".to_owned())));
}

#[tokio::test(start_paused = true)]
async fn a_call_has_its_large_arguments_unboxed() {
    let system = System::new();
    let disk = testing::stand_in::<Disk>(&system, |call| match call {
        DiskCall::Write { block, at, reply } => {
            assert_eq!(block.len(), 4096);
            reply.send(at + u64::from(block[4095]));
        }
    });
    let mut block = [0u8; 4096];
    block[4095] = 9;
    assert_eq!(disk.write(block, 100).await, Ok(109));
}

#[tokio::test(start_paused = true)]
async fn a_stand_in_stops_as_an_actor_does() {
    let system = System::new();
    // stop(): queued messages are dropped, their asks get NoReply.
    let payments = testing::stand_in::<Payments>(&system, |_| {});
    let queued = payments.balance().try_ask().unwrap();
    payments.stop();
    assert!(!payments.is_alive());
    assert_eq!(payments.charge(1).await, Err(AskError::Stopped));
    testing::expect_stop_with(&payments, StopReason::Normal, SOON).await;
    assert_eq!(queued.await, Err(AskError::NoReply));

    // kill()
    let payments = testing::stand_in::<Payments>(&system, |_| {});
    payments.kill();
    testing::expect_stop_with(&payments, StopReason::Killed, SOON).await;

    // stop_gracefully(): what is queued is handled first.
    let seen = Arc::new(Mutex::new(0));
    let payments = testing::stand_in::<Payments>(&system, {
        let seen = seen.clone();
        move |_| *seen.lock().unwrap() += 1
    });
    for n in 0..3 {
        payments.charge(n).try_tell().unwrap();
    }
    payments.stop_gracefully();
    testing::expect_stop_with(&payments, StopReason::Normal, SOON).await;
    assert_eq!(*seen.lock().unwrap(), 3);

    // The system's shutdown.
    let payments = testing::stand_in::<Payments>(&system, |_| {});
    system.shutdown().await;
    assert_eq!(payments.stop_reason(), Some(StopReason::Shutdown));
}

#[tokio::test(start_paused = true)]
async fn a_panic_in_the_closure_answers_the_ask_and_stops_the_stand_in() {
    quiet_panics();
    let system = System::new();
    let payments = testing::stand_in::<Payments>(&system, |call| {
        if let PaymentsCall::Charge { .. } = call {
            panic!("card reader broke on purpose");
        }
    });
    assert_eq!(
        payments.charge(1).await,
        Err(AskError::Panicked(PanicError::new(
            "charge",
            "card reader broke on purpose"
        )))
    );
    let StopReason::Panicked(panic) = testing::expect_stop(&payments, SOON).await else {
        panic!("a panic");
    };
    assert_eq!(panic.handler(), "charge");
    assert_eq!(panic.message(), "card reader broke on purpose");
    assert_eq!(system.metrics().actor_type("Payments").unwrap().panics, 1);
}

#[tokio::test(start_paused = true)]
async fn a_stand_in_linked_to_a_failing_actor_stops_unless_its_type_traps_link_deaths() {
    quiet_panics();
    let system = System::new();
    let payments = testing::stand_in::<Payments>(&system, |_| {});
    let ledger = testing::stand_in::<Ledger>(&system, |call| match call {
        LedgerCall::Total { reply } => reply.send(5),
    });
    let shop = system.spawn(Shop {
        payments: payments.clone(),
        sold: 0,
    });
    shop.link_to(payments.clone(), ledger.clone())
        .await
        .unwrap();
    let _ = shop.explode().await;

    let reason = testing::expect_stop(&payments, SOON).await;
    assert!(
        matches!(&reason, StopReason::LinkDied { id, .. } if *id == shop.id()),
        "{reason:?}"
    );
    // `Ledger` declares `#[on_link_died]`: the death comes as a notice in its
    // mailbox, which its stand-in does not see (`Calls::call` gives `None`).
    assert_eq!(ledger.total().await, Ok(5));
    assert!(ledger.is_alive());
}

// ---------------------------------------------------------------------------
// Waits for stops, restarts and escalations
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn expect_stop_fails_with_what_the_actor_is_doing() {
    let system = System::new();
    let (payments, _calls) = testing::stand_in_probe::<Payments>(&system);
    payments.refund("r".to_owned()).tell().await.unwrap();
    let failure = failure_of(testing::expect_stop(&payments, SOON)).await;
    assert!(
        failure.contains(&format!(
            "expected Payments {} to stop within 1s; it is alive",
            payments.id()
        )),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn expect_stop_with_shows_the_reason_it_stopped_with() {
    quiet_panics();
    let system = System::new();
    let crashy = system.spawn(Crashy::default());
    let _ = crashy.crash().await;
    let failure = failure_of(testing::expect_stop_with(&crashy, StopReason::Normal, SOON)).await;
    assert!(
        failure.contains(
            "to stop with `stopped normally`; it stopped with `panicked in `crash`: crashed on purpose`"
        ),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn expect_restarts_counts_from_the_start_and_fails_with_the_count() {
    quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne).intensity(10, Duration::from_secs(60));
    let crashy: CrashyHandle = tree.child(Crashy::default).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    let _ = crashy.crash().await;
    let _ = crashy.crash().await;
    // Both restarts may be over already: they count.
    let info = testing::expect_restarts(&tree, crashy.id(), 2, SOON).await;
    assert_eq!((info.name, info.restarts), ("Crashy", 2));
    assert_eq!(crashy.ping().await, Ok(1), "a fresh instance");

    let failure = failure_of(testing::expect_restarts(&tree, crashy.id(), 3, SOON)).await;
    assert!(
        failure.contains(
            "to be restarted 3 times within 1s; it was restarted 2 times (Crashy running"
        ),
        "{failure}"
    );

    tree.stop();
    tree.wait_stopped().await;
    let failure = failure_of(testing::expect_restarts(&tree, crashy.id(), 1, SOON)).await;
    assert!(
        failure.contains("the supervisor has stopped: stopped normally"),
        "{failure}"
    );
}

#[tokio::test(start_paused = true)]
async fn expect_escalation_returns_the_failure_or_says_none_came() {
    quiet_panics();
    let system = System::new();
    let failure = failure_of(testing::expect_escalation(&system, SOON)).await;
    assert!(
        failure.contains("expected a top-level supervisor to give up within 1s; none did"),
        "{failure}"
    );

    let tree = Supervisor::new(Strategy::OneForOne).intensity(1, Duration::from_secs(60));
    let crashy: CrashyHandle = tree.child(Crashy::default).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    let _ = crashy.crash().await;
    let _ = crashy.crash().await;
    let escalation = testing::expect_escalation(&system, SOON).await;
    assert_eq!(escalation.supervisor, tree.id());
    testing::expect_stop(&tree, SOON).await;
}

// ---------------------------------------------------------------------------
// Virtual time
// ---------------------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_timer_fires_at_its_time_on_the_paused_clock() {
    let system = System::new();
    let (out, mut rings) = testing::probe(&system);
    let start = Instant::now();
    system.spawn(Alarm {
        delay: Duration::from_secs(30 * 60),
        out,
    });
    rings
        .expect_no_message(Duration::from_secs(30 * 60 - 1))
        .await;
    assert_eq!(rings.expect_message(Duration::from_secs(2)).await, "ring");
    assert_eq!(start.elapsed(), Duration::from_secs(30 * 60));
}

#[tokio::test(start_paused = true)]
async fn backoff_between_restarts_is_exact_on_the_paused_clock() {
    quiet_panics();
    let system = System::new();
    let tree = Supervisor::new(Strategy::OneForOne)
        .intensity(10, Duration::from_secs(3600))
        .backoff(Backoff::exponential(
            Duration::from_secs(10),
            Duration::from_secs(60),
        ));
    let crashy: CrashyHandle = tree.child(Crashy::default).spawn().unwrap();
    let tree = system.spawn_supervisor(tree);
    assert_eq!(crashy.ping().await, Ok(1));

    let start = Instant::now();
    let _ = crashy.crash().await;
    testing::expect_restarts(&tree, crashy.id(), 1, Duration::from_secs(11)).await;
    let first = start.elapsed();
    assert!(
        first >= Duration::from_secs(10)
            && first <= Duration::from_secs(10) + Duration::from_millis(2),
        "{first:?}"
    );
    let _ = crashy.crash().await;
    let failure = failure_of(testing::expect_restarts(
        &tree,
        crashy.id(),
        2,
        Duration::from_secs(19),
    ))
    .await;
    assert!(
        failure.contains("within 19s; the supervisor did not answer (it was backing off"),
        "{failure}"
    );
    testing::expect_restarts(&tree, crashy.id(), 2, Duration::from_secs(2)).await;
    assert_eq!(crashy.ping().await, Ok(1));
}

#[tokio::test(start_paused = true)]
async fn an_ask_that_gets_no_answer_times_out_on_the_paused_clock() {
    let system = System::new();
    let kept = Arc::new(Mutex::new(Vec::new()));
    let payments = testing::stand_in::<Payments>(&system, {
        let kept = kept.clone();
        move |call| kept.lock().unwrap().push(call) // never answered
    });
    let start = Instant::now();
    let asked = payments.charge(1).timeout(Duration::from_secs(30)).await;
    assert_eq!(asked, Err(AskError::Timeout(Duration::from_secs(30))));
    assert_eq!(start.elapsed(), Duration::from_secs(30));
    assert_eq!(kept.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_stand_in_of_an_actor_with_a_message_compiled_out_takes_the_others() {
    let system = System::new();
    let versioned = testing::stand_in::<Versioned>(&system, |call| match call {
        VersionedCall::Here { reply } => reply.send(3),
    });
    assert_eq!(versioned.here().await, Ok(3));
}

#[test]
fn calls_is_implemented_for_every_actor_type() {
    fn calls<A: Calls>() {}
    calls::<Payments>();
    calls::<Store<u8>>();
    calls::<Disk>();
    calls::<Ledger>();
    calls::<Idle>();
    let versioned = VersionedCall::Here {
        reply: testing::__told(),
    };
    assert_eq!(format!("{versioned:?}"), "Here (tell)");
    // A told message is a call; what the runtime sends on its own is not.
    assert!(matches!(
        Payments::call(PaymentsMessage::Refund {
            reference: "r".to_owned()
        }),
        Some(PaymentsCall::Refund { .. })
    ));
}
