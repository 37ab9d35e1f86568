//! The console: the live view of a run. On a terminal, a progress bar;
//! elsewhere (a pipe, a CI log, a test), plain lines: key rotations, and
//! the numbers twice a second.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use actor_core::AskError;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::jwks::{JwksCacheHandle, JwksStats, Refreshed};
use super::meeting::MeetingHandle;
use super::rate_limiter::RateLimiterHandle;

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A live progress bar on the terminal (stdout).
    Bars,
    /// Plain lines: key rotations, and progress twice a second.
    Lines,
    /// Only the header and the summary.
    Quiet,
}

/// Live numbers, asked of the actors for the progress display.
pub(super) struct Live {
    allowed: u64,
    limited: u64,
    seated: usize,
    seats: usize,
    joined: u64,
    refused_full: u64,
    jwks: JwksStats,
}

impl Live {
    pub(super) async fn gather(
        rooms: &[MeetingHandle],
        limiters: &[RateLimiterHandle],
        jwks: &JwksCacheHandle,
    ) -> Result<Live, AskError> {
        let mut live = Live {
            allowed: 0,
            limited: 0,
            seated: 0,
            seats: 0,
            joined: 0,
            refused_full: 0,
            jwks: jwks.stats().await?,
        };
        for room in rooms {
            let s = room.stats().await?;
            live.seated += s.participants;
            live.seats += s.capacity;
            live.joined += s.joined;
            live.refused_full += s.refused_full;
        }
        for limiter in limiters {
            let (allowed, limited) = limiter.counts().await?;
            live.allowed += allowed;
            live.limited += limited;
        }
        Ok(live)
    }
}

/// Shows progress lines or a progress bar.
pub(super) struct Console<'o, W: Write> {
    out: &'o mut W,
    output: Output,
    began: Instant,
    bar: Option<ProgressBar>,
}

impl<'o, W: Write> Console<'o, W> {
    pub(super) fn new(out: &'o mut W, output: Output, duration: Duration) -> Self {
        let bar = (output == Output::Bars).then(|| {
            let style = ProgressStyle::with_template(
                "{spinner:.green} [{bar:30.cyan/blue}] {elapsed:>3} · {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let bar = ProgressBar::with_draw_target(
                Some(duration.as_millis() as u64),
                ProgressDrawTarget::stdout(),
            )
            .with_style(style);
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Console {
            out,
            output,
            began: Instant::now(),
            bar,
        }
    }

    fn line(&mut self, text: String) -> io::Result<()> {
        let text = format!("[{:>6.2}s] {text}", self.began.elapsed().as_secs_f64());
        match (&self.bar, self.output) {
            (Some(bar), _) => {
                bar.println(text);
                Ok(())
            }
            (None, Output::Lines) => writeln!(self.out, "{text}"),
            (None, _) => Ok(()),
        }
    }

    pub(super) fn refreshed(&mut self, r: &Refreshed) -> io::Result<()> {
        let text = match r.previous {
            None => format!(
                "JWKS: first keys fetched (v{}) in {} ms; {} checks waited for them",
                r.version,
                r.took.as_millis(),
                r.released
            ),
            Some(previous) if previous != r.version => format!(
                "JWKS: key rotated v{previous} → v{}; {} checks of tokens signed with it waited {} ms for the fetch",
                r.version,
                r.released,
                r.took.as_millis(),
            ),
            Some(_) => return Ok(()),
        };
        self.line(text)
    }

    pub(super) fn progress(&mut self, live: &Live) -> io::Result<()> {
        let text = format!(
            "{} requests ({} limited) · {}/{} seats taken · {} joins, {} refused (full) · keys v{}",
            group(live.allowed + live.limited),
            group(live.limited),
            live.seated,
            live.seats,
            group(live.joined),
            group(live.refused_full),
            live.jwks.version,
        );
        match &self.bar {
            Some(bar) => {
                bar.set_position(self.began.elapsed().as_millis() as u64);
                bar.set_message(text);
                Ok(())
            }
            None => self.line(text),
        }
    }

    pub(super) fn finish(&mut self) -> io::Result<()> {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        Ok(())
    }
}

pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    plural_grouped(n as u64, one, many)
}

/// `1 check`, `1,234 checks`.
pub(super) fn plural_grouped(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

/// `1234567` as `1,234,567`.
pub(super) fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
