//! A real `redis-server` per test: a free loopback port (or a given one), no persistence,
//! stopped when its handle drops or the test process dies (see [`super::watchdog`]). A
//! missing `redis-server` skips the test outside CI and fails it under CI ([`super::ci`]).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::ci::missing;
use super::watchdog::{free_port, on_path, path, scratch_dir, Watched};

pub struct RedisServer {
    pub port: u16,
    /// `None` once [`RedisServer::kill`]ed.
    server: Option<Watched>,
}

impl RedisServer {
    /// A server on a free port, with extra arguments (`--requirepass`, `--user` ACL lines...).
    pub fn start(extra: &[&str]) -> Option<RedisServer> {
        RedisServer::launch(None, extra, false)
    }

    /// A server on `port`, which the test chose (a branch's leased port, say).
    pub fn start_on(port: u16, extra: &[&str]) -> Option<RedisServer> {
        RedisServer::launch(Some(port), extra, false)
    }

    /// A TLS-only server on a free port: `tls` holds `--tls-cert-file` and friends.
    pub fn start_tls(tls: &[&str]) -> Option<RedisServer> {
        RedisServer::launch(None, tls, true)
    }

    fn launch(fixed: Option<u16>, extra: &[&str], tls: bool) -> Option<RedisServer> {
        let Some(program) = on_path("redis-server") else { return missing("redis-server") };
        let mut errors = Vec::new();
        // A free port can be taken between the probe and the server's bind: try others.
        for _attempt in 0..if fixed.is_some() { 1 } else { 5 } {
            let port = fixed.unwrap_or_else(free_port);
            let dir = scratch_dir("cfn-test-redis-", None);
            let port_arg = port.to_string();
            let listen: &[&str] =
                if tls { &["--port", "0", "--tls-port", &port_arg] } else { &["--port", &port_arg] };
            let base = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no"];
            let args: Vec<&str> = listen
                .iter()
                .copied()
                .chain(base)
                .chain(["--dir", path(&dir)])
                .chain(extra.iter().copied())
                .collect();
            let mut server = Watched::start(None, "TERM", &dir, &program, &args);
            let started = if tls {
                // No PING without a TLS client: a connection, and the server still up after
                // a moment (a bad certificate stops it at once).
                server
                    .wait_until("redis-server", || TcpStream::connect(("127.0.0.1", port)).is_ok())
                    .and_then(|()| {
                        std::thread::sleep(Duration::from_millis(100));
                        server.alive().then_some(()).ok_or_else(|| "redis-server (TLS) exited".to_string())
                    })
            } else {
                server.wait_until("redis-server", || answers_ping(port))
            };
            match started {
                Ok(()) => return Some(RedisServer { port, server: Some(server) }),
                Err(log) => errors.push(log),
            }
        }
        panic!("{}", errors.join("\n"));
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// `redis://<user>:<password>@127.0.0.1:<port>` (`user` empty for the default user).
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!("redis://{user}:{password}@127.0.0.1:{}", self.port)
    }

    /// Stops the server now, before the handle drops; returns once it is gone.
    pub fn kill(&mut self) {
        drop(self.server.take());
    }
}

/// Whether a server on `port` answers `PING` (with `+PONG` or an authentication error): a
/// bare TCP connect is not enough, the server may still exit on a bad configuration.
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0u8; 1];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && matches!(reply[0], b'+' | b'-')
}

