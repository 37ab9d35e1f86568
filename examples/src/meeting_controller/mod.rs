//! A meeting controller: one state actor per meeting, a rate limiter actor
//! per user, and a JWKS cache actor refreshed on a timer, all asked at once
//! by hundreds of device tasks.
//!
//! ```text
//! root supervisor (one-for-one)
//! ├── JwksCache         verifies tokens; refetches the identity provider's
//! │                     keys on a timer, off its mailbox, serving reads meanwhile
//! ├── Meeting × M       one per meeting: participants, capacity
//! └── RateLimiter × U   one per user: a token bucket shared by the user's devices
//!
//! Device tasks (U users × D devices), until the deadline:
//!   limiter.acquire() → jwks.verify(token) → meeting.join | meeting.say | meeting.leave
//! ```
//!
//! The identity provider rotates its signing key on a schedule; tokens
//! signed with a key the cache has not fetched yet wait for the next fetch
//! instead of failing. A few tokens are forged on purpose and are refused.
//!
//! Run it with `cargo run --example meeting_controller` (`-- --help` for
//! flags), or call [`run`] with [`Options`] and read the [`Summary`].

mod console;
mod device;
pub mod idp;
pub mod jwks;
pub mod meeting;
pub mod rate_limiter;

use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use tokio::task::JoinSet;

use console::{Console, Live, group, plural, plural_grouped};
use device::{Device, DeviceCount};
use idp::{IdentityProvider, UserId};
use jwks::{JwksCache, JwksStats, Refreshed};
use meeting::{Meeting, MeetingStats};
use rate_limiter::{Audit, RateLimiter};

pub use console::Output;

/// The size and timing of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Meetings.
    pub meetings: usize,
    /// Seats per meeting.
    pub capacity: usize,
    /// Users.
    pub users: usize,
    /// Devices per user, each its own task.
    pub devices: usize,
    /// How long the devices keep sending.
    pub duration: Duration,
    /// Requests a user may make at once (the bucket's size).
    pub burst: u32,
    /// Requests a user may make per second, sustained.
    pub per_second: f64,
    /// How often the JWKS cache refetches the keys.
    pub refresh_every: Duration,
    /// How long a fetch of the keys takes.
    pub fetch_latency: Duration,
    /// How often the identity provider rotates its signing key.
    pub rotate_every: Duration,
    /// The fraction of requests carrying a forged token.
    pub forge_rate: f64,
    /// The most a device waits between requests.
    pub think: Duration,
    /// Seeds the devices' choices.
    pub seed: u64,
    /// How progress is shown.
    pub output: Output,
}

impl Options {
    /// The defaults of `cargo run --example meeting_controller`: three seconds.
    pub const DEFAULT: Options = Options {
        meetings: 12,
        capacity: 25,
        users: 150,
        devices: 3,
        duration: Duration::from_secs(3),
        burst: 10,
        per_second: 20.0,
        refresh_every: Duration::from_millis(250),
        fetch_latency: Duration::from_millis(60),
        rotate_every: Duration::from_millis(700),
        forge_rate: 0.01,
        think: Duration::from_millis(150),
        seed: 2024,
        output: Output::Lines,
    };

    /// A short run for tests: 40 users on 4 small meetings for 0.8 s, keys
    /// refreshed every 100 ms and rotated every 250 ms.
    pub fn small() -> Self {
        Options {
            meetings: 4,
            capacity: 5,
            users: 40,
            duration: Duration::from_millis(800),
            refresh_every: Duration::from_millis(100),
            fetch_latency: Duration::from_millis(30),
            rotate_every: Duration::from_millis(250),
            forge_rate: 0.05,
            ..Options::DEFAULT
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::DEFAULT
    }
}

/// What a run did: the numbers of the summary it prints.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Summary {
    /// Each meeting's numbers.
    pub meetings: Vec<MeetingStats>,
    /// Users.
    pub users: usize,
    /// Device tasks.
    pub devices: usize,
    /// Requests the devices made (allowed or limited).
    pub requests: u64,
    /// Requests refused by a rate limiter, as the devices saw it.
    pub limited: u64,
    /// Each user's limiter audit, by user number.
    pub audits: Vec<Audit>,
    /// The window of the audits.
    pub window: Duration,
    /// Requests with a forged token.
    pub forged: u64,
    /// Tokens the JWKS cache refused, as the devices saw it.
    pub rejected: u64,
    /// The JWKS cache's numbers.
    pub jwks: JwksStats,
    /// The bucket's size and rate.
    pub burst: u32,
    /// Refill per second.
    pub per_second: f64,
    /// The JWKS cache's timer period.
    pub refresh_every: Duration,
    /// How long the devices ran.
    pub elapsed: Duration,
}

impl Summary {
    /// Meetings that ever had more participants than seats (none, or a bug).
    pub fn over_capacity(&self) -> impl Iterator<Item = &MeetingStats> {
        self.meetings.iter().filter(|m| m.peak > m.capacity)
    }

