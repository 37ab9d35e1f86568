//! What the macros promise at run time: arguments reach the handler in the
//! user's order whatever the position of `ctx`, generic and `Self` types
//! round-trip, delegated replies are answered from elsewhere while the actor
//! goes on, visibility carries to the handle, and hooks run in their order
//! with the stop reason. (Doc comments carried to the handle are shown by the
//! expansion snapshots.)

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use actor_core::PanicError;
use actor_core::prelude::*;
use tokio::sync::{mpsc, oneshot};

/// Events recorded by the actors under test, in order.
type Log = Arc<Mutex<Vec<String>>>;

fn events(log: &Log) -> Vec<String> {
    log.lock().unwrap().clone()
}

// ---------------------------------------------------------------------------
// Arguments and `ctx`
// ---------------------------------------------------------------------------

#[actor]
struct Calc;

#[actor]
impl Calc {
    #[message]
    fn ctx_first(&self, ctx: &mut Context<Self>, a: i64, b: i64) -> (ActorId, i64) {
        (ctx.id(), a - b)
    }

    #[message]
    fn ctx_middle(&self, a: i64, ctx: &mut Context<Self>, b: String) -> (ActorId, String) {
        (ctx.id(), format!("{a}{b}"))
    }

    #[message]
    async fn ctx_last(&self, a: i64, b: i64, ctx: &mut Context<Self>) -> (ActorId, i64) {
        tokio::task::yield_now().await;
        (ctx.id(), a / b)
    }

    #[message(response = (ActorId, i64))]
    fn ctx_between_reply(&self, reply: Reply<(ActorId, i64)>, ctx: &mut Context<Self>, a: i64) {
        reply.send((ctx.id(), -a));
    }

    #[message]
    fn own_handle(&self, ctx: &mut Context<Self>) -> CalcHandle {
        ctx.handle()
    }
}

#[tokio::test]
async fn ctx_may_come_in_any_position_and_arguments_keep_their_order() {
    let system = System::new();
    let calc = system.spawn(Calc);
    let id = calc.id();
    assert_eq!(calc.ctx_first(10, 3).await, Ok((id, 7)));
    assert_eq!(calc.ctx_middle(1, "2".into()).await, Ok((id, "12".into())));
    assert_eq!(calc.ctx_last(12, 4).await, Ok((id, 3)));
    assert_eq!(calc.ctx_between_reply(5).await, Ok((id, -5)));
    assert_eq!(calc.own_handle().await, Ok(calc.clone()));
    system.shutdown().await;
}

// Clippy sees the mailbox's interior mutability; a handle hashes by its
// actor's id, which never changes.
#[allow(clippy::mutable_key_type)]
#[tokio::test]
async fn handles_are_equal_and_hash_alike_exactly_when_they_reach_the_same_actor() {
    let system = System::new();
    let first = system.spawn(Calc);
    let second = system.spawn(Calc);
    let from_inside = first.own_handle().await.unwrap();
    assert_eq!(first, from_inside);
    assert_ne!(first, second);

    let handles: HashSet<CalcHandle> = [first.clone(), second.clone(), from_inside].into();
    assert_eq!(handles.len(), 2);
    assert!(handles.contains(&first) && handles.contains(&second));
    system.shutdown().await;
}

// ---------------------------------------------------------------------------
// Generic actors and `Self`
// ---------------------------------------------------------------------------

#[actor]
struct Stack<T: Send + 'static> {
    items: Vec<T>,
}

#[actor]
impl<T: Send + 'static> Stack<T> {
    #[message]
    fn push(&mut self, item: T) {
        self.items.push(item);
    }

    #[message]
    fn pop(&mut self) -> Option<T> {
        self.items.pop()
    }

    #[message]
    fn take_all(&mut self) -> Vec<T> {
        std::mem::take(&mut self.items)
    }
}

/// Generic code over the generated handle.
async fn push_all<T: Send + 'static>(stack: &StackHandle<T>, items: impl IntoIterator<Item = T>) {
    for item in items {
        stack.push(item).tell().await.unwrap();
    }
}

