//! A tour of actor-core in one program: tell, ask, a timer, a delegated
//! reply, a caught panic, and a supervised crash with its recovery.
//!
//! ```text
//! cargo run --example demo
//! cargo run --example demo -- --tells 100000 --ticks 5 --tick-ms 20
//! cargo run --example demo -- --help
//! ```

use std::time::Duration;

use actor_core::prelude::*;
use clap::Parser;

/// A short tour of actor-core: tell, ask, a timer, a delegated reply, a
/// caught panic, and a supervised crash with its recovery.
#[derive(Debug, Parser)]
#[command(name = "demo", version)]
struct Cli {
    /// Increments to tell the counter
    #[arg(long, default_value_t = 1000)]
    tells: u64,
    /// Timer ticks to wait for
    #[arg(long, default_value_t = 3)]
    ticks: u32,
    /// The timer's period, in milliseconds
    #[arg(long, default_value_t = 50)]
    tick_ms: u64,
}

/// Counts what it is told, and can be asked for the count.
#[actor]
pub struct Counter {
    count: u64,
    ticks: u32,
    tick_every: Duration,
    /// An ask waiting for the ticks to reach a number, and its reply.
    waiting: Option<(u32, Reply<u32>)>,
}

impl Counter {
    /// A counter at zero whose timer ticks every `tick_every`.
    pub fn new(tick_every: Duration) -> Self {
        Counter {
            count: 0,
            ticks: 0,
            tick_every,
            waiting: None,
        }
    }
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
        if self.waiting.as_ref().is_some_and(|(n, _)| self.ticks >= *n)
            && let Some((_, reply)) = self.waiting.take()
        {
            reply.send(self.ticks);
        }
    }

    /// Answers once `n` timer ticks have arrived. A delegated reply: the
    /// handler keeps the reply and returns at once (the actor goes on with
    /// its messages), and `tick` answers it later.
    #[message(response = u32)]
    pub fn wait_ticks(&mut self, n: u32, reply: Reply<u32>) {
        if self.ticks >= n {
            reply.send(self.ticks);
        } else {
            self.waiting = Some((n, reply));
        }
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
        ctx.send_interval(self.tick_every, |me| me.tick());
    }

    #[on_stop]
    fn stopped(&mut self, reason: &StopReason) {
        println!("counter stopped: {reason}");
    }
}

#[tokio::main]
async fn main() -> Result<(), actor_core::Error> {
    let cli = Cli::parse();
    let tick_every = Duration::from_millis(cli.tick_ms.max(1));
    let system = System::new();
    let counter = system.spawn(Counter::new(tick_every));

    println!("tell: {} increments", cli.tells);
    for _ in 0..cli.tells {
        counter.inc(1).tell().await?;
    }
    println!("ask: count = {}", counter.get().await?);

    println!("waiting for {} timer ticks...", cli.ticks);
    let ticks = counter.wait_ticks(cli.ticks).await?;
    println!("ask: {ticks} ticks arrived");

    println!("ask: {} / 10 = {}", cli.tells, counter.divide(10).await?);
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
        .child(move || Counter::new(tick_every))
        .restart(Restart::Permanent)
        .spawn()?;
    let tree = system.spawn_supervisor(tree);
    counter.inc(7).tell().await?;
    println!("  ask: count = {}", counter.get().await?);
    match counter.divide(0).await {
        Ok(n) => println!("  ask: divide by zero... unexpected answer {n}"),
        Err(err) => println!("  ask: divide by zero... the ask failed: {err}"),
    }
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
