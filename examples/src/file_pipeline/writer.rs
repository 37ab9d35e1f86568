//! The [`Writer`] actor: takes compressed chunks in whatever order the CPU
//! pool finishes them and writes them in input order.

use std::collections::BTreeMap;
use std::io;

use actor_core::prelude::*;
use tokio::fs::File;
use tokio::io::AsyncWriteExt;

use super::format::Frame;

/// Where the output stands after a chunk was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The chunk just written.
    pub index: u64,
    /// Chunks written so far.
    pub chunks: u64,
    /// Input bytes written so far (before compression).
    pub bytes_in: u64,
    /// Output bytes written so far.
    pub bytes_out: u64,
}

/// What the writer saw, once it has flushed the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriterStats {
    /// Chunks written.
    pub chunks: u64,
    /// Input bytes written (before compression).
    pub bytes_in: u64,
    /// Output bytes written.
    pub bytes_out: u64,
    /// Chunks that arrived before an earlier one and waited for their turn.
    pub early: u64,
    /// The most chunks waiting for their turn at once.
    pub peak_waiting: usize,
}

/// A chunk that arrived before its turn, and the ask that waits for it to be written.
type Waiting = (Frame, Reply<io::Result<Written>>);

/// Writes frames to the output in index order.
///
/// A frame that arrives early waits in a reorder buffer with its reply; the
/// ask that sent it is answered only once the frame is on its way to disk.
/// Callers that hold a place in a bounded window until their ask is answered
/// (as the pipeline does) therefore bound this buffer too.
#[actor]
pub struct Writer {
    file: File,
    /// The index of the next frame to write.
    next: u64,
    waiting: BTreeMap<u64, Waiting>,
    stats: WriterStats,
}

impl Writer {
    /// A writer that writes frames, from index 0, to `file`.
    pub fn new(file: File) -> Self {
        Writer {
            file,
            next: 0,
            waiting: BTreeMap::new(),
            stats: WriterStats {
                chunks: 0,
                bytes_in: 0,
                bytes_out: 0,
                early: 0,
                peak_waiting: 0,
            },
        }
    }
}

#[actor]
impl Writer {
    /// Writes `frame` once every frame before it is written, and answers then.
    ///
    /// A write error answers this ask with the error and stops the writer:
    /// the output is broken, and the asks still waiting resolve to
    /// `AskError::NoReply`.
    #[message(response = io::Result<Written>)]
    pub async fn write(
        &mut self,
        frame: Frame,
        reply: Reply<io::Result<Written>>,
        ctx: &mut Context<Self>,
    ) {
        if frame.index != self.next {
            self.stats.early += 1;
            self.waiting.insert(frame.index, (frame, reply));
            self.stats.peak_waiting = self.stats.peak_waiting.max(self.waiting.len());
            return;
        }
        let mut ready = Some((frame, reply));
        while let Some((frame, reply)) = ready {
            if let Err(e) = self.file.write_all(&frame.member).await {
                reply.send(Err(e));
                ctx.fail(format!("cannot write chunk {}", frame.index));
                return;
            }
            self.stats.chunks += 1;
            self.stats.bytes_in += frame.raw_len as u64;
            self.stats.bytes_out += frame.member.len() as u64;
            reply.send(Ok(Written {
                index: frame.index,
                chunks: self.stats.chunks,
                bytes_in: self.stats.bytes_in,
                bytes_out: self.stats.bytes_out,
            }));
            self.next += 1;
            ready = self.waiting.remove(&self.next);
        }
    }

    /// Flushes the output to disk and returns what was written.
    #[message]
    pub async fn finish(&mut self) -> io::Result<WriterStats> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(self.stats)
    }
}