    /// Users whose limiter allowed more in some window than it may.
    pub fn over_limit(&self) -> impl Iterator<Item = (UserId, &Audit)> {
        self.audits
            .iter()
            .enumerate()
            .filter(|(_, a)| !a.held())
            .map(|(u, a)| (UserId(u), a))
    }

    /// Requests the limiters allowed.
    pub fn allowed(&self) -> u64 {
        self.audits.iter().map(|a| a.allowed).sum()
    }

    /// Joins admitted, refused for a full room, and leaves, over all meetings.
    pub fn joins(&self) -> (u64, u64, u64) {
        self.meetings.iter().fold((0, 0, 0), |(j, f, l), m| {
            (j + m.joined, f + m.refused_full, l + m.left)
        })
    }
}

/// Why a run could not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// An actor could not be reached or started.
    #[error(transparent)]
    Actor(#[from] actor_core::Error),
    /// A device task panicked.
    #[error("a device task failed: {0}")]
    Device(#[from] tokio::task::JoinError),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Io(#[from] io::Error),
}

impl From<AskError> for RunError {
    fn from(err: AskError) -> Self {
        RunError::Actor(err.into())
    }
}

impl From<actor_core::SpawnError> for RunError {
    fn from(err: actor_core::SpawnError) -> Self {
        RunError::Actor(err.into())
    }
}

const NAMES: [&str; 12] = [
    "all-hands",
    "standup",
    "design-review",
    "planning",
    "retro",
    "incident-42",
    "interview",
    "sales-sync",
    "onboarding",
    "1:1",
    "book-club",
    "lunch",
];

fn meeting_name(i: usize) -> String {
    match i / NAMES.len() {
        0 => NAMES[i].to_owned(),
        n => format!("{}-{}", NAMES[i % NAMES.len()], n + 1),
    }
}

/// Runs the meeting service under load for `opts.duration`, shows progress
/// on `out` as `opts.output` says, prints the summary and returns it.
pub async fn run(opts: Options, out: &mut impl Write) -> Result<Summary, RunError> {
    let system = System::new();
    let idp = IdentityProvider::new(opts.rotate_every, opts.seed);
    let (meetings, users) = (opts.meetings.max(1), opts.users.max(1));
    let devices = users * opts.devices.max(1);
    writeln!(
        out,
        "meeting_controller: {} devices of {} users join and leave {} meetings of {} seats for {:.1} s",
        group(devices as u64),
        group(users as u64),
        meetings,
        opts.capacity,
        opts.duration.as_secs_f64(),
    )?;
    writeln!(
        out,
        "  each user may make {} requests at once and {}/s after (one rate limiter actor per user)",
        opts.burst, opts.per_second,
    )?;
    writeln!(
        out,
        "  tokens are checked by a JWKS cache refreshed every {} ms; the provider rotates its key every {} ms\n",
        opts.refresh_every.as_millis(),
        opts.rotate_every.as_millis(),
    )?;

    let mut refreshed = system.events::<Refreshed>().subscribe();
    let root = Supervisor::new(Strategy::OneForOne);
    let jwks = {
        let (idp, events) = (idp.clone(), system.events::<Refreshed>());
        let (every, latency) = (opts.refresh_every, opts.fetch_latency);
        root.child(move || JwksCache::new(idp.clone(), every, latency, events.clone()))
            .spawn()?
    };
    let rooms = (0..meetings)
        .map(|i| {
            let (name, capacity) = (meeting_name(i), opts.capacity);
            root.child(move || Meeting::new(name.clone(), capacity))
                .spawn()
        })
        .collect::<Result<Arc<[_]>, _>>()?;
    let limiters = (0..users)
        .map(|_| {
            let (burst, rate) = (opts.burst, opts.per_second);
            root.child(move || RateLimiter::new(burst, rate)).spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;
    system.spawn_supervisor(root);

    // The first meeting is the most popular, the second half as much, …
    let popularity: Arc<[f64]> = (1..=meetings)
        .scan(0.0, |sum, i| {
            *sum += 1.0 / i as f64;
            Some(*sum)
        })
        .collect();
    let began = Instant::now();
    let deadline = began + opts.duration;
    let mut tasks = JoinSet::new();
    for (u, limiter) in limiters.iter().enumerate() {
        for d in 0..opts.devices.max(1) {
            let device = Device {
                user: UserId(u),
                limiter: limiter.clone(),
                jwks: jwks.clone(),
                meetings: rooms.clone(),
                popularity: popularity.clone(),
                idp: idp.clone(),
                deadline,
                forge_rate: opts.forge_rate,
                think: opts.think,
                leave_rate: 0.2,
                seed: opts.seed ^ ((u as u64) << 8 | d as u64),
            };
            tasks.spawn(device.run());
        }
    }

    let mut console = Console::new(out, opts.output, opts.duration);
    let every = if opts.output == Output::Bars {
        Duration::from_millis(100)
    } else {
        Duration::from_millis(500)
    };
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    let mut total = DeviceCount::default();
    loop {
        tokio::select! {
            finished = tasks.join_next() => match finished {
                Some(count) => total.add(&count?),
                None => break,
            },
            Ok(refresh) = refreshed.recv() => console.refreshed(&refresh)?,
            _ = ticks.tick() => {
                let live = Live::gather(&rooms, &limiters, &jwks).await?;
                console.progress(&live)?;
            }
        }
    }
    let elapsed = began.elapsed();

    let window = Duration::from_secs(1);
    let mut audits = Vec::with_capacity(limiters.len());
    for limiter in &limiters {
        audits.push(limiter.audit(window).await?);
    }
    let mut meeting_stats = Vec::with_capacity(rooms.len());
    for room in rooms.iter() {
        meeting_stats.push(room.stats().await?);
    }
    let jwks_stats = jwks.stats().await?;
    system.shutdown().await;
    console.finish()?;

    let summary = Summary {
        meetings: meeting_stats,
        users,
        devices,
        requests: total.requests,
        limited: total.limited,
        audits,
        window,
        forged: total.forged,
        rejected: total.rejected,
        jwks: jwks_stats,
        burst: opts.burst,
        per_second: opts.per_second,
        refresh_every: opts.refresh_every,
        elapsed,
    };
    writeln!(out, "\n{summary}")?;
    Ok(summary)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Summary")?;
        let over = self.over_capacity().count();
        let capacity = self.meetings.first().map_or(0, |m| m.capacity);
        write!(
            f,
            "  meetings     {} × {}, ",
            plural(self.meetings.len(), "room", "rooms"),
            plural(capacity, "seat", "seats"),
        )?;
        if over == 0 {
            write!(f, "never above capacity")?;
        } else {
            write!(f, "OVER CAPACITY in {over} rooms")?;
        }
        match self.meetings.iter().max_by_key(|m| (m.peak, m.joined)) {
            Some(m) => writeln!(f, " (fullest: {} at {}/{})", m.name, m.peak, m.capacity)?,
            None => writeln!(f)?,
        }
        let (joined, full, left) = self.joins();
        let full_rooms = self.meetings.iter().filter(|m| m.refused_full > 0).count();
        let seated: usize = self.meetings.iter().map(|m| m.participants).sum();
        let messages: u64 = self.meetings.iter().map(|m| m.messages).sum();
        writeln!(
            f,
            "  joins        {} admitted, {} refused by {}; {} leaves, {} still seated",
            group(joined),
            group(full),
            plural(full_rooms, "full room", "full rooms"),
            group(left),
            seated,
        )?;
        writeln!(
            f,
            "  chat         {} messages from participants",
            group(messages)
        )?;
        writeln!(
            f,
            "  rate limits  {} requests from {} of {}: {} allowed, {} limited",
            group(self.requests),
            plural(self.devices, "device", "devices"),
            plural(self.users, "user", "users"),
            group(self.allowed()),
            group(self.limited),
        )?;
        let busiest = self
            .audits
            .iter()
            .map(|a| a.busiest_window)
            .max()
            .unwrap_or(0);
        let limit = self.audits.first().map_or(0, |a| a.limit);
        let over = self.over_limit().count();
        writeln!(
            f,
            "               busiest {:.0} s of any user: {} allowed, limit {} (burst {} + {}/s): {}",
            self.window.as_secs_f64(),
            busiest,
            limit,
            self.burst,
            self.per_second,
            if over == 0 {
                format!("held for all {}", plural(self.users, "user", "users"))
            } else {
                format!("EXCEEDED for {}", plural(over, "user", "users"))
            },
        )?;
        let j = &self.jwks;
        writeln!(
            f,
            "  tokens       {} checked: {} forged on purpose, {} refused",
            group(j.checks),
            group(self.forged),
            group(self.rejected),
        )?;
        writeln!(
            f,
            "  JWKS cache   {} on a {} ms timer; {}",
            plural(j.refreshes as usize, "refresh", "refreshes"),
            self.refresh_every.as_millis(),
            if j.version > j.first_version {
                format!("key rotated v{} → v{}", j.first_version, j.version)
            } else {
                format!("the key stayed v{}", j.version)
            },
        )?;
        writeln!(
            f,
            "               {} answered while a refresh was in flight, {} waited for a key not fetched yet",
            plural_grouped(j.served_during_refresh, "check", "checks"),
            group(j.waited_for_keys),
        )?;
        write!(f, "  elapsed      {:.2} s", self.elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(group(0), "0");
        assert_eq!(group(999), "999");
        assert_eq!(group(1000), "1,000");
        assert_eq!(group(1_234_567), "1,234,567");
    }

    #[test]
    fn meeting_names_stay_unique_past_the_list() {
        let names: std::collections::BTreeSet<_> = (0..30).map(meeting_name).collect();
        assert_eq!(names.len(), 30);
    }
}
