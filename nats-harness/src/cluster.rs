//! Several nats-servers routed into one cluster, JetStream clustered.

use std::collections::BTreeSet;
use std::thread;
use std::time::{Duration, Instant};

use crate::server::{Config, Readiness, RouteConfig, START_TIMEOUT, Started, free_ports};
use crate::{HarnessError, NatsServer, server_binary};

/// How long a cluster may take to form: every member accepting connections,
/// routed to every other, and agreeing on a JetStream meta leader.
const FORM_TIMEOUT: Duration = Duration::from_secs(30);
/// How many sets of free ports to try when another process takes one first.
const PORT_ATTEMPTS: u32 = 8;

/// `n` nats-servers on free loopback ports, each routed to all others, with
/// JetStream clustered over them. Dropping it kills every member.
///
/// ```no_run
/// use nats_harness::NatsCluster;
///
/// let mut cluster = NatsCluster::start(3)?;
/// println!("connect to {}", cluster.urls()); // nats://127.0.0.1:A,nats://127.0.0.1:B,...
/// cluster.server(1).kill();
/// cluster.server(1).restart()?;
/// cluster.wait_formed()?;
/// # Ok::<(), nats_harness::HarnessError>(())
/// ```
#[derive(Debug)]
pub struct NatsCluster {
    servers: Vec<NatsServer>,
}

impl NatsCluster {
    /// Starts `n` servers and returns when every one accepts connections, has
    /// a route to every other, and JetStream's meta group has a leader that
    /// every member reports healthy with.
    pub fn start(n: usize) -> Result<NatsCluster, HarnessError> {
        if n == 0 {
            return Err(HarnessError::EmptyCluster);
        }
        let binary = server_binary()?;
        let mut last_tail = String::new();
        for _ in 0..PORT_ATTEMPTS {
            let ports = (0..n)
                .map(|_| free_ports::<3>())
                .collect::<Result<Vec<_>, _>>()?;
            let route_ports: Vec<u16> = ports.iter().map(|[_, _, route]| *route).collect();
            let mut servers = Vec::with_capacity(n);
            for (i, &[client_port, monitor_port, route_port]) in ports.iter().enumerate() {
                let config = Config {
                    name: format!("n{i}"),
                    client_port,
                    monitor_port,
                    user_password: None,
                    jetstream: true,
                    cluster: Some(RouteConfig {
                        name: "harness".to_owned(),
                        port: route_port,
                        routes: route_ports.clone(),
                    }),
                    extra: Vec::new(),
                };
                servers.push(NatsServer::spawn(binary.clone(), config, START_TIMEOUT)?);
            }
            let mut cluster = NatsCluster { servers };
            match cluster.wait_accepting() {
                Ok(()) => {
                    cluster.wait_formed()?;
                    return Ok(cluster);
                }
                Err(Started::PortTaken(tail)) => last_tail = tail,
                Err(Started::Failed(error)) => return Err(error),
            }
        }
        Err(HarnessError::PortsInUse {
            attempts: PORT_ATTEMPTS,
            tail: last_tail,
        })
    }

    fn wait_accepting(&mut self) -> Result<(), Started> {
        for server in &mut self.servers {
            server.wait_ready(Readiness::Accepting)?;
        }
        Ok(())
    }

    /// Waits (at most 30 s) until every member that runs has a route to every
    /// other running member, and reports healthy with a JetStream meta leader:
    /// for after a [`restart`](NatsServer::restart) of a member. Members that
    /// were killed and not restarted are left out.
    pub fn wait_formed(&mut self) -> Result<(), HarnessError> {
        let started = Instant::now();
        let deadline = started + FORM_TIMEOUT;
        loop {
            let running: Vec<usize> = (0..self.servers.len())
                .filter(|&i| self.servers[i].is_running())
                .collect();
            let names: BTreeSet<String> = running
                .iter()
                .map(|&i| self.servers[i].name().to_owned())
                .collect();
            let mut waiting_for = None;
            for &i in &running {
                if let Err(what) = self.member_formed(i, &names) {
                    waiting_for = Some(what);
                    break;
                }
            }
            let Some(what) = waiting_for else {
                return Ok(());
            };
            if Instant::now() >= deadline {
                let mut tail = String::new();
                for server in &self.servers {
                    tail.push_str(&format!("{}:\n{}", server.name(), server.output_tail(8)));
                }
                return Err(HarnessError::Timeout {
                    what: format!("the cluster to form ({what})"),
                    waited: started.elapsed(),
                    tail,
                });
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Whether member `i` is routed to every other of `names`, knows a meta
    /// leader and is healthy; else what it lacks.
    fn member_formed(&self, i: usize, names: &BTreeSet<String>) -> Result<(), String> {
        let server = &self.servers[i];
        let name = server.name();
        let json = |path: &str| -> Result<serde_json::Value, String> {
            let response = server
                .monitor(path)
                .map_err(|e| format!("{name} {path}: {e}"))?;
            if response.status != 200 {
                return Err(format!(
                    "{name} {path}: {} {}",
                    response.status,
                    response.body.trim()
                ));
            }
            serde_json::from_str(&response.body).map_err(|e| format!("{name} {path}: {e}"))
        };

        let routez = json("/routez")?;
        let routed: BTreeSet<String> = routez["routes"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|route| route["remote_name"].as_str().map(str::to_owned))
            .collect();
        let missing: Vec<&String> = names
            .iter()
            .filter(|other| other.as_str() != name && !routed.contains(*other))
            .collect();
        if !missing.is_empty() {
            return Err(format!("{name} has no route to {missing:?}"));
        }
        if server.config().jetstream {
            let jsz = json("/jsz")?;
            let leader = jsz["meta_cluster"]["leader"].as_str().unwrap_or("");
            if leader.is_empty() {
                return Err(format!("{name} knows no JetStream meta leader"));
            }
        }
        json("/healthz").map(|_| ())
    }

    /// The client URLs of all members, comma-joined
    /// (`nats://127.0.0.1:A,nats://127.0.0.1:B,...`), the form of the `nats`
    /// CLI's `--server` and of most clients' URL settings. async-nats takes
    /// a list instead: split on `,`, or use [`url_list`](Self::url_list).
    pub fn urls(&self) -> String {
        self.url_list().join(",")
    }

    /// The client URLs of all members, one each.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), Box<dyn std::error::Error>> {
    /// let cluster = nats_harness::NatsCluster::start(3)?;
    /// let client = async_nats::connect(cluster.url_list()).await?;
    /// # Ok(()) }
    /// ```
    pub fn url_list(&self) -> Vec<String> {
        self.servers.iter().map(NatsServer::url).collect()
    }

    /// Member `i`, to kill, restart, freeze or thaw.
    ///
    /// # Panics
    /// If `i >= self.len()`.
    pub fn server(&mut self, i: usize) -> &mut NatsServer {
        &mut self.servers[i]
    }

    /// How many members the cluster has (running or not).
    pub fn len(&self) -> usize {
        self.servers.len()
    }

    /// Always false: a cluster has at least one member.
    pub fn is_empty(&self) -> bool {
        self.servers.is_empty()
    }
}
