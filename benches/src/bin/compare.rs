//! The comparison: every framework in one process, several rounds in rotating
//! order, medians, printed as a markdown table with each figure's ratio to the
//! hand-written tokio actor with the same mailbox kind.
//!
//! ```text
//! cargo run -p benches --release --features peers             # the full table (README)
//! cargo run -p benches --release --features peers -- --smoke  # small counts, one round (CI)
//! cargo run -p benches --release -- --only actor-core/bounded --workloads tell --rounds 1
//! ```
//!
//! Options:
//! - `--smoke`: small counts and one round; checks that everything runs and is correct.
//! - `--rounds N`: rounds (default 5; 1 with `--smoke`).
//! - `--million-rounds N`: how many of the rounds also run the million
//!   workload (default 1: a million actors per framework take a while).
//! - `--only ID,ID,..`: run only these contenders (ids as in `--list`).
//! - `--workloads W,W,..`: run only these of `tell,contended,ask,fanout,spawn,million`.
//! - `--n N`: N tells, N asks, N/4 tells per contended sender, N spawns, N
//!   actors in the million workload (for profiling: run twice with two N and
//!   subtract to get a per-message cost).
//! - `--quiet-wait SECS`: before each run, wait up to SECS (default 30; 0 with
//!   `--smoke`) for the machine to be otherwise idle (`/proc/loadavg`'s runnable
//!   count), so that other processes' bursts stay out of the figures; `0` disables it.
//! - `--in-process`: run the spawn and million workloads in this process
//!   instead of a fresh child process per run (for profilers; the memory
//!   figures are then less honest).
//! - `--list`: print the contenders' ids.
//!
//! The spawn and million workloads normally run in a fresh child process (this
//! program re-executed with `--child-spawn ID N` or `--child-million ID N`) so
//! that the resident-memory figure of one framework is not distorted by memory
//! another left to the allocator.

use std::collections::HashMap;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use benches::contender::{
    Contender, Outcome, RuntimeKind, Workload, baseline_id, baseline_of, contenders, known_failure,
    supervised_pairs,
};
use benches::stats::{Latency, fmt_bytes, fmt_nanos, fmt_rate, median, nanos};
use benches::workload::{BOUNDED_CAPACITY, MillionStats, SpawnStats};

/// The counts of one run of every workload.
#[derive(Debug, Clone, Copy)]
struct Counts {
    tell: u64,
    senders: u32,
    per_sender: u64,
    ask: u64,
    fan_actors: usize,
    fan_rounds: u64,
    spawn: usize,
    million: usize,
}

const FULL: Counts = Counts {
    tell: 1_000_000,
    senders: 4,
    per_sender: 250_000,
    ask: 100_000,
    fan_actors: 1000,
    fan_rounds: 100,
    spawn: 100_000,
    million: 1_000_000,
};

const SMOKE: Counts = Counts {
    tell: 20_000,
    senders: 4,
    per_sender: 5_000,
    ask: 2_000,
    fan_actors: 100,
    fan_rounds: 5,
    spawn: 2_000,
    million: 5_000,
};

/// The workloads, in the order they run in each round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Tell,
    Contended,
    Ask,
    FanOut,
    Spawn,
    Million,
}

impl Kind {
    const ALL: [Kind; 6] = [
        Kind::Tell,
        Kind::Contended,
        Kind::Ask,
        Kind::FanOut,
        Kind::Spawn,
        Kind::Million,
    ];

    fn name(self) -> &'static str {
        match self {
            Kind::Tell => "tell",
            Kind::Contended => "contended",
            Kind::Ask => "ask",
            Kind::FanOut => "fanout",
            Kind::Spawn => "spawn",
            Kind::Million => "million",
        }
    }

    fn workload(self, c: &Counts) -> Workload {
        match self {
            Kind::Tell => Workload::Tell { n: c.tell },
            Kind::Contended => Workload::Contended {
                senders: c.senders,
                per_sender: c.per_sender,
            },
            Kind::Ask => Workload::Ask { n: c.ask },
            Kind::FanOut => Workload::FanOut {
                actors: c.fan_actors,
                rounds: c.fan_rounds,
            },
            Kind::Spawn => Workload::Spawn { n: c.spawn },
            Kind::Million => Workload::Million { n: c.million },
        }
    }
}