#[tokio::test]
async fn generic_actor_works_end_to_end() {
    let system = System::new();
    let words: StackHandle<String> = system.spawn(Stack { items: vec![] });
    let numbers: StackHandle<u64> = system.spawn(Stack { items: vec![1] });

    push_all(&words, ["a".to_owned(), "b".to_owned()]).await;
    push_all(&numbers, [2, 3]).await;

    assert_eq!(words.pop().await, Ok(Some("b".to_owned())));
    assert_eq!(words.take_all().await, Ok(vec!["a".to_owned()]));
    assert_eq!(words.pop().await, Ok(None));
    assert_eq!(numbers.take_all().await, Ok(vec![1, 2, 3]));
    system.shutdown().await;
}

#[derive(Debug, Clone, PartialEq)]
#[actor]
struct Version {
    number: u32,
}

#[actor]
impl Version {
    /// Replaces the state with `next`, answering the previous one.
    #[message]
    fn replace(&mut self, next: Self) -> Self {
        std::mem::replace(self, next)
    }

    #[message]
    fn newest(&self, others: Vec<Self>) -> Option<Self> {
        others
            .into_iter()
            .chain([self.clone()])
            .max_by_key(|v| v.number)
    }
}

#[tokio::test]
async fn self_in_arguments_and_responses_is_the_actor_type() {
    let system = System::new();
    let version = system.spawn(Version { number: 1 });
    assert_eq!(
        version.replace(Version { number: 2 }).await,
        Ok(Version { number: 1 })
    );
    let others = vec![Version { number: 9 }, Version { number: 0 }];
    assert_eq!(
        version.newest(others).await,
        Ok(Some(Version { number: 9 }))
    );
    assert_eq!(
        version.newest(vec![]).await,
        Ok(Some(Version { number: 2 }))
    );
    system.shutdown().await;
}

// ---------------------------------------------------------------------------
// Delegated replies
// ---------------------------------------------------------------------------

#[actor]
struct Jobs {
    handled: u32,
}

#[actor]
impl Jobs {
    /// Hands the reply to a task that answers once `go` fires.
    #[message(response = String)]
    fn later(&mut self, go: oneshot::Receiver<String>, reply: Reply<String>) {
        self.handled += 1;
        tokio::spawn(async move {
            if let Ok(answer) = go.await {
                reply.send(answer);
            }
        });
    }

    #[message]
    fn handled(&self) -> u32 {
        self.handled
    }
}

#[tokio::test]
async fn delegated_reply_is_answered_from_another_task_while_the_actor_goes_on() {
    let system = System::new();
    let jobs = system.spawn(Jobs { handled: 0 });
    let (go, go_rx) = oneshot::channel();

    let asker = jobs.clone();
    let later = tokio::spawn(async move { asker.later(go_rx).await });
    // The actor has handled `later` (it returned at once) and takes the next
    // message although `later` is unanswered.
    while jobs.handled().await.unwrap() == 0 {
        tokio::task::yield_now().await;
    }
    assert!(!later.is_finished());

    go.send("done".to_owned()).unwrap();
    assert_eq!(later.await.unwrap(), Ok("done".to_owned()));
    system.shutdown().await;
}

#[tokio::test]
async fn dropped_delegated_reply_resolves_the_ask() {
    let system = System::new();
    let jobs = system.spawn(Jobs { handled: 0 });
    let (go, go_rx) = oneshot::channel::<String>();
    drop(go); // the task gives up and drops the reply
    assert_eq!(jobs.later(go_rx).await, Err(AskError::NoReply));
    system.shutdown().await;
}

// ---------------------------------------------------------------------------
// Visibility
// ---------------------------------------------------------------------------

mod shop {
    use actor_core::prelude::*;

    #[actor]
    pub struct Shop {
        pub(crate) stock: u32,
    }

    #[actor]
    impl Shop {
        #[message]
        pub fn sell(&mut self) -> bool {
            self.take(1)
        }

        #[message]
        pub(crate) fn stock(&self) -> u32 {
            self.stock
        }

        /// Private: callable on the handle inside this module only.
        #[message]
        fn take(&mut self, n: u32) -> bool {
            let ok = self.stock >= n;
            if ok {
                self.stock -= n;
            }
            ok
        }

        #[message]
        pub async fn take_via_handle(&self, n: u32, ctx: &mut Context<Self>) {
            ctx.handle().take(n).try_tell().unwrap();
        }
    }
}

