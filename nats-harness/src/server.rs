//! One nats-server process on loopback ports.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::{HarnessError, server_binary};

/// How long a server may take to accept connections, unless the builder says
/// otherwise. Generous: a loaded 2-core machine starts one in well under a second.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(20);
/// How many sets of free ports to try when another process takes one first.
const PORT_ATTEMPTS: u32 = 8;
/// Between two looks at a starting server.
const POLL: Duration = Duration::from_millis(20);

/// One nats-server process listening on free ports of 127.0.0.1.
///
/// Its configuration, JetStream store and output live in a temporary
/// directory. Dropping it kills the process (SIGKILL, then waits for it) and
/// removes that directory, also when a test panics.
///
/// ```no_run
/// use nats_harness::NatsServer;
///
/// let mut server = NatsServer::start()?;
/// println!("connect to {}", server.url()); // nats://127.0.0.1:PORT
/// server.kill();
/// server.restart()?; // same port, same store
/// # Ok::<(), nats_harness::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct NatsServer {
    binary: PathBuf,
    config: Config,
    start_timeout: Duration,
    /// Holds `nats.conf`, `server.log` and the JetStream store `js/`.
    dir: tempfile::TempDir,
    child: Option<Child>,
}

/// Options for a [`NatsServer`], from [`NatsServer::builder`].
///
/// ```no_run
/// use nats_harness::NatsServer;
///
/// let server = NatsServer::builder()
///     .user_password("node", "s3cret")
///     .jetstream(false)
///     .start()?;
/// # Ok::<(), nats_harness::HarnessError>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until .start()"]
pub struct NatsServerBuilder {
    user_password: Option<(String, String)>,
    jetstream: bool,
    extra_config: Vec<String>,
    start_timeout: Duration,
}

impl Default for NatsServerBuilder {
    fn default() -> Self {
        NatsServerBuilder {
            user_password: None,
            jetstream: true,
            extra_config: Vec::new(),
            start_timeout: START_TIMEOUT,
        }
    }
}

impl NatsServerBuilder {
    /// Clients must authenticate with this user and password.
    pub fn user_password(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.user_password = Some((user.into(), password.into()));
        self
    }

    /// JetStream on (the default) or off.
    pub fn jetstream(mut self, on: bool) -> Self {
        self.jetstream = on;
        self
    }

    /// Adds a line to the server's configuration file, for settings the
    /// builder has no method for (e.g. `max_payload: 65536`).
    pub fn config_line(mut self, line: impl Into<String>) -> Self {
        self.extra_config.push(line.into());
        self
    }

    /// How long [`start`](Self::start) and [`NatsServer::restart`] wait for
    /// the server to accept connections (20 s unless set).
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.start_timeout = timeout;
        self
    }

    /// Starts the server; returns once it accepts connections (and, with
    /// JetStream, once JetStream is ready).
    pub fn start(self) -> Result<NatsServer, HarnessError> {
        let binary = server_binary()?;
        let mut last_tail = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let [client_port, monitor_port] = free_ports()?;
            let config = Config {
                name: format!("harness-{client_port}"),
                client_port,
                monitor_port,
                user_password: self.user_password.clone(),
                jetstream: self.jetstream,
                cluster: None,
                extra: self.extra_config.clone(),
            };
            let mut server = NatsServer::spawn(binary.clone(), config, self.start_timeout)?;
            match server.wait_ready(Readiness::Healthy) {
                Ok(()) => return Ok(server),
                Err(Started::PortTaken(tail)) => last_tail = tail,
                Err(Started::Failed(error)) => return Err(error),
            }
        }
        Err(HarnessError::PortsInUse {
            attempts: PORT_ATTEMPTS,
            tail: last_tail,
        })
    }
}

/// What the server's configuration file says.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) name: String,
    pub(crate) client_port: u16,
    pub(crate) monitor_port: u16,
    pub(crate) user_password: Option<(String, String)>,
    pub(crate) jetstream: bool,
    pub(crate) cluster: Option<RouteConfig>,
    pub(crate) extra: Vec<String>,
}

