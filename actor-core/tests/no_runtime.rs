//! What works, and what fails clearly, on a thread with no tokio runtime.
//! (One test in this binary: it swaps the process's panic hook.)

use std::future::IntoFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actor_core::prelude::*;

#[actor]
struct Counter {
    n: u64,
}

#[actor]
impl Counter {
    #[message]
    fn get(&self) -> u64 {
        self.n
    }
}

#[test]
fn off_the_runtime_requests_build_and_spawns_fail_at_the_caller_saying_what_to_do() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let system = runtime.block_on(async { System::new() });
    let counter = runtime.block_on(async { system.spawn(Counter { n: 5 }) });

    // A plain ask and an ask with a deadline are built here, with no runtime
    // on this thread; the deadline starts when the ask is first polled.
    let ask = counter.get().into_future();
    let with_deadline = counter.get().timeout(Duration::from_secs(60));
    assert_eq!(runtime.block_on(ask), Ok(5));
    assert_eq!(runtime.block_on(with_deadline), Ok(5));
    // A zero deadline gives up at once, without sending.
    assert_eq!(
        runtime.block_on(counter.get().timeout(Duration::ZERO)),
        Err(AskError::Timeout(Duration::ZERO))
    );

    // Spawning needs the runtime: the panic names this file and the fix.
    let seen: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    std::panic::set_hook(Box::new({
        let seen = seen.clone();
        move |info| {
            let file = info
                .location()
                .map(|l| l.file().to_owned())
                .unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            *seen.lock().unwrap() = Some((file, message));
        }
    }));
    let outside = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        system.spawn(Counter { n: 1 })
    }));
    let _ = std::panic::take_hook();
    assert!(outside.is_err());
    let (file, message) = seen.lock().unwrap().clone().expect("a panic");
    assert!(file.ends_with("no_runtime.rs"), "panic located at {file}");
    assert!(message.contains("outside a tokio runtime"), "{message}");
    assert!(message.contains("#[tokio::main]"), "{message}");
}
