//! The work inside the steps: writing a synthetic build log, and archiving it
//! (gzip, then SHA-256 of the archive). Plain functions: the worker runs the
//! CPU-heavy ones on the system's CPU pool.

use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

use super::events::Archive;
use super::model::Step;

const CRATES: [&str; 8] = [
    "tokio", "serde", "hyper", "tracing", "rand", "regex", "syn", "bytes",
];
const MODULES: [&str; 6] = ["auth", "billing", "cache", "db", "http", "queue"];

/// A log of `size` bytes, as a compiler or a test runner would write it,
/// the same for the same `seed`.
pub fn synthetic_log(step: Step, seed: u64, size: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut log = String::with_capacity(size + 128);
    let mut t = 0.0;
    while log.len() < size {
        t += rng.f64() * 0.05;
        let _ = match step {
            Step::Test => writeln!(
                log,
                "[{t:>9.3}s] test {}::tests::case_{:04} ... ok ({} ms)",
                MODULES[rng.usize(..MODULES.len())],
                rng.u32(..10_000),
                rng.u32(..250),
            ),
            _ => writeln!(
                log,
                "[{t:>9.3}s]    Compiling {}-{} v1.{}.{} (registry+https://index.crates.io)",
                CRATES[rng.usize(..CRATES.len())],
                rng.u8(..),
                rng.u8(..40),
                rng.u8(..10),
            ),
        };
    }
    let mut log = log.into_bytes();
    log.truncate(size);
    log
}

/// Compresses `log` with gzip and hashes the archive with SHA-256.
pub fn archive(log: &[u8]) -> Archive {
    let compressed = gzip(log);
    let digest = Sha256::digest(&compressed);
    let mut sha256 = String::with_capacity(64);
    for byte in digest {
        let _ = write!(sha256, "{byte:02x}");
    }
    Archive {
        log_bytes: log.len(),
        archive_bytes: compressed.len(),
        sha256: Arc::from(sha256),
    }
}

/// `data`, gzip-compressed.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::with_capacity(data.len() / 4), Compression::default());
    // Writing into a Vec cannot fail.
    gz.write_all(data)
        .and_then(|()| gz.finish())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::*;

    #[test]
    fn a_log_has_the_size_asked_for_and_depends_only_on_its_seed() {
        let a = synthetic_log(Step::Compile, 1, 5000);
        assert_eq!(a.len(), 5000);
        assert_eq!(a, synthetic_log(Step::Compile, 1, 5000));
        assert_ne!(a, synthetic_log(Step::Compile, 2, 5000));
    }

    #[test]
    fn an_archive_decompresses_to_the_log_and_names_its_hash() {
        let log = synthetic_log(Step::Test, 3, 20_000);
        let archived = archive(&log);
        assert_eq!(archived.log_bytes, log.len());
        assert!(archived.archive_bytes < log.len() / 2, "logs compress well");
        assert_eq!(archived.sha256.len(), 64);
        assert_eq!(archived, archive(&log), "same log, same archive");
        assert_eq!(archived.archive_bytes, gzip(&log).len());

        let mut back = Vec::new();
        flate2::read::GzDecoder::new(&gzip(&log)[..])
            .read_to_end(&mut back)
            .unwrap();
        assert_eq!(back, log);
    }
}
