//! One Redis server or a Redis Cluster, behind one connection type.
//!
//! Users give one URL either way: [`Opener::connect`] asks the server `INFO cluster`, and when it
//! says `cluster_enabled:1` the bus uses the redis crate's cluster client, seeded with that URL
//! and with every node `CLUSTER NODES` lists, each carrying the URL's user, password, TLS
//! settings and protocol. Seeding every node matters after a failover: a wait that reconnects
//! must still find the cluster when the node the user named is the one that died.
//!
//! The cluster client sends each command to the primary owning its key's slot and follows
//! `MOVED`/`ASK` redirections itself. Every bus command and script names only keys sharing one
//! `{…}` hash tag (`keys.rs`), so none is refused with `CROSSSLOT`.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterConfig};
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, Client, Cmd, ConnectionAddr, ConnectionInfo, Pipeline};
use redis::{RedisError, RedisFuture, RedisResult, Value};

/// How long to wait for a TCP connection and the login.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How often the cluster client sends a command again after a redirection or a lost node, and
/// its pauses in between (random, growing from 50 ms to at most 1 s): about 5 s in all on
/// average, more than a failover with a short node timeout takes.
const RETRIES: u32 = 16;
const MIN_RETRY_WAIT_MS: u64 = 50;
const MAX_RETRY_WAIT_MS: u64 = 1_000;

/// A connection to a single server or to a whole cluster; cheap to clone (shared).
#[derive(Clone)]
pub(crate) enum Conn {
    Single(MultiplexedConnection),
    /// The bus's shared connection to a single server, reopened when it drops (see [`Shared`]).
    Shared(Arc<Shared>),
    Cluster(ClusterConnection),
}

/// The shared connection to one server. When the server goes away (restarted, a network
/// blip), a command sent on it fails; it is sent again on a new connection, after a pause
/// (50 ms, doubling up to 1 s), until it goes through or [`reconnect_window`] has passed since
/// the first failure. Commands are sent again only on a lost connection, never on an error
/// the server answered; a command whose answer was lost may be applied twice, which the bus's
/// writes tolerate (a report's slot takes the first one; a signal or event appended twice is
/// read twice).
pub(crate) struct Shared {
    client: Client,
    response: Duration,
    current: Mutex<MultiplexedConnection>,
}

/// The first pause before a command or a wait tries a lost server again, and the longest.
pub(crate) const FIRST_PAUSE: Duration = Duration::from_millis(50);
pub(crate) const LAST_PAUSE: Duration = Duration::from_secs(1);

/// The variable that sets [`reconnect_window`], in seconds.
pub const RECONNECT_VAR: &str = "CFN_BUS_RECONNECT";
const DEFAULT_RECONNECT: Duration = Duration::from_secs(30);

/// How long a command keeps trying a server whose connection dropped: `CFN_BUS_RECONNECT`
/// seconds, 30 by default (an unreadable value counts as the default).
pub fn reconnect_window() -> Duration {
    std::env::var(RECONNECT_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<f64>().ok())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(DEFAULT_RECONNECT)
}

impl Shared {
    async fn send(&self, cmd: &Cmd) -> RedisResult<Value> {
        self.retrying(|mut conn| async move { conn.req_packed_command(cmd).await }).await
    }

    async fn send_many(&self, pipeline: &Pipeline, offset: usize, count: usize) -> RedisResult<Vec<Value>> {
        self.retrying(|mut conn| async move { conn.req_packed_commands(pipeline, offset, count).await }).await
    }