/// A real Redis Cluster on loopback: 3 primaries and 3 replicas (one each), made with
/// `redis-cli --cluster create`, every node a [`RedisServer`] with `--cluster-enabled yes`. A
/// short node timeout (1 s) makes a killed primary's failover take seconds, not the default 15.
pub struct RedisCluster {
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts the six nodes and joins them; `None` (skip) when redis-server or redis-cli is
    /// missing outside CI, a panic under CI.
    pub fn start() -> Option<RedisCluster> {
        let Some(cli) = on_path("redis-cli") else { return missing("redis-cli") };
        let mut nodes = Vec::new();
        while nodes.len() < 6 {
            let port = free_cluster_port();
            let node = RedisServer::start_on(
                port,
                &[
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "1000",
                ],
            )?;
            nodes.push(node);
        }
        let addrs: Vec<String> = nodes.iter().map(|n| format!("127.0.0.1:{}", n.port)).collect();
        let out = std::process::Command::new(&cli)
            .arg("--cluster")
            .arg("create")
            .args(&addrs)
            .args(["--cluster-replicas", "1", "--cluster-yes"])
            .output()
            .expect("run redis-cli --cluster create");
        assert!(
            out.status.success(),
            "redis-cli --cluster create failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        let cluster = RedisCluster { nodes };
        cluster.until_healthy(&[]);
        Some(cluster)
    }

    /// `redis://127.0.0.1:<port>` of the first node: the one URL a user gives.
    pub fn url(&self) -> String {
        self.nodes[0].url()
    }

    /// The port of the primary that serves `key`'s slot now.
    pub fn primary_of(&self, key: &str) -> u16 {
        let slot: u16 = self.cli(self.nodes[0].port, &["CLUSTER", "KEYSLOT", key]).parse().expect("a slot");
        self.primary_of_slot(self.live_port(&[]), slot).expect("every slot has a primary")
    }

    /// The port of the replica of the primary on `port`.
    pub fn replica_of(&self, port: u16) -> u16 {
        let id = self.cli(port, &["CLUSTER", "MYID"]);
        self.cli(port, &["CLUSTER", "NODES"])
            .lines()
            .find_map(|line| {
                let cols: Vec<&str> = line.split_whitespace().collect();
                let replica =
                    cols.get(2)?.split(',').any(|f| f == "slave") && cols.get(3) == Some(&id.as_str());
                replica.then(|| cols[1].split(['@', ',']).next()?.rsplit_once(':')?.1.parse().ok())?
            })
            .expect("the primary has a replica")
    }

    /// Kills the node on `port` with SIGKILL (no shutdown, no goodbye to the cluster).
    pub fn kill9(&mut self, port: u16) {
        let pid = self
            .cli(port, &["INFO", "server"])
            .lines()
            .find_map(|l| l.strip_prefix("process_id:"))
            .map(|p| p.trim().to_string())
            .expect("the node's pid");
        let status = std::process::Command::new("kill").args(["-KILL", &pid]).status().expect("kill");
        assert!(status.success(), "kill -KILL {pid}");
        let node = self.nodes.iter_mut().find(|n| n.port == port).expect("a node on that port");
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while answers_ping(port) {
            assert!(std::time::Instant::now() < deadline, "node {port} still answers after SIGKILL");
            std::thread::sleep(Duration::from_millis(10));
        }
        node.kill();
    }

    /// Waits (up to 30 s) until the live nodes say `cluster_state:ok` and no slot is served by
    /// a node in `dead`: after a kill, until a replica has taken over.
    pub fn until_healthy(&self, dead: &[u16]) {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let live: Vec<u16> = self.nodes.iter().map(|n| n.port).filter(|p| !dead.contains(p)).collect();
            let ok = live.iter().all(|p| self.cli(*p, &["CLUSTER", "INFO"]).contains("cluster_state:ok"));
            // One slot of each third: `--cluster create` gives each primary one third.
            let owners_live = ok
                && [0, 5461, 10923, 16383].iter().all(|slot| {
                    live.iter()
                        .all(|port| self.primary_of_slot(*port, *slot).is_some_and(|p| !dead.contains(&p)))
                });
            if owners_live {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the cluster did not become healthy:\n{}\n{}",
                self.cli(live[0], &["CLUSTER", "INFO"]),
                self.cli(live[0], &["CLUSTER", "NODES"])
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn live_port(&self, dead: &[u16]) -> u16 {
        self.nodes
            .iter()
            .map(|n| n.port)
            .find(|p| !dead.contains(p) && answers_ping(*p))
            .expect("a live node")
    }

    /// The primary serving `slot` as `CLUSTER SLOTS` on `port` reports it.
    fn primary_of_slot(&self, port: u16, slot: u16) -> Option<u16> {
        // `CLUSTER NODES`: id addr flags master ping pong epoch state slot-ranges…
        self.cli(port, &["CLUSTER", "NODES"]).lines().find_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let flags: Vec<&str> = cols.get(2)?.split(',').collect();
            let primary = flags.contains(&"master") && !flags.iter().any(|f| matches!(*f, "fail" | "fail?"));
            let serves = cols.iter().skip(8).any(|range| {
                let (a, b) = range.split_once('-').unwrap_or((range, range));
                matches!((a.parse::<u16>(), b.parse::<u16>()), (Ok(a), Ok(b)) if a <= slot && slot <= b)
            });
            (primary && serves).then(|| cols[1].split(['@', ',']).next()?.rsplit_once(':')?.1.parse().ok())?
        })
    }

    /// The trimmed output of `redis-cli -p <port> args…`.
    pub fn cli(&self, port: u16, args: &[&str]) -> String {
        let out = std::process::Command::new("redis-cli")
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .args(args)
            .output()
            .expect("run redis-cli");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// A free port whose cluster bus port (port + 10000) is free too.
fn free_cluster_port() -> u16 {
    loop {
        let port = free_port();
        if port < 55_000 && std::net::TcpListener::bind(("127.0.0.1", port + 10_000)).is_ok() {
            return port;
        }
    }
}