/// One column of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Metric {
    Tell,
    Contended,
    AskMean,
    AskP50,
    AskP99,
    FanOut,
    Spawn,
    Memory,
    Stop,
    MillionSpawn,
    MillionAsk,
    MillionMemory,
}

impl Metric {
    /// The columns of the main table (the million workload has its own).
    const ALL: [Metric; 9] = [
        Metric::Tell,
        Metric::Contended,
        Metric::AskMean,
        Metric::AskP50,
        Metric::AskP99,
        Metric::FanOut,
        Metric::Spawn,
        Metric::Memory,
        Metric::Stop,
    ];

    fn kind(self) -> Kind {
        match self {
            Metric::Tell => Kind::Tell,
            Metric::Contended => Kind::Contended,
            Metric::AskMean | Metric::AskP50 | Metric::AskP99 => Kind::Ask,
            Metric::FanOut => Kind::FanOut,
            Metric::Spawn | Metric::Memory | Metric::Stop => Kind::Spawn,
            Metric::MillionSpawn | Metric::MillionAsk | Metric::MillionMemory => Kind::Million,
        }
    }

    fn header(self) -> &'static str {
        match self {
            Metric::Tell => "tell ↑",
            Metric::Contended => "4 senders ↑",
            Metric::AskMean => "ask mean",
            Metric::AskP50 => "ask p50",
            Metric::AskP99 => "ask p99",
            Metric::FanOut => "fan-out /round",
            Metric::Spawn => "spawn /actor",
            Metric::Memory => "memory /actor",
            Metric::Stop => "stop /actor",
            Metric::MillionSpawn => "spawn /actor",
            Metric::MillionAsk => "ask once /actor",
            Metric::MillionMemory => "resident memory /actor",
        }
    }

    fn format(self, v: f64) -> String {
        match self {
            Metric::Tell | Metric::Contended => fmt_rate(v),
            Metric::Memory | Metric::MillionMemory => fmt_bytes(v),
            _ => fmt_nanos(v),
        }
    }
}

/// Every figure of every round, and the failures.
#[derive(Default)]
struct Results {
    /// `(round, figure)` per contender and metric.
    values: HashMap<(String, Metric), Vec<(usize, f64)>>,
    failures: HashMap<(String, Kind), String>,
    /// Runs that started without the machine being quiet (see `wait_for_quiet`).
    noisy_starts: usize,
    runs: usize,
}

impl Results {
    fn add(&mut self, id: &str, m: Metric, round: usize, v: f64) {
        self.values
            .entry((id.to_owned(), m))
            .or_default()
            .push((round, v));
    }

    fn failure(&self, id: &str, kind: Kind) -> Option<&String> {
        self.failures.get(&(id.to_owned(), kind))
    }

    fn median(&self, id: &str, m: Metric) -> Option<f64> {
        if self.failure(id, m.kind()).is_some() {
            return None;
        }
        let v: Vec<f64> = self
            .values
            .get(&(id.to_owned(), m))?
            .iter()
            .map(|x| x.1)
            .collect();
        median(&v)
    }

    /// The figure's ratio to the baseline's (throughput: figure ÷ baseline, so
    /// higher is better; times and memory: figure ÷ baseline, lower is better):
    /// the median of the ratios of the same round, where the two ran within
    /// seconds of each other, so that a slow spell of a shared machine hits
    /// both sides of a ratio alike.
    fn ratio(&self, id: &str, base: &str, m: Metric) -> Option<f64> {
        self.median(id, m)?;
        self.median(base, m)?;
        let v = self.values.get(&(id.to_owned(), m))?;
        let b = self.values.get(&(base.to_owned(), m))?;
        let ratios: Vec<f64> = v
            .iter()
            .filter_map(|&(round, x)| {
                let &(_, y) = b.iter().find(|(r, _)| *r == round)?;
                (y > 0.0).then(|| x / y)
            })
            .collect();
        median(&ratios)
    }
}

