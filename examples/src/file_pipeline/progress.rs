//! Progress: a live bar on a terminal, a line every 20 % elsewhere (logs, CI,
//! tests), or nothing.

use std::io::{self, Write};
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// A live progress bar on the terminal (stdout).
    Bar,
    /// A plain line at every 20 %, written to the run's output.
    Lines,
    /// Nothing until the summary.
    Off,
}

impl ProgressMode {
    /// [`ProgressMode::Bar`] when stdout is a terminal, else [`ProgressMode::Lines`].
    pub fn for_stdout() -> Self {
        use std::io::IsTerminal;
        if io::stdout().is_terminal() {
            ProgressMode::Bar
        } else {
            ProgressMode::Lines
        }
    }
}

/// The progress of one pass over `total` bytes.
pub(crate) struct Progress {
    bar: Option<ProgressBar>,
    lines: bool,
    verb: &'static str,
    total: u64,
    /// The next percentage to print a line at.
    next_line: u64,
    started: Instant,
}

impl Progress {
    /// Progress over `total` bytes; `verb` says what happened to the chunks
    /// counted (`written`, `checked`).
    pub(crate) fn new(mode: ProgressMode, total: u64, verb: &'static str) -> Self {
        let bar = (mode == ProgressMode::Bar).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stdout());
            bar.set_style(
                ProgressStyle::with_template(
                    "  [{elapsed_precise}] {wide_bar:.cyan/blue} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
                )
                .expect("a valid template")
                .progress_chars("█▉▊▋▌▍▎▏ "),
            );
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Progress {
            bar,
            lines: mode == ProgressMode::Lines,
            verb,
            total,
            next_line: 20,
            started: Instant::now(),
        }
    }

    /// Records that `done` of the total bytes and `chunks` chunks are through.
    pub(crate) fn update(
        &mut self,
        done: u64,
        chunks: u64,
        out: &mut impl Write,
    ) -> io::Result<()> {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
        if !self.lines {
            return Ok(());
        }
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        if percent < self.next_line {
            return Ok(());
        }
        while self.next_line <= percent {
            self.next_line += 20;
        }
        writeln!(
            out,
            "  {percent:>3}%  {} of {}, {chunks} chunks {}, {}/s",
            HumanBytes(done),
            HumanBytes(self.total),
            self.verb,
            HumanBytes(per_second(done, self.started.elapsed())),
        )
    }

    /// Removes the bar, if any.
    pub(crate) fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// `bytes` per second over `elapsed`.
pub(crate) fn per_second(bytes: u64, elapsed: Duration) -> u64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 {
        (bytes as f64 / secs) as u64
    } else {
        0
    }
}
