//! Every message is handled inside a `message` span (with the handler name)
//! nested in an `actor` span (with the actor type and id), and an actor's
//! life is reported as events.
//!
//! The tests take turns (`SERIAL`): tracing's per-callsite interest cache is
//! global, and scoped subscribers on parallel test threads can race on it.

mod common;

use std::sync::{Arc, Mutex};

use actor_core::prelude::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context as LayerContext, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::{Layer, Registry};

/// An event's fields, and the spans it happened in, root first.
type Recorded = (String, Vec<String>);

/// Records, for every event, the chain of spans it happened in with their fields.
#[derive(Clone, Default)]
struct Capture {
    events: Arc<Mutex<Vec<Recorded>>>,
}

#[derive(Default)]
struct Fields(Vec<String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push(format!("{}={:?}", field.name(), value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push(format!("{}={}", field.name(), value));
    }
}

struct SpanFields(String);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: LayerContext<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        let span = ctx.span(id).expect("new span");
        span.extensions_mut().insert(SpanFields(format!(
            "{}{{{}}}",
            attrs.metadata().name(),
            fields.0.join(",")
        )));
    }

    fn on_event(&self, event: &Event<'_>, ctx: LayerContext<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let chain = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|s| {
                        s.extensions()
                            .get::<SpanFields>()
                            .map(|f| f.0.clone())
                            .unwrap_or_default()
                    })
                    .collect()
            })
            .unwrap_or_default();
        self.events
            .lock()
            .unwrap()
            .push((fields.0.join(","), chain));
    }
}

#[actor]
struct Greeter;

#[actor]
impl Greeter {
    #[message]
    fn greet(&self, name: String) -> String {
        tracing::info!("greeting");
        format!("hello {name}")
    }
}

static SERIAL: Mutex<()> = Mutex::new(());

#[test]
fn every_message_runs_in_a_span_naming_actor_id_and_message() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let capture = Capture::default();
    let subscriber = Registry::default().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id = runtime.block_on(async {
        let system = System::new();
        let greeter = system.spawn(Greeter);
        assert_eq!(greeter.greet("ada".into()).await.unwrap(), "hello ada");
        greeter.id()
    });
    let events = capture.events.lock().unwrap();
    let (_, chain) = events
        .iter()
        .find(|(fields, _)| fields.contains("greeting"))
        .expect("the handler's event was recorded");
    assert_eq!(
        chain,
        &[
            format!("actor{{actor=Greeter,id={id}}}"),
            "message{message=greet}".to_string()
        ]
    );
}

#[derive(Clone, Default)]
struct Events(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Events {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        struct Message(Option<String>);
        impl tracing::field::Visit for Message {
            fn record_debug(&mut self, f: &tracing::field::Field, v: &dyn std::fmt::Debug) {
                if f.name() == "message" {
                    self.0 = Some(format!("{v:?}"));
                }
            }
        }
        let mut m = Message(None);
        event.record(&mut m);
        if let Some(m) = m.0 {
            self.0.lock().unwrap().push(m);
        }
    }
}

#[test]
fn tracing_reports_started_restarted_panicked_and_stopped() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    common::quiet_panics();
    let events = Events::default();
    let subscriber = tracing_subscriber::registry().with(events.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let system = System::new();
        let tree = Supervisor::new(Strategy::OneForOne);
        let p = tree.child(|| common::Probe::new(1)).spawn().unwrap();
        let _tree = system.spawn_supervisor(tree);
        p.boom().await.unwrap_err();
        p.count().await.unwrap();
        system.shutdown().await;
    });
    let seen = events.0.lock().unwrap().clone();
    for expected in [
        "actor started",
        "actor panicked",
        "actor restarted",
        "actor stopped",
    ] {
        assert!(
            seen.iter().any(|e| e == expected),
            "missing {expected:?} in {seen:?}"
        );
    }
}