struct Options {
    counts: Counts,
    rounds: usize,
    million_rounds: usize,
    only: Option<Vec<String>>,
    kinds: Vec<Kind>,
    in_process: bool,
    smoke: bool,
    quiet_wait: Duration,
}

fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        counts: FULL,
        rounds: 5,
        million_rounds: 1,
        only: None,
        kinds: Kind::ALL.to_vec(),
        in_process: false,
        smoke: false,
        quiet_wait: Duration::from_secs(30),
    };
    let mut quiet_wait = None;
    let mut rounds = None;
    let mut n = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().cloned().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--smoke" => o.smoke = true,
            "--rounds" => {
                let v = value()?;
                rounds = Some(v.parse().map_err(|_| format!("bad --rounds {v}"))?);
            }
            "--million-rounds" => {
                let v = value()?;
                o.million_rounds = v.parse().map_err(|_| format!("bad --million-rounds {v}"))?;
            }
            "--only" => o.only = Some(value()?.split(',').map(str::to_owned).collect()),
            "--workloads" => {
                let list = value()?;
                o.kinds = list
                    .split(',')
                    .map(|w| {
                        Kind::ALL
                            .into_iter()
                            .find(|k| k.name() == w)
                            .ok_or(format!("unknown workload {w}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--in-process" => o.in_process = true,
            "--quiet-wait" => {
                let v = value()?;
                let secs: u64 = v.parse().map_err(|_| format!("bad --quiet-wait {v}"))?;
                quiet_wait = Some(Duration::from_secs(secs));
            }
            "--n" => {
                let v = value()?;
                n = Some(v.parse::<u64>().map_err(|_| format!("bad --n {v}"))?);
            }
            other => return Err(format!("unknown option {other}")),
        }
    }
    if o.smoke {
        o.counts = SMOKE;
        o.rounds = 1;
        o.quiet_wait = Duration::ZERO;
    }
    if let Some(w) = quiet_wait {
        o.quiet_wait = w;
    }
    if let Some(r) = rounds {
        o.rounds = r;
    }
    if let Some(n) = n {
        let c = &mut o.counts;
        c.tell = n;
        c.ask = n;
        c.per_sender = n / u64::from(c.senders);
        c.spawn = n as usize;
        c.million = n as usize;
        c.fan_rounds = (n / c.fan_actors as u64).max(1);
    }
    Ok(o)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(flag @ ("--child-spawn" | "--child-million")) = args.first().map(String::as_str) {
        return child(flag, &args[1..]);
    }
    if args.first().map(String::as_str) == Some("--list") {
        for c in contenders() {
            println!("{}", c.id());
        }
        return ExitCode::SUCCESS;
    }
    let o = match parse_args(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("compare: {e}");
            return ExitCode::from(2);
        }
    };
    let all: Vec<Box<dyn Contender>> = contenders()
        .into_iter()
        .filter(|c| {
            o.only
                .as_ref()
                .is_none_or(|ids| ids.iter().any(|i| i == c.id()))
        })
        .collect();
    if all.is_empty() {
        eprintln!("compare: no contender matches --only (see --list)");
        return ExitCode::from(2);
    }

    eprintln!(
        "compare: {} contenders, {} rounds, counts {:?}",
        all.len(),
        o.rounds,
        o.counts
    );
    let started = Instant::now();
    let mut results = Results::default();
    for round in 0..o.rounds {
        for &kind in &o.kinds {
            if kind == Kind::Million && round >= o.million_rounds {
                continue;
            }
            // A different contender goes first in each round.
            for i in 0..all.len() {
                let c = &all[(i + round) % all.len()];
                run_one(c.as_ref(), kind, &o, &mut results, round);
            }
        }
    }
    eprintln!("compare: done in {:.1} s", started.elapsed().as_secs_f64());

    print_report(&all, &results, &o);
    let unexpected: Vec<_> = results
        .failures
        .iter()
        .filter(|((id, kind), _)| known_failure(id, kind.workload(&o.counts)).is_none())
        .collect();
    if unexpected.is_empty() {
        ExitCode::SUCCESS
    } else {
        for ((id, kind), why) in unexpected {
            eprintln!("compare: FAILED {id} {}: {why}", kind.name());
        }
        ExitCode::FAILURE
    }
}

fn run_one(c: &dyn Contender, kind: Kind, o: &Options, results: &mut Results, round: usize) {
    let id = c.id();
    if results.failure(id, kind).is_some() {
        return;
    }
    let workload = kind.workload(&o.counts);
    results.runs += 1;
    if o.quiet_wait > Duration::ZERO && !wait_for_quiet(o.quiet_wait) {
        results.noisy_starts += 1;
    }
    let outcome = if kind == Kind::Spawn && !o.in_process {
        spawn_in_child(id, o.counts.spawn).map(Outcome::Spawn)
    } else if kind == Kind::Million && !o.in_process {
        million_in_child(id, o.counts.million).map(Outcome::Million)
    } else {
        c.run(workload).map_err(|e| e.0)
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(why) => {
            eprintln!("  round {round} {:<10} {id:<22} FAILED: {why}", kind.name());
            results.failures.insert((id.to_owned(), kind), why);
            return;
        }
    };
    let shown = match (kind, outcome) {
        (Kind::Tell, Outcome::Elapsed(d)) => {
            let rate = o.counts.tell as f64 / d.as_secs_f64();
            results.add(id, Metric::Tell, round, rate);
            fmt_rate(rate)
        }
        (Kind::Contended, Outcome::Elapsed(d)) => {
            let n = u64::from(o.counts.senders) * o.counts.per_sender;
            let rate = n as f64 / d.as_secs_f64();
            results.add(id, Metric::Contended, round, rate);
            fmt_rate(rate)
        }
        (Kind::Ask, Outcome::Latencies(l)) => {
            let l = Latency::of(l);
            results.add(id, Metric::AskMean, round, l.mean);
            results.add(id, Metric::AskP50, round, l.p50);
            results.add(id, Metric::AskP99, round, l.p99);
            format!(
                "mean {} p50 {} p99 {}",
                fmt_nanos(l.mean),
                fmt_nanos(l.p50),
                fmt_nanos(l.p99)
            )
        }
        (Kind::FanOut, Outcome::Elapsed(d)) => {
            results.add(id, Metric::FanOut, round, nanos(d));
            fmt_nanos(nanos(d))
        }
        (Kind::Spawn, Outcome::Spawn(s)) => {
            results.add(id, Metric::Spawn, round, nanos(s.per_spawn));
            results.add(id, Metric::Memory, round, s.bytes_per_actor);
            results.add(id, Metric::Stop, round, nanos(s.per_stop));
            format!(
                "spawn {} memory {} stop {}",
                fmt_nanos(nanos(s.per_spawn)),
                fmt_bytes(s.bytes_per_actor),
                fmt_nanos(nanos(s.per_stop))
            )
        }
        (Kind::Million, Outcome::Million(s)) => {
            results.add(id, Metric::MillionSpawn, round, nanos(s.per_spawn));
            results.add(id, Metric::MillionAsk, round, nanos(s.per_ask));
            results.add(id, Metric::MillionMemory, round, s.bytes_per_actor);
            format!(
                "spawn {} ask {} memory {}",
                fmt_nanos(nanos(s.per_spawn)),
                fmt_nanos(nanos(s.per_ask)),
                fmt_bytes(s.bytes_per_actor)
            )
        }
        (kind, outcome) => panic!("{kind:?} gave {outcome:?}"),
    };
    eprintln!("  round {round} {:<10} {id:<22} {shown}", kind.name());
}

/// Waits until nothing else is running on the machine (the runnable count of
/// `/proc/loadavg` is 1, this process, three times in a row 100 ms apart), at
/// most `max`. Returns `false` if the machine did not become quiet in time.
/// On a shared machine this keeps other people's builds out of the figures.
fn wait_for_quiet(max: Duration) -> bool {
    let start = Instant::now();
    let mut quiet = 0;
    while start.elapsed() < max {
        let runnable = std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| {
            let field = l.split_whitespace().nth(3)?.to_owned();
            field.split('/').next()?.parse::<u32>().ok()
        });
        match runnable {
            None => return true, // not Linux: nothing to wait for
            Some(n) if n <= 1 => quiet += 1,
            Some(_) => quiet = 0,
        }
        if quiet >= 3 {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// Runs `flag ID N` (`--child-spawn`, `--child-million`) in a fresh copy of
/// this program and returns the numbers of its line starting with `tag`.
fn run_child(flag: &str, tag: &str, id: &str, n: usize) -> Result<Vec<f64>, String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let out = Command::new(exe)
        .args([flag, id, &n.to_string()])
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("child process: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with(tag) || l.starts_with("FAIL "))
        .ok_or_else(|| format!("child process said nothing ({})", out.status))?;
    if let Some(why) = line.strip_prefix("FAIL ") {
        return Err(why.to_owned());
    }
    Ok(line[tag.len()..]
        .split_whitespace()
        .filter_map(|v| v.parse().ok())
        .collect())
}

/// Runs the spawn workload of `id` in a fresh copy of this program.
fn spawn_in_child(id: &str, n: usize) -> Result<SpawnStats, String> {
    let nums = run_child("--child-spawn", "SPAWN ", id, n)?;
    let [spawn_ns, stop_ns, bytes] = nums[..] else {
        return Err(format!("child process said {nums:?}"));
    };
    Ok(SpawnStats {
        per_spawn: Duration::from_nanos(spawn_ns as u64),
        per_stop: Duration::from_nanos(stop_ns as u64),
        bytes_per_actor: bytes,
    })
}

/// Runs the million workload of `id` in a fresh copy of this program.
fn million_in_child(id: &str, n: usize) -> Result<MillionStats, String> {
    let nums = run_child("--child-million", "MILLION ", id, n)?;
    let [spawn_ns, ask_ns, bytes] = nums[..] else {
        return Err(format!("child process said {nums:?}"));
    };
    Ok(MillionStats {
        per_spawn: Duration::from_nanos(spawn_ns as u64),
        per_ask: Duration::from_nanos(ask_ns as u64),
        bytes_per_actor: bytes,
    })
}

/// `--child-spawn ID N` or `--child-million ID N` (`flag`): that workload
/// in this (fresh) process, its figures printed on one line for
/// [`run_child`].
fn child(flag: &str, args: &[String]) -> ExitCode {
    let (Some(id), Some(n)) = (args.first(), args.get(1).and_then(|n| n.parse().ok())) else {
        println!("FAIL usage: {flag} ID N");
        return ExitCode::from(2);
    };
    let Some(c) = contenders().into_iter().find(|c| c.id() == id) else {
        println!("FAIL no contender {id}");
        return ExitCode::from(2);
    };
    let workload = if flag == "--child-million" {
        Workload::Million { n }
    } else {
        Workload::Spawn { n }
    };
    match c.run(workload) {
        Ok(Outcome::Spawn(s)) => println!(
            "SPAWN {} {} {}",
            s.per_spawn.as_nanos(),
            s.per_stop.as_nanos(),
            s.bytes_per_actor
        ),
        Ok(Outcome::Million(s)) => println!(
            "MILLION {} {} {}",
            s.per_spawn.as_nanos(),
            s.per_ask.as_nanos(),
            s.bytes_per_actor
        ),
        Ok(other) => {
            println!("FAIL unexpected outcome {other:?}");
            return ExitCode::FAILURE;
        }
        Err(e) => {
            println!("FAIL {e}");
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}

fn cell(results: &Results, c: &dyn Contender, m: Metric) -> String {
    let id = c.id();
    if results.failure(id, m.kind()).is_some() {
        return "✗ failed (see below)".into();
    }
    let Some(v) = results.median(id, m) else {
        return "–".into();
    };
    match results.ratio(id, baseline_of(c), m) {
        Some(r) => format!("{} ({r:.2}×)", m.format(v)),
        None => m.format(v),
    }
}

fn print_report(all: &[Box<dyn Contender>], results: &Results, o: &Options) {
    let c = &o.counts;
    println!(
        "Medians of {} round{} (order rotated each round). Each figure is followed by its \
         ratio to the hand-written tokio actor with the same mailbox kind on the same kind \
         of runtime (the 2-worker one; for the one-thread rows, the hand-written actor on \
         one thread): the median of the per-round ratios. Throughput \
         columns (↑) are messages per second, ratio = figure ÷ baseline (higher is better); \
         the other columns are times or memory, ratio = figure ÷ baseline (lower is better). \
         Bounded mailboxes hold {BOUNDED_CAPACITY} messages. {}\n",
        o.rounds,
        if o.rounds == 1 { "" } else { "s" },
        if o.quiet_wait > Duration::ZERO {
            format!(
                "{} of {} runs started on an otherwise idle machine.",
                results.runs - results.noisy_starts,
                results.runs
            )
        } else {
            "Runs did not wait for an idle machine.".to_owned()
        },
    );
    println!(
        "Workloads: tell = {} tells from one sender, then an ask that must see them all; \
         4 senders = {} concurrent senders × {} tells; ask = {} sequential asks; \
         fan-out = {} actors asked once each, concurrently, {} rounds; \
         spawn/memory/stop = {} idle actors in a fresh process.\n",
        c.tell, c.senders, c.per_sender, c.ask, c.fan_actors, c.fan_rounds, c.spawn
    );
    let metrics: Vec<Metric> = Metric::ALL
        .into_iter()
        .filter(|m| o.kinds.contains(&m.kind()))
        .collect();
    print!("| contender | mailbox | runtime |");
    for m in &metrics {
        print!(" {} |", m.header());
    }
    println!();
    print!("|---|---|---|");
    for _ in &metrics {
        print!("---:|");
    }
    println!();
    for contender in all {
        print!(
            "| {} | {} | {} |",
            contender.framework(),
            contender.mailbox().as_str(),
            contender.runtime().as_str()
        );
        for &m in &metrics {
            print!(" {} |", cell(results, contender.as_ref(), m));
        }
        println!();
    }
    println!();
    print_million(all, results, o);
    print_supervised(results, o);
    print_targets(results);
    print_failures(results, o);
}

/// The million workload's own table.
fn print_million(all: &[Box<dyn Contender>], results: &Results, o: &Options) {
    if !o.kinds.contains(&Kind::Million) {
        return;
    }
    let rounds = o.million_rounds.min(o.rounds);
    println!(
        "{} idle actors in one process (a fresh one per run; {rounds} round{}): time per \
         spawn, then each actor asked once (a thousand asks at a time), and the resident \
         memory they added, per actor (handles included). Ratios as above.\n",
        o.counts.million,
        if rounds == 1 { "" } else { "s" },
    );
    let metrics = [
        Metric::MillionSpawn,
        Metric::MillionAsk,
        Metric::MillionMemory,
    ];
    print!("| contender | mailbox | runtime |");
    for m in &metrics {
        print!(" {} |", m.header());
    }
    println!();
    println!("|---|---|---|---:|---:|---:|");
    for contender in all {
        print!(
            "| {} | {} | {} |",
            contender.framework(),
            contender.mailbox().as_str(),
            contender.runtime().as_str()
        );
        for &m in &metrics {
            print!(" {} |", cell(results, contender.as_ref(), m));
        }
        println!();
    }
    println!();
}

fn print_supervised(results: &Results, o: &Options) {
    println!("Supervised vs unsupervised (actor-core, tell and ask on a supervised child):\n");
    println!("| workload | mailbox | unsupervised | supervised | cost |");
    println!("|---|---|---:|---:|---:|");
    for pair in supervised_pairs() {
        for m in [Metric::Tell, Metric::AskMean] {
            if !o.kinds.contains(&m.kind()) {
                continue;
            }
            let plain = results
                .median(pair.unsupervised, m)
                .map_or("–".into(), |v| m.format(v));
            let (sup, cost) = match pair.supervised {
                Some(id) => match (results.median(id, m), supervision_cost(results, &pair, m)) {
                    (Some(s), Some(cost)) => (m.format(s), format!("{:+.1} %", cost * 100.0)),
                    _ => ("–".into(), "–".into()),
                },
                None => (pair.missing.to_owned(), "–".into()),
            };
            println!(
                "| {} | {} | {plain} | {sup} | {cost} |",
                m.header().trim_end_matches(" ↑"),
                pair.mailbox.as_str()
            );
        }
    }
    println!();
}

/// What supervision costs on the message path, from the same-round ratios of
/// the supervised child to the plain actor: slower throughput or longer time.
fn supervision_cost(
    results: &Results,
    pair: &benches::contender::SupervisedPair,
    m: Metric,
) -> Option<f64> {
    let r = results.ratio(pair.supervised?, pair.unsupervised, m)?;
    Some(if m == Metric::Tell {
        1.0 / r - 1.0
    } else {
        r - 1.0
    })
}

fn print_targets(results: &Results) {
    // Issue 12, "below the hand-written floor".
    let checks: [(Metric, &str, f64, bool); 9] = [
        (Metric::Tell, "tell ≥ 1.0×", 1.0, true),
        (Metric::Contended, "4-sender tell ≥ 1.0×", 1.0, true),
        (Metric::AskMean, "ask mean ≤ 1.0×", 1.0, false),
        (Metric::AskP50, "ask p50 ≤ 1.0×", 1.0, false),
        (Metric::FanOut, "fan-out ask ≤ 0.8×", 0.8, false),
        (Metric::Spawn, "spawn ≤ 0.6×", 0.6, false),
        (Metric::Memory, "memory per actor ≤ 0.6×", 0.6, false),
        (Metric::Stop, "stop ≤ 1.0×", 1.0, false),
        (
            Metric::MillionMemory,
            "memory per actor, a million ≤ 0.6×",
            0.6,
            false,
        ),
    ];
    let ours = ["actor-core/bounded", "actor-core/unbounded"];
    println!("actor-core against its targets (ratio to the hand-written actor, same mailbox):\n");
    println!("| target | bounded | unbounded |");
    println!("|---|---:|---:|");
    for (m, label, limit, at_least) in checks {
        print!("| {label} |");
        for id in ours {
            let kind = if id.ends_with("unbounded") {
                benches::MailboxKind::Unbounded
            } else {
                benches::MailboxKind::Bounded
            };
            let base = baseline_id(kind, RuntimeKind::MultiThread);
            match results.ratio(id, base, m) {
                Some(r) => {
                    let met = if at_least { r >= limit } else { r <= limit };
                    print!(" {r:.2}× {} |", if met { "met" } else { "**missed**" });
                }
                None => print!(" – |"),
            }
        }
        println!();
    }
    print!("| memory per idle actor ≤ 1 KiB |");
    for id in ours {
        match results.median(id, Metric::Memory) {
            Some(bytes) => {
                let met = if bytes <= 1024.0 { "met" } else { "**missed**" };
                print!(" {} {met} |", fmt_bytes(bytes));
            }
            None => print!(" – |"),
        }
    }
    println!();
    print!("| supervision ≤ 5 % (worst of tell, ask) |");
    for pair in supervised_pairs() {
        let worst = [Metric::Tell, Metric::AskMean]
            .into_iter()
            .filter_map(|m| supervision_cost(results, &pair, m))
            .reduce(f64::max);
        match worst {
            Some(cost) => {
                let met = if cost <= 0.05 { "met" } else { "**missed**" };
                print!(" {:+.1} % {met} |", cost * 100.0);
            }
            None => print!(" – |"),
        }
    }
    println!();
    println!();
}

fn print_failures(results: &Results, o: &Options) {
    if results.failures.is_empty() {
        return;
    }
    println!("Failures (a workload whose result check failed shows no figure):\n");
    let mut failures: Vec<_> = results.failures.iter().collect();
    failures.sort_by_key(|((id, kind), _)| (id.clone(), kind.name()));
    for ((id, kind), why) in failures {
        match known_failure(id, kind.workload(&o.counts)) {
            Some(reason) => println!("- {id}, {}: {why}. Known: {reason}.", kind.name()),
            None => println!("- {id}, {}: {why}.", kind.name()),
        }
    }
    println!();
}
