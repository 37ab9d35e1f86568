//! The console: turns [`CiEvent`]s into what a person watching wants to see.
//!
//! On a terminal, progress bars (one for the jobs, one line per runner with
//! the jobs on it and their current step); elsewhere (a pipe, a CI log, a
//! test), plain lines: crashes, retries, and a progress line every 10%.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::events::CiEvent;
use super::model::{JobId, Step};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// Live progress bars on the terminal (stdout).
    Bars,
    /// Plain lines: crashes, retries, and progress every 10% of the jobs.
    Lines,
    /// Only the header and the summary.
    Quiet,
}

/// A job on a runner, as the runner's line shows it.
struct Running {
    name: Arc<str>,
    steps: Arc<[Step]>,
    next: usize,
    attempt: u32,
}

struct Bars {
    multi: MultiProgress,
    jobs: ProgressBar,
    runners: Vec<ProgressBar>,
}

pub(crate) struct Console<'o, W: Write> {
    out: &'o mut W,
    output: Output,
    began: Instant,
    jobs: usize,
    jobs_done: usize,
    steps: usize,
    steps_done: usize,
    /// Steps done, each counted once (a retried job runs some again).
    seen: HashSet<(JobId, usize)>,
    crashes: usize,
    archived: u64,
    /// The last tenth of the jobs reported in lines mode.
    decile: usize,
    running: Vec<BTreeMap<JobId, Running>>,
    bars: Option<Bars>,
    missed: bool,
}