/// A cluster member's route listener and the routes it dials.
#[derive(Debug, Clone)]
pub(crate) struct RouteConfig {
    pub(crate) name: String,
    pub(crate) port: u16,
    pub(crate) routes: Vec<u16>,
}

impl Config {
    fn render(&self, dir: &Path) -> String {
        let mut text = String::new();
        let mut line = |s: String| {
            text.push_str(&s);
            text.push('\n');
        };
        line(format!("server_name: {}", quote(&self.name)));
        line(format!("listen: \"127.0.0.1:{}\"", self.client_port));
        line(format!("http: \"127.0.0.1:{}\"", self.monitor_port));
        // Seconds, not NATS's default of minutes: a dead peer is noticed soon.
        line("ping_interval: \"1s\"".to_owned());
        line("ping_max: 2".to_owned());
        if self.jetstream {
            let store = dir.join("js");
            line(format!(
                "jetstream {{ store_dir: {}, max_memory_store: 256MB, max_file_store: 1GB }}",
                quote(&store.to_string_lossy())
            ));
        }
        if let Some((user, password)) = &self.user_password {
            line(format!(
                "authorization {{ user: {}, password: {} }}",
                quote(user),
                quote(password)
            ));
        }
        if let Some(cluster) = &self.cluster {
            let routes: Vec<String> = cluster
                .routes
                .iter()
                .map(|port| format!("\"nats-route://127.0.0.1:{port}\""))
                .collect();
            line(format!(
                "cluster {{ name: {}, listen: \"127.0.0.1:{}\", routes: [{}] }}",
                quote(&cluster.name),
                cluster.port,
                routes.join(", ")
            ));
        }
        for extra in &self.extra {
            line(extra.clone());
        }
        text
    }
}

/// A double-quoted string of NATS's configuration language.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Free TCP ports on 127.0.0.1, as the OS hands them out. Another process may
/// take one before the server binds it: callers retry on "address in use".
pub(crate) fn free_ports<const N: usize>() -> Result<[u16; N], HarnessError> {
    // All listeners are held until all ports are read, so the N are distinct.
    let mut listeners = Vec::with_capacity(N);
    let mut ports = [0; N];
    for port in &mut ports {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| HarnessError::io("binding 127.0.0.1:0 for a free port", e))?;
        *port = listener
            .local_addr()
            .map_err(|e| HarnessError::io("reading a free port", e))?
            .port();
        listeners.push(listener);
    }
    Ok(ports)
}

/// How far [`NatsServer::wait_ready`] waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// The client port answers with INFO, and `/healthz` says ok (with
    /// JetStream: JetStream is ready, and in a cluster it knows the meta leader).
    Healthy,
    /// The client port answers with INFO and JetStream is enabled; what a
    /// cluster member can reach without its peers.
    Accepting,
}

/// Why a start did not finish.
pub(crate) enum Started {
    /// A port was taken by another process: try others.
    PortTaken(String),
    Failed(HarnessError),
}

impl NatsServer {
    /// One server with JetStream on (its store in a temporary directory), on a
    /// free client port of 127.0.0.1; returns once it accepts connections and
    /// JetStream is ready.
    pub fn start() -> Result<NatsServer, HarnessError> {
        NatsServer::builder().start()
    }

    /// A server with options: credentials, JetStream off, extra configuration.
    pub fn builder() -> NatsServerBuilder {
        NatsServerBuilder::default()
    }

