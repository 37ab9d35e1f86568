//! [`ClusterConfig`]: where the cluster's NATS servers are, and who this node is.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// The default deadline of a remote ask: 5 seconds.
pub const DEFAULT_ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// How often a node publishes its heartbeat by default: every 250 ms.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_millis(250);

/// How many heartbeats a node may miss before it is taken for down: 3.
pub const DEFAULT_MISSED_BEATS: u32 = 3;

type Options = Arc<dyn Fn(async_nats::ConnectOptions) -> async_nats::ConnectOptions + Send + Sync>;

/// The settings of [`Cluster::connect`](super::Cluster::connect).
///
/// Credentials and TLS are NATS's own, passed through with
/// [`ClusterConfig::options`]; the convenience methods cover the common ones.
///
/// ```
/// use std::time::Duration;
/// use actor_core::remote::ClusterConfig;
///
/// let config = ClusterConfig::new("nats://127.0.0.1:4222,nats://127.0.0.1:4223")
///     .cluster("ci")
///     .node("node-a")
///     .user_password("ci", "s3cret")
///     .ask_timeout(Duration::from_secs(2))
///     .options(|opts| opts.require_tls(false));
/// assert_eq!(config.node_name(), "node-a");
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClusterConfig {
    pub(crate) urls: String,
    pub(crate) cluster: String,
    pub(crate) node: String,
    pub(crate) ask_timeout: Duration,
    pub(crate) heartbeat: Duration,
    pub(crate) missed_beats: u32,
    pub(crate) options: Vec<Options>,
    pub(crate) credentials_file: Option<std::path::PathBuf>,
}

impl fmt::Debug for ClusterConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClusterConfig")
            .field("urls", &self.urls)
            .field("cluster", &self.cluster)
            .field("node", &self.node)
            .field("ask_timeout", &self.ask_timeout)
            .field("heartbeat", &self.heartbeat)
            .field("missed_beats", &self.missed_beats)
            .finish_non_exhaustive()
    }
}

impl ClusterConfig {
    /// A configuration for the NATS servers at `urls` (comma-separated, as
    /// `nats://host:port`), cluster `"default"`, and a node name made of the
    /// host's process id and a random suffix.
    pub fn new(urls: impl Into<String>) -> Self {
        ClusterConfig {
            urls: urls.into(),
            cluster: "default".to_owned(),
            node: format!("node-{}-{:04x}", std::process::id(), fastrand::u16(..)),
            ask_timeout: DEFAULT_ASK_TIMEOUT,
            heartbeat: DEFAULT_HEARTBEAT,
            missed_beats: DEFAULT_MISSED_BEATS,
            options: Vec::new(),
            credentials_file: None,
        }
    }

    /// The cluster's name: nodes of one cluster see each other's actors;
    /// its subjects start with it, and its registry is its own key-value
    /// bucket. Letters, digits, `-` and `_`.
    pub fn cluster(mut self, name: impl Into<String>) -> Self {
        self.cluster = name.into();
        self
    }

    /// This node's name, unique in the cluster. Letters, digits, `-` and `_`.
    pub fn node(mut self, name: impl Into<String>) -> Self {
        self.node = name.into();
        self
    }

    /// This node's name.
    pub fn node_name(&self) -> &str {
        &self.node
    }

    /// The deadline of remote asks that do not set one with `.timeout(d)`
    /// ([`DEFAULT_ASK_TIMEOUT`] by default).
    pub fn ask_timeout(mut self, timeout: Duration) -> Self {
        self.ask_timeout = timeout;
        self
    }

    /// How often this node publishes its heartbeat ([`DEFAULT_HEARTBEAT`]),
    /// and how many beats of another node may be missed before it is taken
    /// for down ([`DEFAULT_MISSED_BEATS`]). Every node of a cluster should
    /// use the same settings.
    pub fn heartbeat(mut self, interval: Duration, missed_beats: u32) -> Self {
        self.heartbeat = interval.max(Duration::from_millis(10));
        self.missed_beats = missed_beats.max(1);
        self
    }

    /// Authenticates with a user name and password.
    pub fn user_password(self, user: impl Into<String>, password: impl Into<String>) -> Self {
        let (user, password) = (user.into(), password.into());
        self.options(move |o| o.user_and_password(user.clone(), password.clone()))
    }

    /// Authenticates with a token.
    pub fn token(self, token: impl Into<String>) -> Self {
        let token = token.into();
        self.options(move |o| o.token(token.clone()))
    }

    /// Authenticates with a `.creds` file (JWT and NKey seed), read at connect.
    pub fn credentials_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.credentials_file = Some(path.into());
        self
    }

    /// Trusts the CA certificates of a PEM file for TLS, and requires TLS.
    pub fn root_certificates(self, path: impl Into<std::path::PathBuf>) -> Self {
        let path = path.into();
        self.options(move |o| o.add_root_certificates(path.clone()).require_tls(true))
    }

    /// Adjusts NATS's own connect options, applied after this crate's
    /// (reconnection and ping settings tuned for seconds): any credentials,
    /// TLS or buffer setting of `async_nats::ConnectOptions`.
    pub fn options(
        mut self,
        f: impl Fn(async_nats::ConnectOptions) -> async_nats::ConnectOptions + Send + Sync + 'static,
    ) -> Self {
        self.options.push(Arc::new(f));
        self
    }

    /// How long without a heartbeat makes a node down.
    pub(crate) fn down_after(&self) -> Duration {
        self.heartbeat * self.missed_beats
    }
}

/// `true` for a name usable as one NATS subject token and key-value key.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