impl<'o, W: Write> Console<'o, W> {
    pub(crate) fn new(
        out: &'o mut W,
        output: Output,
        jobs: usize,
        steps: usize,
        runners: usize,
    ) -> Self {
        let bars = (output == Output::Bars).then(|| {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stdout());
            let style = ProgressStyle::with_template(
                "{spinner:.green} {elapsed:>3} [{bar:30.cyan/blue}] {pos}/{len} jobs · {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            let jobs_bar = multi.add(ProgressBar::new(jobs as u64).with_style(style));
            jobs_bar.enable_steady_tick(Duration::from_millis(100));
            let line = ProgressStyle::with_template("  {prefix:.bold} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            let runners = (0..runners)
                .map(|r| {
                    let bar = multi.add(ProgressBar::new_spinner().with_style(line.clone()));
                    bar.set_prefix(format!("runner-{:<2}", r + 1));
                    bar.set_message("idle");
                    bar
                })
                .collect();
            Bars {
                multi,
                jobs: jobs_bar,
                runners,
            }
        });
        Console {
            out,
            output,
            began: Instant::now(),
            jobs,
            jobs_done: 0,
            steps,
            steps_done: 0,
            seen: HashSet::new(),
            crashes: 0,
            archived: 0,
            decile: 0,
            running: (0..runners).map(|_| BTreeMap::new()).collect(),
            bars,
            missed: false,
        }
    }

    /// Shows what `event` changes.
    pub(crate) fn show(&mut self, event: &CiEvent) -> io::Result<()> {
        match event {
            CiEvent::JobStarted {
                job,
                name,
                steps,
                runner,
                attempt,
            } => {
                if *attempt > 1 {
                    self.line(format!(
                        "↻ {name} restarted on {runner} (attempt {attempt}), from a clean checkout"
                    ))?;
                }
                if let Some(jobs) = self.running.get_mut(runner.0) {
                    jobs.insert(
                        *job,
                        Running {
                            name: name.clone(),
                            steps: steps.clone(),
                            next: 0,
                            attempt: *attempt,
                        },
                    );
                }
                self.redraw_runner(runner.0);
            }
            CiEvent::StepDone {
                job,
                runner,
                index,
                archive,
                ..
            } => {
                if self.seen.insert((*job, *index)) {
                    self.steps_done += 1;
                }
                if let Some(a) = archive {
                    self.archived += a.log_bytes as u64;
                }
                if let Some(run) = self
                    .running
                    .get_mut(runner.0)
                    .and_then(|jobs| jobs.get_mut(job))
                {
                    run.next = index + 1;
                }
                self.redraw_runner(runner.0);
                self.redraw_jobs();
            }
            CiEvent::WorkerCrashed {
                job,
                name,
                runner,
                reason,
            } => {
                self.crashes += 1;
                if let Some(jobs) = self.running.get_mut(runner.0) {
                    jobs.remove(job);
                }
                self.redraw_runner(runner.0);
                self.line(format!("✗ {name} crashed on {runner}: {reason}"))?;
            }
            CiEvent::JobFinished {
                job,
                name,
                runner,
                attempts,
                took,
            } => {
                self.jobs_done += 1;
                if let Some(jobs) = self.running.get_mut(runner.0) {
                    jobs.remove(job);
                }
                self.redraw_runner(runner.0);
                self.redraw_jobs();
                if *attempts > 1 {
                    self.line(format!(
                        "✓ {name} finished on attempt {attempts}, {} ms after it first started",
                        took.as_millis()
                    ))?;
                }
                self.progress_line()?;
            }
            CiEvent::PipelineSubmitted { .. }
            | CiEvent::PipelineFinished { .. }
            | CiEvent::AllDone => {}
        }
        Ok(())
    }

    /// Notes that the console fell behind the event bus.
    pub(crate) fn missed(&mut self) {
        self.missed = true;
    }

    /// Takes the bars down; what follows is printed below the lines.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        if let Some(bars) = self.bars.take() {
            for bar in &bars.runners {
                bar.finish_and_clear();
            }
            bars.jobs.finish_and_clear();
            bars.multi.clear()?;
        }
        if self.missed && self.output != Output::Quiet {
            writeln!(
                self.out,
                "(the console fell behind and skipped some events)"
            )?;
        }
        Ok(())
    }

    /// Prints a timestamped line (above the bars, when there are bars).
    fn line(&mut self, text: String) -> io::Result<()> {
        let text = format!("[{:>6.2}s] {text}", self.began.elapsed().as_secs_f64());
        match (&self.bars, self.output) {
            (Some(bars), _) => bars.multi.println(text),
            (None, Output::Lines) => writeln!(self.out, "{text}"),
            (None, _) => Ok(()),
        }
    }

    /// In lines mode, a line each time another tenth of the jobs is done.
    fn progress_line(&mut self) -> io::Result<()> {
        if self.output != Output::Lines || self.jobs == 0 {
            return Ok(());
        }
        let decile = self.jobs_done * 10 / self.jobs;
        if decile <= self.decile {
            return Ok(());
        }
        self.decile = decile;
        let text = format!(
            "{:>3}% · {}/{} jobs · {}/{} steps · {} · {:.1} MiB of logs archived",
            decile * 10,
            self.jobs_done,
            self.jobs,
            self.steps_done,
            self.steps,
            if self.crashes == 1 {
                "1 crash".to_owned()
            } else {
                format!("{} crashes", self.crashes)
            },
            self.archived as f64 / (1024.0 * 1024.0),
        );
        self.line(text)
    }

    fn redraw_jobs(&self) {
        if let Some(bars) = &self.bars {
            bars.jobs.set_position(self.jobs_done as u64);
            bars.jobs.set_message(format!(
                "{}/{} steps · {} crashed · {:.1} MiB archived",
                self.steps_done,
                self.steps,
                self.crashes,
                self.archived as f64 / (1024.0 * 1024.0),
            ));
        }
    }

    fn redraw_runner(&self, runner: usize) {
        let (Some(bars), Some(jobs)) = (&self.bars, self.running.get(runner)) else {
            return;
        };
        let Some(bar) = bars.runners.get(runner) else {
            return;
        };
        if jobs.is_empty() {
            bar.set_message("idle");
            return;
        }
        let text: Vec<String> = jobs
            .values()
            .map(|run| {
                let step = run.steps.get(run.next).map_or("done", |s| s.name());
                if run.attempt > 1 {
                    format!("{} [{step}, attempt {}]", run.name, run.attempt)
                } else {
                    format!("{} [{step}]", run.name)
                }
            })
            .collect();
        bar.set_message(text.join("   "));
    }
}