    /// The client URL, `nats://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.config.client_port)
    }

    /// The client port.
    pub fn port(&self) -> u16 {
        self.config.client_port
    }

    /// The monitoring port (HTTP: `/varz`, `/healthz`, `/routez`, `/jsz`, ...).
    pub fn monitor_port(&self) -> u16 {
        self.config.monitor_port
    }

    /// The temporary directory of this server: its configuration
    /// (`nats.conf`), its output (`server.log`) and its JetStream store
    /// (`js/`). Removed when the server is dropped.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The server's name (`server_name` in its configuration).
    pub fn name(&self) -> &str {
        &self.config.name
    }

    /// The process id of the server process (of the last one, once killed).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Whether the process is still alive (a frozen one is).
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }

    /// Kills the process with SIGKILL and waits for it to exit. Does nothing
    /// if it is not running. A frozen server is killed too.
    pub fn kill(&mut self) {
        if let Some(child) = &mut self.child {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }

    /// Starts the server again after [`kill`](Self::kill) (kills it first if it
    /// still runs): same ports, same configuration, same JetStream store.
    /// Returns when it accepts connections again. A cluster member does not
    /// wait for its peers here: see [`NatsCluster::wait_formed`](crate::NatsCluster::wait_formed).
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.kill();
        self.launch()?;
        let readiness = if self.config.cluster.is_some() {
            Readiness::Accepting
        } else {
            Readiness::Healthy
        };
        self.wait_ready(readiness).map_err(|started| match started {
            Started::Failed(error) => error,
            Started::PortTaken(tail) => HarnessError::PortsInUse { attempts: 1, tail },
        })
    }

    /// Stops the process with SIGSTOP: it keeps its sockets but answers
    /// nothing, like a server stuck or cut off by the network. On Linux,
    /// returns once every thread of the process has stopped (at most 2 s), so
    /// that nothing sent afterwards is handled before [`thaw`](Self::thaw).
    pub fn freeze(&self) {
        self.signal(rustix::process::Signal::STOP);
        self.wait_stopped(true);
    }

    /// Resumes a [frozen](Self::freeze) process with SIGCONT (on Linux,
    /// returns once its threads run again, at most 2 s).
    pub fn thaw(&self) {
        self.signal(rustix::process::Signal::CONT);
        self.wait_stopped(false);
    }

    /// Waits (at most 2 s) until every thread of the process is `stopped` or
    /// none is, as `/proc` tells; without `/proc`, returns at once.
    fn wait_stopped(&self, stopped: bool) {
        let Some(child) = &self.child else { return };
        let tasks = PathBuf::from(format!("/proc/{}/task", child.id()));
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            let Ok(entries) = fs::read_dir(&tasks) else {
                return;
            };
            let states: Vec<bool> = entries
                .flatten()
                .filter_map(|task| fs::read_to_string(task.path().join("stat")).ok())
                .filter_map(|stat| {
                    // "tid (comm) S ...": the state follows the last ')'.
                    let state = stat.rsplit_once(") ")?.1.chars().next()?;
                    Some(matches!(state, 'T' | 't'))
                })
                .collect();
            if states.is_empty() || states.iter().all(|&s| s == stopped) {
                return;
            }
            thread::sleep(Duration::from_millis(1));
        }
    }

    fn signal(&self, signal: rustix::process::Signal) {
        let Some(child) = &self.child else { return };
        let pid = i32::try_from(child.id())
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        if let Some(pid) = pid {
            // Fails only if the process is gone (and reaped by `kill`).
            let _ = rustix::process::kill_process(pid, signal);
        }
    }

    /// The last `lines` lines the server printed (across restarts).
    pub fn output_tail(&self, lines: usize) -> String {
        let mut text = String::new();
        if let Ok(mut file) = File::open(self.log_path()) {
            let _ = file.read_to_string(&mut text);
        }
        tail(&text, lines)
    }

    /// Writes the configuration and spawns the process, not waiting for it.
    pub(crate) fn spawn(
        binary: PathBuf,
        config: Config,
        start_timeout: Duration,
    ) -> Result<NatsServer, HarnessError> {
        let dir = tempfile::Builder::new()
            .prefix("nats-harness-")
            .tempdir()
            .map_err(|e| HarnessError::io("creating a temp dir for nats-server", e))?;
        let mut server = NatsServer {
            binary,
            config,
            start_timeout,
            dir,
            child: None,
        };
        let conf = server.config_path();
        fs::write(&conf, server.config.render(server.dir.path()))
            .map_err(|e| HarnessError::io(format!("writing {}", conf.display()), e))?;
        server.launch()?;
        Ok(server)
    }

    fn config_path(&self) -> PathBuf {
        self.dir.path().join("nats.conf")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Spawns the process from the configuration file, its output appended
    /// to the log.
    fn launch(&mut self) -> Result<(), HarnessError> {
        let log_path = self.log_path();
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(|e| HarnessError::io(format!("opening {}", log_path.display()), e))?;
        let log_too = log
            .try_clone()
            .map_err(|e| HarnessError::io(format!("opening {}", log_path.display()), e))?;
        let child = Command::new(&self.binary)
            .arg("-c")
            .arg(self.config_path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_too)
            .spawn()
            .map_err(|source| HarnessError::Spawn {
                binary: self.binary.clone(),
                source,
            })?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits (bounded by the start timeout) until the server is `readiness`
    /// ready, or has exited, or the deadline passed.
    pub(crate) fn wait_ready(&mut self, readiness: Readiness) -> Result<(), Started> {
        let started = Instant::now();
        let deadline = started + self.start_timeout;
        let health = match readiness {
            Readiness::Healthy => "/healthz",
            Readiness::Accepting => "/healthz?js-enabled-only=true",
        };
        let mut accepting = false;
        loop {
            if let Some(exit) = self.exited() {
                let tail = self.output_tail(20);
                if tail.contains("address already in use") {
                    return Err(Started::PortTaken(tail));
                }
                return Err(Started::Failed(HarnessError::Exited { status: exit, tail }));
            }
            accepting = accepting || self.client_says_info();
            if accepting
                && http_get(self.config.monitor_port, health).is_ok_and(|r| r.status == 200)
            {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let what = if accepting {
                    format!("{} to report healthy at {health}", self.config.name)
                } else {
                    format!(
                        "{} to accept connections on {}",
                        self.config.name,
                        self.url()
                    )
                };
                return Err(Started::Failed(HarnessError::Timeout {
                    what,
                    waited: started.elapsed(),
                    tail: self.output_tail(20),
                }));
            }
            thread::sleep(POLL);
        }
    }

    /// The exit status, if the process has exited.
    fn exited(&mut self) -> Option<String> {
        let child = self.child.as_mut()?;
        match child.try_wait() {
            Ok(Some(status)) => Some(status.to_string()),
            Ok(None) => None,
            Err(e) => Some(format!("unknown: {e}")),
        }
    }

    /// Whether the client port accepts a connection and greets it with INFO.
    fn client_says_info(&self) -> bool {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.config.client_port));
        let Ok(stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
        let mut first = String::new();
        BufReader::new(stream)
            .take(64 * 1024)
            .read_line(&mut first)
            .is_ok()
            && first.starts_with("INFO ")
    }

    /// GET `path` on the monitoring port.
    pub(crate) fn monitor(&self, path: &str) -> io::Result<HttpResponse> {
        http_get(self.config.monitor_port, path)
    }

    pub(crate) fn config(&self) -> &Config {
        &self.config
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The status and body of an HTTP answer.
pub(crate) struct HttpResponse {
    pub(crate) status: u16,
    pub(crate) body: String,
}

/// A minimal HTTP/1.0 GET on 127.0.0.1 (the server closes the connection
/// after answering, so the body is all that follows the headers).
pub(crate) fn http_get(port: u16, path: &str) -> io::Result<HttpResponse> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(1))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.take(16 * 1024 * 1024).read_to_string(&mut answer)?;
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "no HTTP status line"))?;
    Ok(HttpResponse {
        status,
        body: body.to_owned(),
    })
}

/// The last `lines` lines of `text`.
pub(crate) fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for line in &all[all.len().saturating_sub(lines)..] {
        let _ = writeln!(out, "  {line}");
    }
    if out.is_empty() {
        out.push_str("  (nothing)\n");
    }
    out
}
