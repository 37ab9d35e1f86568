//! The generated input (compressible pseudo-random text) and byte sizes as a
//! person writes them (`32MiB`, `500k`).

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

const WORDS: &[&str] = &[
    "actor",
    "message",
    "mailbox",
    "reply",
    "handle",
    "system",
    "supervisor",
    "restart",
    "pool",
    "chunk",
    "pipeline",
    "writer",
    "reader",
    "order",
    "backpressure",
    "limit",
    "thread",
    "task",
    "future",
    "await",
    "ask",
    "tell",
    "timeout",
    "panic",
    "state",
    "owns",
    "sends",
    "receives",
    "waits",
    "the",
    "a",
    "one",
    "each",
    "every",
    "its",
    "and",
    "or",
    "then",
    "while",
    "until",
    "before",
    "after",
    "never",
    "always",
    "fast",
    "slow",
    "bounded",
    "queued",
    "written",
    "hashed",
    "compressed",
    "verified",
    "on",
    "in",
    "to",
    "from",
    "with",
    "for",
    "of",
    "at",
    "by",
    "when",
];

/// Writes `size` bytes of text to `path`: lines of words drawn from a small
/// vocabulary by a seeded generator, so the same size gives the same file and
/// it compresses about as well as source code or logs (roughly 3:1 with gzip).
pub fn generate_text(path: &Path, size: u64) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut line = Vec::with_capacity(256);
    let mut written = 0u64;
    let mut number = 0u64;
    while written < size {
        line.clear();
        number += 1;
        write!(line, "{number:08} ")?;
        let words = 6 + rng.below(10);
        for i in 0..words {
            if i > 0 {
                line.push(b' ');
            }
            line.extend_from_slice(WORDS[rng.below(WORDS.len())].as_bytes());
        }
        line.push(b'\n');
        let take = line.len().min((size - written) as usize);
        out.write_all(&line[..take])?;
        written += take as u64;
    }
    out.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()
}

/// xorshift64: small, fast and good enough to pick words.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

/// Parses a byte size: a number with an optional binary unit, `k`/`KiB`,
/// `m`/`MiB`, `g`/`GiB` (case does not matter; `KB`, `MB` and `GB` mean the
/// same, powers of 1024).
///
/// ```
/// use actor_core_examples::file_pipeline::parse_size;
/// assert_eq!(parse_size("512"), Ok(512));
/// assert_eq!(parse_size("64k"), Ok(64 * 1024));
/// assert_eq!(parse_size("32MiB"), Ok(32 << 20));
/// assert_eq!(parse_size("1.5 GB"), Ok(3 << 29));
/// assert!(parse_size("ten").is_err());
/// ```
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        other => {
            return Err(format!(
                "unknown unit {other:?} in {text:?} (use k, MiB, GiB)"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a size (examples: 4096, 64k, 32MiB, 1GiB)"))?;
    let bytes = value * scale as f64;
    if !(0.0..=u64::MAX as f64).contains(&bytes) {
        return Err(format!("{text:?} is out of range"));
    }
    Ok(bytes.round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_text_has_the_requested_size_and_is_the_same_every_time() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        generate_text(&a, 100_001).unwrap();
        generate_text(&b, 100_001).unwrap();
        let (a, b) = (std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
        assert_eq!(a.len(), 100_001);
        assert_eq!(a, b);
        assert!(a.starts_with(b"00000001 "));
    }
}