    /// Runs `request` on the current connection; when the connection is lost, opens a new one
    /// and runs it again with a growing pause, until the reconnect window has passed.
    async fn retrying<T, F, Fut>(&self, request: F) -> RedisResult<T>
    where
        F: Fn(MultiplexedConnection) -> Fut,
        Fut: std::future::Future<Output = RedisResult<T>>,
    {
        let mut deadline = None;
        let mut pause = FIRST_PAUSE;
        loop {
            match request(self.connection()).await {
                Err(err) if lost(&err) => {
                    let deadline = *deadline.get_or_insert_with(|| Instant::now() + reconnect_window());
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(err);
                    }
                    tokio::time::sleep(pause.min(left)).await;
                    pause = (pause * 2).min(LAST_PAUSE);
                    if let Ok(fresh) = open_single(&self.client, self.response).await {
                        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = fresh;
                    }
                }
                other => return other,
            }
        }
    }

    fn connection(&self) -> MultiplexedConnection {
        self.current.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Whether a command failed because the connection to the server was lost (or the server is
/// still loading its data after a restart), so that sending it again later may work.
fn lost(err: &RedisError) -> bool {
    err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_io_error()
        || matches!(err.code(), Some("LOADING"))
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(conn) => conn.req_packed_command(cmd),
            Conn::Shared(shared) => {
                let shared = shared.clone();
                Box::pin(async move { shared.send(cmd).await })
            }
            Conn::Cluster(conn) => conn.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Conn::Shared(shared) => {
                let shared = shared.clone();
                Box::pin(async move { shared.send_many(pipeline, offset, count).await })
            }
            Conn::Cluster(conn) => conn.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(conn) => conn.get_db(),
            Conn::Shared(shared) => shared.connection().get_db(),
            Conn::Cluster(conn) => conn.get_db(),
        }
    }
}

/// What opens connections: a client for one server, or a cluster client.
#[derive(Clone)]
pub(crate) enum Opener {
    Single(Client),
    Cluster(Box<ClusterClient>),
}

impl Opener {
    /// Opens the first connection to the server `client` names, turning to the cluster client
    /// when the server runs in cluster mode. Returns the opener and that connection.
    pub(crate) async fn connect(client: Client, response: Duration) -> RedisResult<(Opener, Conn)> {
        let mut single = open_single(&client, response).await?;
        let info = redis::cmd("INFO").arg("cluster").query_async::<String>(&mut single).await;
        let info = match info {
            Ok(info) => info,
            // A user not allowed INFO (NOPERM), or a managed server without it: a single
            // server, as before cluster support; a cluster always lets the client ask.
            Err(err) if err.code().is_some() => String::new(),
            Err(err) => return Err(err),
        };
        if !cluster_enabled(&info) {
            return Ok((Opener::Single(client), Conn::Single(single)));
        }
        let nodes: String = redis::cmd("CLUSTER").arg("NODES").query_async(&mut single).await?;
        let seed = client.get_connection_info().clone();
        let mut seeds = vec![seed.clone()];
        seeds.extend(node_addresses(&nodes).into_iter().map(|(host, port)| with_address(&seed, host, port)));
        // The crate's retry pauses grow to 655 s by default; a command of the bus should rather
        // fail within seconds once no node takes over, and a wait has its own deadline.
        let client = ClusterClient::builder(seeds)
            .retries(RETRIES)
            .min_retry_wait(MIN_RETRY_WAIT_MS)
            .max_retry_wait(MAX_RETRY_WAIT_MS)
            .build()?;
        let opener = Opener::Cluster(Box::new(client));
        let conn = opener.open(response).await?;
        Ok((opener, conn))
    }

    /// The connection `connect` opened, made the bus's shared one: on a single server, reopened
    /// when it drops ([`Shared`]); a cluster connection already finds the nodes again itself.
    pub(crate) fn shared(&self, conn: Conn, response: Duration) -> Conn {
        match (self, conn) {
            (Opener::Single(client), Conn::Single(current)) => Conn::Shared(Arc::new(Shared {
                client: client.clone(),
                response,
                current: Mutex::new(current),
            })),
            (_, conn) => conn,
        }
    }

    /// Whether this is a cluster.
    pub(crate) fn is_cluster(&self) -> bool {
        matches!(self, Opener::Cluster(_))
    }

