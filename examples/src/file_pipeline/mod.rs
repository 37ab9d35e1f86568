//! `file_pipeline`: compress a file in chunks on the CPU pool, in parallel but
//! with a bound, write the chunks in order, then verify the output.
//!
//! ```text
//!                 ask read(i)                  CPU pool                  ask write(frame)
//!   driver ──────────────────► Reader ─chunk─► gzip + SHA-256 ─frame────────────────► Writer ──► output.gz
//!     │                                                                     (reorder buffer:
//!     └─ a Limiter admits chunk i only while fewer than N are               frames wait for
//!        between "read" and "written": memory stays bounded                 their turn)
//! ```
//!
//! - The [`Reader`] actor owns the input file and answers `read(i)` with chunk `i`.
//! - Compression and hashing are CPU-bound, so each chunk goes to the system's
//!   CPU pool ([`System::cpu`]); the tokio threads stay free for IO and actors.
//! - The [`Writer`] actor receives frames in whatever order the pool finishes
//!   them, keeps early ones in a reorder buffer, and writes them in index
//!   order. It answers each `write` ask only once that frame is written.
//! - The driver runs each chunk (read, compress, write) as a task admitted by a
//!   [`Limiter`] of `in_flight` places, held until the
//!   writer's answer. That is the backpressure: when the writer or the pool
//!   falls behind, the driver stops reading, so at most `in_flight` chunks are
//!   in memory whatever the size of the file.
//! - The output is an ordinary `.gz` file, one gzip member per chunk (see
//!   [`mod@format`]); `gunzip -c` restores the input. The verification pass reads
//!   it back, decompresses every member on the CPU pool and compares digests.
//!
//! Run it with `cargo run --example file_pipeline` (a generated input), or
//! `cargo run --release --example file_pipeline -- PATH` for a file of yours;
//! `--help` lists the options.

pub mod format;
mod input;
mod progress;
mod reader;
mod verify;
mod window;
mod writer;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{CpuPool, Limiter};
use indicatif::HumanBytes;

pub use self::format::{Digest, Frame};
pub use self::input::{generate_text, parse_size};
pub use self::progress::ProgressMode;
pub use self::reader::{Reader, ReaderHandle};
pub use self::verify::{Problem, Verification, verify};
pub use self::writer::{Writer, WriterHandle, WriterStats, Written};

use self::progress::{Progress, per_second};
use self::window::{InFlight, Window};

/// What to compress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file of yours.
    File(PathBuf),
    /// Generated text of this many bytes, in a temporary file.
    Generate {
        /// The size of the generated file.
        size: u64,
    },
}

/// How to run the pipeline.
#[derive(Debug, Clone)]
pub struct Options {
    /// What to compress.
    pub input: Input,
    /// Where to write the output; `None`: a temporary file, removed at the end.
    pub output: Option<PathBuf>,
    /// The size of a chunk, in bytes.
    pub chunk_size: usize,
    /// The most chunks between read and written at once; `None`: twice the
    /// CPU pool's threads, so the pool has the next chunk while one is written.
    pub in_flight: Option<usize>,
    /// The CPU pool's threads; `None`: one per CPU.
    pub cpu_threads: Option<usize>,
    /// The gzip level, 0 (store) to 9 (smallest).
    pub level: u32,
    /// How to show progress.
    pub progress: ProgressMode,
}

/// The default chunk size: 1 MiB.
pub const DEFAULT_CHUNK_SIZE: usize = 1 << 20;
/// The default size of the generated input: 32 MiB.
pub const DEFAULT_GENERATED_SIZE: u64 = 32 << 20;
/// The largest chunk size accepted.
pub const MAX_CHUNK_SIZE: usize = 256 << 20;

