//! The verification pass: read the output member by member, decompress each
//! on the CPU pool (gzip checks its CRC-32 and length), hash the result, and
//! compare it with the digest recorded in the member and with the digest of
//! the original chunk.

use std::fmt;
use std::io::Write;
use std::path::Path;

use actor_core::System;
use tokio::fs::File;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};

use super::PipelineError;
use super::format::{self, Digest, HEADER_LEN};
use super::progress::{Progress, ProgressMode};
use super::window::Window;

/// What the verification pass found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Members read from the output.
    pub chunks: u64,
    /// Bytes restored by decompressing them.
    pub bytes: u64,
    /// Bytes of the output checked.
    pub read: u64,
    /// Every chunk that did not check out, by index.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// `true` when every chunk decompressed to bytes with the expected digest.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// A chunk of the output that did not check out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The chunk's index (the member's place in the output).
    pub index: u64,
    /// What is wrong with it.
    pub what: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "chunk {}: {}", self.index, self.what)
    }
}

/// Verifies the output at `path`, with at most `in_flight` members being
/// decompressed at once. `expected`: the digests of the original chunks, in
/// order, when known; each member must match its entry, and there must be as
/// many members as entries.
pub async fn verify(
    system: &System,
    path: &Path,
    expected: Option<&[Digest]>,
    in_flight: usize,
    mode: ProgressMode,
    out: &mut impl Write,
) -> Result<Verification, PipelineError> {
    let open_error = |source| PipelineError::io("cannot open the output", path, source);
    let file = File::open(path).await.map_err(open_error)?;
    let total = file.metadata().await.map_err(open_error)?.len();
    let mut file = BufReader::with_capacity(1 << 20, file);
    let read_error = |source| PipelineError::io("cannot read the output", path, source);

    let limit = system.io().limit(in_flight);
    let mut progress = Progress::new(mode, total, "checked");
    let mut tasks = Window::new();
    let mut report = Verification::default();
    let mut consumed = 0u64;
    let mut index = 0u64;

    loop {
        if file.fill_buf().await.map_err(read_error)?.is_empty() {
            break;
        }
        let mut member = vec![0u8; HEADER_LEN];
        let header = match file.read_exact(&mut member).await {
            Ok(_) => format::parse_header(&member),
            Err(e) => Err(e.to_string()),
        };
        let header = match header {
            Ok(header) => header,
            Err(why) => {
                // Without a header the next member cannot be found: stop here.
                report.problems.push(Problem {
                    index,
                    what: format!("unreadable member at byte {consumed}: {why}"),
                });
                break;
            }
        };
        // A damaged length must not make us allocate more than the file holds.
        let left = total - consumed;
        let read = if header.member_len as u64 > left {
            Err(format!(
                "{} bytes long, past the end of the file",
                header.member_len
            ))
        } else {
            member.resize(header.member_len, 0);
            let rest = file.read_exact(&mut member[HEADER_LEN..]).await;
            rest.map(drop).map_err(|e| e.to_string())
        };
        if let Err(why) = read {
            report.problems.push(Problem {
                index,
                what: format!("truncated member at byte {consumed}: {why}"),
            });
            break;
        }
        consumed += member.len() as u64;

        let original = expected.and_then(|digests| digests.get(index as usize).copied());
        // The CPU work starts only once the limiter admits it.
        let cpu = system.cpu().clone();
        let check = async move {
            cpu.spawn(move || check_member(index, &member, header.digest, original))
                .await
        };
        tasks.push(limit.spawn(check).await);
        while let Some(checked) = tasks.next_finished().await {
            report.add(checked??, &mut progress, out)?;
        }
        index += 1;
    }
    while let Some(checked) = tasks.next().await {
        report.add(checked??, &mut progress, out)?;
    }
    progress.finish();

    if let Some(digests) = expected
        && digests.len() as u64 != report.chunks
    {
        report.problems.push(Problem {
            index: report.chunks,
            what: format!(
                "the output has {} chunks, the input {}",
                report.chunks,
                digests.len()
            ),
        });
    }
    report.problems.sort_by_key(|p| p.index);
    Ok(report)
}

/// One member checked: the bytes it restored, or what is wrong with it.
struct Checked {
    index: u64,
    member_len: usize,
    result: Result<usize, String>,
}

impl Verification {
    fn add(
        &mut self,
        checked: Checked,
        progress: &mut Progress,
        out: &mut impl Write,
    ) -> Result<(), PipelineError> {
        self.chunks += 1;
        self.read += checked.member_len as u64;
        match checked.result {
            Ok(bytes) => self.bytes += bytes as u64,
            Err(what) => self.problems.push(Problem {
                index: checked.index,
                what,
            }),
        }
        progress
            .update(self.read, self.chunks, out)
            .map_err(PipelineError::Print)
    }
}

/// Decompresses `member` and compares the digest of what it restores with
/// the one its header `recorded` and the `original` chunk's. CPU-bound.
fn check_member(index: u64, member: &[u8], recorded: Digest, original: Option<Digest>) -> Checked {
    let result = match format::decompress(member) {
        Err(e) => Err(format!("does not decompress: {e}")),
        Ok(chunk) => {
            let digest = format::sha256(&chunk);
            if digest != recorded {
                Err(format!(
                    "SHA-256 {} differs from the {} recorded in the output",
                    short(&digest),
                    short(&recorded)
                ))
            } else if original.is_some_and(|original| original != digest) {
                Err(format!(
                    "SHA-256 {} differs from the original chunk's",
                    short(&digest)
                ))
            } else {
                Ok(chunk.len())
            }
        }
    };
    Checked {
        index,
        member_len: member.len(),
        result,
    }
}

/// The first 12 hex digits of a digest, enough to tell two apart in a message.
fn short(digest: &Digest) -> String {
    format::hex(digest)[..12].to_owned()
}