    /// A new connection whose commands may take up to `response` each.
    pub(crate) async fn open(&self, response: Duration) -> RedisResult<Conn> {
        match self {
            Opener::Single(client) => Ok(Conn::Single(open_single(client, response).await?)),
            Opener::Cluster(client) => {
                let config = ClusterConfig::new()
                    .set_connection_timeout(CONNECT_TIMEOUT)
                    .set_response_timeout(response);
                Ok(Conn::Cluster(client.get_async_connection_with_config(config).await?))
            }
        }
    }
}

async fn open_single(client: &Client, response: Duration) -> RedisResult<MultiplexedConnection> {
    let config = AsyncConnectionConfig::new()
        .set_connection_timeout(Some(CONNECT_TIMEOUT))
        .set_response_timeout(Some(response));
    client.get_multiplexed_async_connection_with_config(&config).await
}

/// Whether an `INFO cluster` reply says the server runs in cluster mode.
fn cluster_enabled(info: &str) -> bool {
    info.lines().any(|line| line.trim() == "cluster_enabled:1")
}

/// The `host:port` of every node a `CLUSTER NODES` reply lists (its second column is
/// `ip:port@cport[,hostname]`); nodes without an address (`:0`) are skipped.
fn node_addresses(nodes: &str) -> Vec<(String, u16)> {
    nodes
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter_map(|addr| {
            let addr = addr.split(['@', ',']).next()?;
            let (host, port) = addr.rsplit_once(':')?;
            let port = port.parse().ok().filter(|p| *p != 0)?;
            (!host.is_empty()).then(|| (host.to_string(), port))
        })
        .collect()
}

/// The seed's connection settings (login, database, TLS) at another node's address.
fn with_address(seed: &ConnectionInfo, host: String, port: u16) -> ConnectionInfo {
    let addr = match seed.addr() {
        ConnectionAddr::TcpTls { insecure, tls_params, .. } => {
            ConnectionAddr::TcpTls { host, port, insecure: *insecure, tls_params: tls_params.clone() }
        }
        _ => ConnectionAddr::Tcp(host, port),
    };
    seed.clone().set_addr(addr)
}

/// Whether a failed command may succeed if sent again after a pause on a cluster: the node
/// holding the slot died or the slot is moving (failover, resharding), not a refusal.
pub(crate) fn is_transient(err: &RedisError) -> bool {
    err.is_connection_dropped()
        || err.is_connection_refusal()
        || err.is_io_error()
        || err.is_cluster_error()
        || matches!(err.code(), Some("CLUSTERDOWN" | "TRYAGAIN" | "MOVED" | "ASK" | "LOADING" | "MASTERDOWN"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use redis::IntoConnectionInfo;

    #[test]
    fn cluster_mode_is_read_from_info() {
        assert!(cluster_enabled("# Cluster\r\ncluster_enabled:1\r\n"));
        assert!(!cluster_enabled("# Cluster\r\ncluster_enabled:0\r\n"));
    }

    #[test]
    fn node_addresses_come_from_cluster_nodes() {
        let reply = "a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460\n\
                     b2 127.0.0.1:7002@17002,node-b master - 0 0 2 connected 5461-10922\n\
                     c3 :0@0 master,fail,noaddr - 0 0 3 disconnected\n";
        assert_eq!(
            node_addresses(reply),
            vec![("127.0.0.1".to_string(), 7001), ("127.0.0.1".to_string(), 7002)]
        );
    }

    #[test]
    fn other_nodes_keep_the_login_of_the_seed() -> RedisResult<()> {
        let seed = "redis://app:pw@127.0.0.1:7001".into_connection_info()?;
        let other = with_address(&seed, "127.0.0.1".into(), 7005);
        assert_eq!(other.addr(), &ConnectionAddr::Tcp("127.0.0.1".into(), 7005));
        assert_eq!(other.redis_settings().password(), Some("pw"));
        assert_eq!(other.redis_settings().username(), Some("app"));
        Ok(())
    }
}
