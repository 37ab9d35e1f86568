//! A large by-value argument does not overflow the stack, also in a debug
//! build, where every move of a value is a copy on the stack: an array
//! argument larger than 1 KiB travels boxed, and an async handler that takes
//! one has its future boxed too. Each test runs on a thread with 2 MiB of
//! stack, the default of `std::thread::spawn` and of tokio's workers.

use std::future::Future;

use actor_core::prelude::*;

const KIB_256: usize = 256 * 1024;

/// Runs `test` on a current-thread runtime on a thread with 2 MiB of stack
/// (the default); an overflow aborts the test process.
fn on_a_default_stack<F>(test: impl FnOnce() -> F + Send + 'static)
where
    F: Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            // Boxed: `block_on` keeps its future on this thread's stack.
            runtime.block_on(Box::pin(test()));
        })
        .unwrap()
        .join()
        .unwrap();
}

#[actor]
struct Summer {
    seen: u64,
}

#[actor]
impl Summer {
    #[message]
    fn sum(&mut self, data: [u8; KIB_256]) -> u64 {
        self.seen += 1;
        data.iter().map(|&b| u64::from(b)).sum()
    }

    #[message]
    async fn sum_later(&mut self, data: [u8; KIB_256]) -> u64 {
        tokio::task::yield_now().await;
        self.seen += 1;
        data.iter().map(|&b| u64::from(b)).sum()
    }

    #[message]
    fn seen(&self) -> u64 {
        self.seen
    }
}

#[test]
fn an_ask_with_a_256_kib_argument_fits_a_default_stack() {
    on_a_default_stack(|| async {
        let system = System::new();
        let summer = system.spawn(Summer { seen: 0 });
        let data = [1u8; KIB_256];
        assert_eq!(summer.sum(data).await, Ok(KIB_256 as u64));
        system.shutdown().await;
    });
}

#[test]
fn an_ask_with_a_256_kib_argument_to_an_async_handler_fits_a_default_stack() {
    on_a_default_stack(|| async {
        let system = System::new();
        let summer = system.spawn(Summer { seen: 0 });
        let data = [2u8; KIB_256];
        assert_eq!(summer.sum_later(data).await, Ok(2 * KIB_256 as u64));
        system.shutdown().await;
    });
}

#[test]
fn tells_with_a_256_kib_argument_fit_a_default_stack() {
    on_a_default_stack(|| async {
        let system = System::new();
        let summer = system.spawn(Summer { seen: 0 });
        let data = [3u8; KIB_256];
        summer.sum(data).tell().await.unwrap();
        let data = [4u8; KIB_256];
        summer.sum_later(data).try_tell().unwrap();
        assert_eq!(summer.seen().await, Ok(2));
        system.shutdown().await;
    });
}
