//! What the bus tests run against: a real `redis-server` (the shared launcher of
//! [`crate::health::tests::support`], which also holds the rule for a missing one) or the
//! embedded bus in a temporary directory.

use std::time::{Duration, Instant};

use crate::bus::{Bus, EmbeddedBus, RedisBus};
pub use crate::health::tests::support::redis::RedisServer;

/// A bus on the test server, and a plain connection to inspect the server behind its back.
pub trait RedisServerExt {
    async fn bus(&self) -> Bus;
    async fn raw(&self) -> redis::aio::MultiplexedConnection;
    /// Waits until `n` clients are blocked in a command, so a test sends only to real waiters.
    async fn until_blocked(&self, n: usize);
}

impl RedisServerExt for RedisServer {
    async fn bus(&self) -> Bus {
        Bus::Redis(RedisBus::connect(&self.url()).await.expect("connect to the test server"))
    }

    async fn raw(&self) -> redis::aio::MultiplexedConnection {
        redis::Client::open(self.url())
            .expect("test url")
            .get_multiplexed_async_connection()
            .await
            .expect("raw connection")
    }

    async fn until_blocked(&self, n: usize) {
        let mut conn = self.raw().await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let info: String = redis::cmd("INFO").arg("clients").query_async(&mut conn).await.expect("info");
            let blocked = info
                .lines()
                .find_map(|l| l.strip_prefix("blocked_clients:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if blocked >= n {
                return;
            }
            assert!(Instant::now() < deadline, "only {blocked} of {n} clients blocked");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// What a behaviour test runs against, and how it knows its waiters are blocked.
pub enum Env {
    Redis(RedisServer),
    Embedded(tempfile::TempDir),
}

impl Env {
    pub async fn redis() -> Option<(Bus, Env)> {
        let server = RedisServer::start(&[])?;
        Some((server.bus().await, Env::Redis(server)))
    }

    pub async fn embedded() -> (Bus, Env) {
        let dir = tempfile::tempdir().expect("a temp dir");
        let bus =
            EmbeddedBus::open(&dir.path().join(".cfn/bus.sqlite")).await.expect("open the embedded bus");
        (Bus::Embedded(bus), Env::Embedded(dir))
    }

    /// Returns once `n` waiters are blocked (Redis: counted by the server; embedded: waiters
    /// poll, so a short pause is enough).
    pub async fn settle(&self, n: usize) {
        match self {
            Env::Redis(server) => server.until_blocked(n).await,
            Env::Embedded(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}
