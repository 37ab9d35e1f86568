//! A tour of actor-core in one program: tell, ask, a timer, a caught panic,
//! and a supervised crash with its recovery.
//!
//! Run it with `cargo run --example demo`.

use std::time::Duration;

use actor_core::prelude::*;

/// Counts what it is told, and can be asked for the count.
#[actor]
pub struct Counter {
    count: u64,
    ticks: u32,
}

#[actor]
impl Counter {
    /// Adds `by` to the count.
    #[message]
    pub fn inc(&mut self, by: u64) {
        self.count += by;
    }

    /// The current count.
    #[message]
    pub fn get(&self) -> u64 {
        self.count
    }

    /// Called by the timer set in `started`.
    #[message]
    fn tick(&mut self) {
        self.ticks += 1;
        println!("  tick {} (count is {})", self.ticks, self.count);
    }

    /// How many timer ticks arrived.
    #[message]
    pub fn ticks(&self) -> u32 {
        self.ticks
    }

    /// Divides the count; panics on zero, like any bug would.
    #[message]
    pub fn divide(&mut self, by: u64) -> u64 {
        self.count /= by;
        self.count
    }

    #[on_start]
    fn started(&mut self, ctx: &mut Context<Self>) {
        println!("counter {} started", ctx.id());
        ctx.send_interval(Duration::from_millis(50), |me| me.tick());
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        println!("counter stopped: {reason}");
    }
}

#[tokio::main]
async fn main() -> Result<(), actor_core::Error> {
    let system = System::new();
    let counter = system.spawn(Counter { count: 0, ticks: 0 });

    println!("tell: 1000 increments");
    for _ in 0..1000 {
        counter.inc(1).tell().await?;
    }
    println!("ask: count = {}", counter.get().await?);

    println!("waiting for the timer...");
    tokio::time::sleep(Duration::from_millis(180)).await;
    println!("ask: ticks = {}", counter.ticks().await?);

    println!("ask: 1000 / 10 = {}", counter.divide(10).await?);
    println!("ask: divide by zero...");
    // The default panic hook prints the panic itself; keep the output tidy.
    std::panic::set_hook(Box::new(|_| {}));
    match counter.divide(0).await {
        Ok(n) => println!("  unexpected answer {n}"),
        Err(err) => println!("  the ask failed: {err}"),
    }
    let reason = counter.wait_stopped().await;
    println!("the actor is stopped ({reason}); asks now fail at once:");
    println!("  {:?}", counter.get().await);

    println!();
    println!("supervised: the same actor under a supervisor is restarted");
    let tree = Supervisor::new(Strategy::OneForOne).intensity(3, Duration::from_secs(5));
    let counter = tree
        .child(|| Counter { count: 0, ticks: 0 })
        .restart(Restart::Permanent)
        .spawn()?;
    let tree = system.spawn_supervisor(tree);
    counter.inc(7).tell().await?;
    println!("  ask: count = {}", counter.get().await?);
    println!("  ask: divide by zero... {:?}", counter.divide(0).await);
    println!(
        "  same handle, new instance: count = {}",
        counter.get().await?
    );
    let children = tree.children().await;
    println!(
        "  the supervisor restarted it {} time(s); alive: {}",
        children[0].restarts,
        counter.is_alive()
    );

    system.shutdown().await;
    println!("system shut down");
    Ok(())
}
