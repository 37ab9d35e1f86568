//! One trace per message: a message's span is a child of its sender's span.
//!
//! One test function: the steps share a process-wide tracing level, which
//! tests running in parallel in this binary would change under each other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actor_core::prelude::*;
use tokio::sync::oneshot;
use tracing::Instrument;
use tracing::span::{Attributes, Id};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, reload};

/// A span as the recorder saw it made.
#[derive(Debug, Clone)]
struct Made {
    name: &'static str,
    parent: Option<Id>,
    /// The `message` field, for message spans.
    message: Option<String>,
}

/// Records every span made, with its parent (explicit or contextual).
#[derive(Clone, Default)]
struct Recorder {
    spans: Arc<Mutex<HashMap<Id, Made>>>,
}

impl<S: tracing::Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        struct Message(Option<String>);
        impl tracing::field::Visit for Message {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "message" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                if field.name() == "message" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut message = Message(None);
        attrs.record(&mut message);
        let parent = ctx.span(id).and_then(|s| s.parent()).map(|p| p.id());
        self.spans.lock().unwrap().insert(
            id.clone(),
            Made {
                name: attrs.metadata().name(),
                parent,
                message: message.0,
            },
        );
    }
}

impl Recorder {
    /// `id`'s span and its ancestors, innermost first, as `name` or
    /// `name:message`.
    fn chain(&self, id: &Id) -> Vec<String> {
        let spans = self.spans.lock().unwrap();
        let mut chain = Vec::new();
        let mut next = Some(id.clone());
        while let Some(id) = next {
            let Some(made) = spans.get(&id) else { break };
            chain.push(match &made.message {
                Some(m) => format!("{}:{m}", made.name),
                None => made.name.to_owned(),
            });
            next = made.parent.clone();
        }
        chain
    }
}

/// Where the last actor of a chain says which span it handled a message in.
type Seen = Arc<Mutex<Vec<Option<Id>>>>;

#[actor]
struct Back {
    seen: Seen,
    gate: Option<oneshot::Receiver<()>>,
}

#[actor]
impl Back {
    #[message]
    fn record(&mut self) {
        self.seen
            .lock()
            .unwrap()
            .push(tracing::Span::current().id());
    }

    /// Keeps the actor busy until the test opens the gate.
    #[message]
    async fn hold(&mut self) {
        if let Some(gate) = self.gate.take() {
            let _ = gate.await;
        }
    }
}

#[actor]
struct Middle {
    back: BackHandle,
}

#[actor]
impl Middle {
    #[message]
    async fn relay(&mut self) {
        self.back.record().tell().await.unwrap();
    }
}

#[actor]
struct Front {
    middle: MiddleHandle,
}

#[actor]
impl Front {
    #[message]
    async fn start(&mut self) {
        self.middle.relay().await.unwrap();
    }
}

/// Waits until `seen` has `n` entries (the told message was handled).
async fn seen_len(seen: &Seen, n: usize) {
    while seen.lock().unwrap().len() < n {
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_message_span_follows_from_its_senders_span() {
    let recorder = Recorder::default();
    let (filter, level) = reload::Layer::new(LevelFilter::DEBUG);
    let subscriber = tracing_subscriber::registry()
        .with(filter)
        .with(recorder.clone());
    let _default = tracing::subscriber::set_default(subscriber);

    let seen: Seen = Arc::default();
    let (open, gate) = oneshot::channel();
    let system = System::new();
    let back = system.spawn(Back {
        seen: seen.clone(),
        gate: Some(gate),
    });
    let middle = system.spawn(Middle { back: back.clone() });
    let front = system.spawn(Front { middle });

    // A request through three actors reads as one trace: the last actor's
    // message span descends from the caller's span through each hop.
    let request = tracing::info_span!("request");
    async { front.start().await }
        .instrument(request)
        .await
        .unwrap();
    seen_len(&seen, 1).await;
    let at_back = seen.lock().unwrap()[0]
        .clone()
        .expect("handled inside a span");
    assert_eq!(
        recorder.chain(&at_back),
        [
            "message:record",
            "message:relay",
            "message:start",
            "request"
        ]
    );

    // Sent outside any span: handled under the actor's own span.
    back.record().tell().await.unwrap();
    seen_len(&seen, 2).await;
    let alone = seen.lock().unwrap()[1]
        .clone()
        .expect("handled inside a span");
    assert_eq!(recorder.chain(&alone), ["message:record", "actor"]);

    // A message queued with its sender's span is handled when, by then,
    // nobody listens at DEBUG any more.
    back.hold().tell().await.unwrap();
    async { back.record().tell().await }
        .instrument(tracing::info_span!("late"))
        .await
        .unwrap();
    level.modify(|f| *f = LevelFilter::INFO).unwrap();
    assert!(!tracing::enabled!(tracing::Level::DEBUG));
    open.send(()).unwrap();
    seen_len(&seen, 3).await;
    let late = seen.lock().unwrap()[2]
        .clone()
        .expect("inside the actor's span");
    assert_eq!(
        recorder.chain(&late),
        ["actor"],
        "handled without a message span"
    );
    assert!(back.is_alive());
}