#[tokio::test]
async fn visibility_carries_to_the_handle() {
    let system = System::new();
    let shop: shop::ShopHandle = system.spawn(shop::Shop { stock: 3 });
    assert_eq!(shop.sell().await, Ok(true)); // pub
    shop.take_via_handle(2).await.unwrap(); // private, from inside the module
    assert_eq!(shop.stock().await, Ok(0)); // pub(crate)
    assert_eq!(shop.sell().await, Ok(false));
    system.shutdown().await;
}

// ---------------------------------------------------------------------------
// Hooks
// ---------------------------------------------------------------------------

#[actor]
struct Lifecycle {
    log: Log,
    /// The stop reasons `on_stop` saw.
    reasons: mpsc::UnboundedSender<StopReason>,
}

#[actor]
impl Lifecycle {
    #[on_start]
    async fn started(&mut self, ctx: &mut Context<Self>) {
        // Yields to the runtime, so that a message handled before `on_start`
        // is done would be recorded first.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        self.log.lock().unwrap().push(format!("start {}", ctx.id()));
    }

    #[message]
    fn record(&mut self, event: String) {
        self.log.lock().unwrap().push(event);
    }

    #[message]
    fn fail(&mut self) {
        panic!("asked to fail");
    }

    #[on_stop]
    async fn stopped(&mut self, reason: &StopReason, ctx: &mut Context<Self>) {
        tokio::task::yield_now().await;
        self.log
            .lock()
            .unwrap()
            .push(format!("stop {}: {reason}", ctx.id()));
        self.reasons.send(reason.clone()).unwrap();
    }
}

fn lifecycle() -> (Lifecycle, Log, mpsc::UnboundedReceiver<StopReason>) {
    let log = Log::default();
    let (reasons, reasons_rx) = mpsc::unbounded_channel();
    let actor = Lifecycle {
        log: log.clone(),
        reasons,
    };
    (actor, log, reasons_rx)
}

#[tokio::test]
async fn on_start_runs_before_the_first_message_and_on_stop_after_the_last() {
    let system = System::new();
    let (actor, log, mut reasons) = lifecycle();
    let actor = system.spawn(actor);
    let id = actor.id();
    // Queued before the actor had a chance to run `on_start`.
    actor.record("one".into()).try_tell().unwrap();
    actor.record("two".into()).try_tell().unwrap();
    actor.stop_gracefully();

    assert_eq!(actor.wait_stopped().await, StopReason::Normal);
    assert_eq!(reasons.recv().await, Some(StopReason::Normal));
    assert_eq!(
        events(&log),
        [
            format!("start {id}"),
            "one".into(),
            "two".into(),
            format!("stop {id}: stopped normally"),
        ]
    );
}

#[tokio::test]
async fn on_stop_gets_the_reason_of_a_shutdown() {
    let system = System::new();
    let (actor, log, mut reasons) = lifecycle();
    let actor = system.spawn(actor);
    actor.record("one".into()).await.unwrap();
    system.shutdown().await;
    assert_eq!(reasons.recv().await, Some(StopReason::Shutdown));
    assert_eq!(
        events(&log).last().unwrap(),
        &format!("stop {}: shut down", actor.id())
    );
}

#[tokio::test]
async fn on_stop_gets_the_reason_of_a_panic() {
    let system = System::new();
    let (actor, log, mut reasons) = lifecycle();
    let actor = system.spawn(actor);
    let Err(AskError::Panicked(asked)) = actor.fail().await else {
        panic!("the ask learns of the panic");
    };
    assert_eq!(
        (asked.handler(), asked.message()),
        ("fail", "asked to fail")
    );

    let reason = reasons.recv().await.unwrap();
    let StopReason::Panicked(panic) = &reason else {
        panic!("expected a panic, got {reason:?}");
    };
    let panic: &PanicError = panic;
    assert_eq!(panic.handler(), "fail");
    assert_eq!(panic.message(), "asked to fail");
    assert_eq!(actor.wait_stopped().await, reason);
    assert_eq!(
        events(&log).len(),
        2,
        "start, then stop: {:?}",
        events(&log)
    );
}
