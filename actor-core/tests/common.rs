//! Actors shared by the behaviour tests.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use actor_core::prelude::*;
use tokio::sync::oneshot;

/// Counts tells, checks they arrive in order per sender, and can be held
/// inside a handler (`hold`) so tests can fill its mailbox deterministically.
#[actor(mailbox = 4)]
pub struct Probe {
    pub count: u64,
    /// Next sequence number expected, per sender.
    pub next: Vec<u64>,
    pub out_of_order: u64,
}

impl Probe {
    pub fn new(senders: usize) -> Self {
        Probe {
            count: 0,
            next: vec![0; senders],
            out_of_order: 0,
        }
    }
}

#[actor]
impl Probe {
    #[message]
    pub fn add(&mut self, sender: usize, seq: u64) {
        self.count += 1;
        if self.next[sender] != seq {
            self.out_of_order += 1;
        }
        self.next[sender] = seq + 1;
    }

    #[message]
    pub fn count(&self) -> u64 {
        self.count
    }

    #[message]
    pub fn out_of_order(&self) -> u64 {
        self.out_of_order
    }

    /// Signals `entered`, then waits for `release` before returning.
    #[message]
    pub async fn hold(&mut self, entered: oneshot::Sender<()>, release: oneshot::Receiver<()>) {
        let _ = entered.send(());
        let _ = release.await;
    }

    #[message]
    pub fn boom(&mut self) -> u64 {
        panic!("boom on purpose")
    }

    #[message]
    pub async fn boom_later(&mut self) -> u64 {
        tokio::task::yield_now().await;
        panic!("async boom on purpose")
    }
}

/// Holds `probe` inside a handler; returns the sender that releases it.
pub async fn hold(probe: &ProbeHandle) -> oneshot::Sender<()> {
    let (entered_tx, entered_rx) = oneshot::channel();
    let (release_tx, release_rx) = oneshot::channel();
    probe
        .hold(entered_tx, release_rx)
        .tell()
        .await
        .expect("probe alive");
    entered_rx.await.expect("probe entered hold");
    release_tx
}

/// Records lifecycle events of named actors into a shared log.
#[actor]
pub struct Recorder {
    pub name: &'static str,
    pub log: Arc<Mutex<Vec<String>>>,
}

#[actor]
impl Recorder {
    #[message]
    pub fn note(&mut self, what: String) {
        self.push(what);
    }

    #[on_start]
    fn started(&mut self) {
        self.push("start".into());
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        self.push(format!("stop: {reason}"));
    }
}

impl Recorder {
    pub fn new(name: &'static str, log: &Arc<Mutex<Vec<String>>>) -> Self {
        Recorder {
            name,
            log: log.clone(),
        }
    }

    fn push(&self, what: String) {
        self.log
            .lock()
            .unwrap()
            .push(format!("{} {}", self.name, what));
    }
}

pub fn log() -> Arc<Mutex<Vec<String>>> {
    Arc::new(Mutex::new(Vec::new()))
}

pub fn entries(log: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    log.lock().unwrap().clone()
}

/// Silences the panic hook for panics the tests cause on purpose (their
/// message says "on purpose"); any other panic, such as a failed assertion,
/// is still printed.
pub fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            if !message.contains("on purpose") {
                default(info);
            }
        }));
    });
}