impl Default for Options {
    fn default() -> Self {
        Options {
            input: Input::Generate {
                size: DEFAULT_GENERATED_SIZE,
            },
            output: None,
            chunk_size: DEFAULT_CHUNK_SIZE,
            in_flight: None,
            cpu_threads: None,
            level: 6,
            progress: ProgressMode::Lines,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone)]
pub struct Summary {
    /// The input file.
    pub input: PathBuf,
    /// The output file (already removed if it was a temporary one).
    pub output: PathBuf,
    /// Chunks written.
    pub chunks: u64,
    /// Input bytes.
    pub bytes_in: u64,
    /// Output bytes.
    pub bytes_out: u64,
    /// The time from the first read to the output flushed to disk.
    pub elapsed: Duration,
    /// The size of a chunk.
    pub chunk_size: usize,
    /// The CPU pool's threads.
    pub cpu_threads: usize,
    /// The most chunks allowed between read and written at once.
    pub in_flight_limit: usize,
    /// The most chunks that were between read and written at once.
    pub peak_in_flight: usize,
    /// What the writer saw: how many chunks arrived early and waited.
    pub writer: WriterStats,
    /// The digest of each input chunk, in order.
    pub digests: Vec<Digest>,
    /// What the verification pass found.
    pub verification: Verification,
}

impl Summary {
    /// Output bytes per input byte.
    pub fn ratio(&self) -> f64 {
        if self.bytes_in == 0 {
            1.0
        } else {
            self.bytes_out as f64 / self.bytes_in as f64
        }
    }

