//! The actor of the design document: tell, try_tell, ask, ask with a timeout.

use std::time::Duration;

use actor_core::prelude::*;

#[actor]
pub struct Counter {
    count: u64,
}

#[actor]
impl Counter {
    #[message]
    pub fn inc(&mut self, by: u64) {
        self.count += by;
    }

    #[message(response = u64)]
    pub fn get(&self) -> u64 {
        self.count
    }
}

#[tokio::main]
async fn main() -> Result<(), actor_core::Error> {
    let system = System::new();
    let counter: CounterHandle = system.spawn(Counter { count: 0 });

    counter.inc(5).tell().await?;
    counter.inc(1).try_tell()?;
    let n: u64 = counter.get().await?;
    assert_eq!(n, 6);
    let n = counter.get().timeout(Duration::from_secs(5)).await?;
    assert_eq!(n, 6);

    // The handle: Clone + Send + Sync + Debug, equal to its clones.
    fn assert_handle<H: Clone + Send + Sync + std::fmt::Debug + 'static>(_: &H) {}
    assert_handle(&counter);
    assert_eq!(counter.clone(), counter);
    assert!(format!("{counter:?}").starts_with("CounterHandle"));

    system.shutdown().await;
    assert!(!counter.is_alive());
    Ok(())
}