    /// Input bytes compressed per second.
    pub fn throughput(&self) -> u64 {
        per_second(self.bytes_in, self.elapsed)
    }
}

/// Why the pipeline could not run to the end. A verification that finds bad
/// chunks is not an error: see [`Verification::is_ok`].
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// A file could not be created, opened, read or written.
    #[error("{what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why it failed.
        #[source]
        source: io::Error,
    },
    /// The input is shorter than it was when the run began.
    #[error("the input changed while it was read: chunk {index} has {got} bytes, not {expected}")]
    InputChanged {
        /// The chunk.
        index: u64,
        /// Its length now.
        got: usize,
        /// Its length from the file's size at the start.
        expected: usize,
    },
    /// The reader or the writer stopped before answering.
    #[error("a pipeline actor failed: {0}")]
    Actor(#[from] AskError),
    /// Work on the CPU pool failed.
    #[error("CPU work failed: {0}")]
    Cpu(#[from] CpuError),
    /// A chunk's task panicked or was cancelled.
    #[error("a chunk task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// The options make no sense.
    #[error("{0}")]
    Options(String),
    /// Printing to the output failed.
    #[error("cannot print: {0}")]
    Print(#[source] io::Error),
}

impl PipelineError {
    fn io(what: &'static str, path: &Path, source: io::Error) -> Self {
        PipelineError::Io {
            what,
            path: path.to_owned(),
            source,
        }
    }
}

/// Runs the pipeline: compress, write in order, verify. Prints what happens
/// to `out` (and draws the bar on the terminal in [`ProgressMode::Bar`]),
/// and returns the [`Summary`].
pub async fn run(opts: &Options, out: &mut impl Write) -> Result<Summary, PipelineError> {
    if opts.chunk_size == 0 || opts.chunk_size > MAX_CHUNK_SIZE {
        return Err(PipelineError::Options(format!(
            "the chunk size must be between 1 byte and {}",
            HumanBytes(MAX_CHUNK_SIZE as u64)
        )));
    }
    if opts.level > 9 {
        return Err(PipelineError::Options(
            "the gzip level goes from 0 to 9".to_owned(),
        ));
    }

    // Temporary files live in a directory removed when this function returns.
    let scratch = tempfile::Builder::new()
        .prefix("file_pipeline-")
        .tempdir()
        .map_err(|e| {
            PipelineError::io(
                "cannot create a temporary directory in",
                &std::env::temp_dir(),
                e,
            )
        })?;
    let (input, generated) = match &opts.input {
        Input::File(path) => (path.clone(), None),
        Input::Generate { size } => (scratch.path().join("input.txt"), Some(*size)),
    };
    let output = opts.output.clone().unwrap_or_else(|| {
        let name = input.file_name().unwrap_or("input".as_ref());
        scratch
            .path()
            .join(format!("{}.gz", name.to_string_lossy()))
    });

    if let Some(size) = generated {
        writeln!(out, "generating {} of text (--size) ...", HumanBytes(size))
            .map_err(PipelineError::Print)?;
        let path = input.clone();
        tokio::task::spawn_blocking(move || generate_text(&path, size))
            .await?
            .map_err(|e| PipelineError::io("cannot write", &input, e))?;
    } else if same_file(&input, &output) {
        return Err(PipelineError::Options(format!(
            "the output {} is the input: it would be overwritten while it is read",
            output.display()
        )));
    }

    let mut system = System::builder();
    if let Some(threads) = opts.cpu_threads {
        system = system.cpu_threads(threads);
    }
    let system = system.build();
    let result =
        compress_and_verify(&system, opts, &input, &output, opts.output.is_some(), out).await;
    system.shutdown().await;
    drop(scratch);
    result
}

async fn compress_and_verify(
    system: &System,
    opts: &Options,
    input: &Path,
    output: &Path,
    keep_output: bool,
    out: &mut impl Write,
) -> Result<Summary, PipelineError> {
    let cpu_threads = system.cpu().threads();
    let in_flight = opts.in_flight.unwrap_or(2 * cpu_threads).max(1);

    let source = tokio::fs::File::open(input)
        .await
        .map_err(|e| PipelineError::io("cannot open", input, e))?;
    let len = source
        .metadata()
        .await
        .map_err(|e| PipelineError::io("cannot read the size of", input, e))?
        .len();
    let chunk_size = opts.chunk_size as u64;
    // An empty input still makes one (empty) member: an empty file is not gzip.
    let chunks = len.div_ceil(chunk_size).max(1);
    let sink = tokio::fs::File::create(output)
        .await
        .map_err(|e| PipelineError::io("cannot create", output, e))?;

    let reader = system.spawn(Reader::new(source, opts.chunk_size));
    let writer = system.spawn(Writer::new(sink));
    let job = Job {
        input: input.into(),
        output: output.into(),
        reader,
        writer: writer.clone(),
        cpu: system.cpu().clone(),
        level: opts.level,
        len,
        chunk_size,
        gauge: InFlight::default(),
    };
    job.print_plan(out, keep_output, chunks, cpu_threads, in_flight)
        .map_err(PipelineError::Print)?;

    let started = Instant::now();
    let limit = system.io().limit(in_flight);
    let digests = compress(&job, &limit, chunks, opts.progress, out).await?;
    let stats = writer
        .finish()
        .await?
        .map_err(|e| PipelineError::io("cannot write", output, e))?;
    let elapsed = started.elapsed();

    let peak_in_flight = job.gauge.peak();
    let summary = Summary {
        input: input.to_owned(),
        output: output.to_owned(),
        chunks: stats.chunks,
        bytes_in: stats.bytes_in,
        bytes_out: stats.bytes_out,
        elapsed,
        chunk_size: opts.chunk_size,
        cpu_threads,
        in_flight_limit: in_flight,
        peak_in_flight,
        writer: stats,
        digests,
        verification: Verification::default(),
    };
    print_compressed(&summary, out).map_err(PipelineError::Print)?;

    writeln!(
        out,
        "\nverifying (decompress every chunk on the CPU pool, compare SHA-256)"
    )
    .map_err(PipelineError::Print)?;
    let verification = verify(
        system,
        output,
        Some(&summary.digests),
        in_flight,
        opts.progress,
        out,
    )
    .await?;
    let summary = Summary {
        verification,
        ..summary
    };
    print_verified(&summary, out).map_err(PipelineError::Print)?;
    Ok(summary)
}

/// What every chunk's task needs: the actors, the pool, and the gauge.
struct Job {
    input: Arc<Path>,
    output: Arc<Path>,
    reader: ReaderHandle,
    writer: WriterHandle,
    cpu: CpuPool,
    level: u32,
    len: u64,
    chunk_size: u64,
    gauge: InFlight,
}

impl Job {
    /// What is about to happen.
    fn print_plan(
        &self,
        out: &mut impl Write,
        keep_output: bool,
        chunks: u64,
        cpu_threads: usize,
        in_flight: usize,
    ) -> io::Result<()> {
        let (input, output) = (self.input.display(), self.output.display());
        writeln!(out, "input   {input} ({})", HumanBytes(self.len))?;
        let temporary = if keep_output {
            ""
        } else {
            " (temporary: --output FILE keeps it)"
        };
        writeln!(out, "output  {output}{temporary}")?;
        let s = if cpu_threads == 1 { "" } else { "s" };
        writeln!(
            out,
            "chunks  {chunks} of {}, gzip level {}, on {cpu_threads} CPU thread{s}, at most {in_flight} in flight",
            HumanBytes(self.chunk_size),
            self.level,
        )?;
        writeln!(
            out,
            "\ncompressing (read, gzip + SHA-256 on the CPU pool, write in order)"
        )
    }

    /// Reads, compresses and writes chunk `index`; returns the writer's
    /// answer and the chunk's digest.
    fn chunk(
        &self,
        index: u64,
    ) -> impl Future<Output = Result<(Written, Digest), PipelineError>> + Send + 'static {
        let (input, output) = (self.input.clone(), self.output.clone());
        let (reader, writer, cpu, gauge) = (
            self.reader.clone(),
            self.writer.clone(),
            self.cpu.clone(),
            self.gauge.clone(),
        );
        let level = self.level;
        let expected =
            self.chunk_size
                .min(self.len - (index * self.chunk_size).min(self.len)) as usize;
        async move {
            let _in_flight = gauge.enter();
            let chunk = reader
                .read(index)
                .await?
                .map_err(|e| PipelineError::io("cannot read", &input, e))?;
            if chunk.len() != expected {
                return Err(PipelineError::InputChanged {
                    index,
                    got: chunk.len(),
                    expected,
                });
            }
            let frame = cpu
                .spawn(move || Frame::compress(index, &chunk, level))
                .await?;
            let digest = frame.digest;
            let written = writer
                .write(frame)
                .await?
                .map_err(|e| PipelineError::io("cannot write", &output, e))?;
            Ok((written, digest))
        }
    }
}

/// The compression pass: one task per chunk, admitted by `limit`.
async fn compress(
    job: &Job,
    limit: &Limiter,
    chunks: u64,
    mode: ProgressMode,
    out: &mut impl Write,
) -> Result<Vec<Digest>, PipelineError> {
    let mut progress = Progress::new(mode, job.len, "written");
    let mut tasks = Window::new();
    let mut digests = Vec::with_capacity(chunks as usize);
    let mut record = |done: Result<(Written, Digest), PipelineError>,
                      out: &mut _|
     -> Result<(), PipelineError> {
        let (written, digest) = done?;
        debug_assert_eq!(written.index, digests.len() as u64);
        digests.push(digest);
        progress
            .update(written.bytes_in, written.chunks, out)
            .map_err(PipelineError::Print)
    };
    for index in 0..chunks {
        // Waits while `in_flight` chunks are between read and written.
        tasks.push(limit.spawn(job.chunk(index)).await);
        while let Some(done) = tasks.next_finished().await {
            record(done?, out)?;
        }
    }
    while let Some(done) = tasks.next().await {
        record(done?, out)?;
    }
    progress.finish();
    Ok(digests)
}

fn print_compressed(s: &Summary, out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "compressed {} into {} ({:.1} %) in {:.2} s, {}/s",
        HumanBytes(s.bytes_in),
        HumanBytes(s.bytes_out),
        s.ratio() * 100.0,
        s.elapsed.as_secs_f64(),
        HumanBytes(s.throughput()),
    )?;
    writeln!(
        out,
        "  in flight: at most {} chunks at once (limit {}): at most {} of input held in memory",
        s.peak_in_flight,
        s.in_flight_limit,
        HumanBytes((s.peak_in_flight * s.chunk_size) as u64),
    )?;
    writeln!(
        out,
        "  writer: {} of {} chunks arrived before their turn and waited, at most {} at once",
        s.writer.early, s.chunks, s.writer.peak_waiting,
    )
}

fn print_verified(s: &Summary, out: &mut impl Write) -> io::Result<()> {
    let v = &s.verification;
    if v.is_ok() {
        writeln!(
            out,
            "verified: {} of {} chunks decompress to their original SHA-256 ({} restored)",
            v.chunks,
            s.chunks,
            HumanBytes(v.bytes),
        )?;
        writeln!(out, "OK")
    } else {
        writeln!(out, "verification FAILED: {} bad chunks", v.problems.len())?;
        for problem in v.problems.iter().take(10) {
            writeln!(out, "  {problem}")?;
        }
        Ok(())
    }
}

/// `true` if `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
