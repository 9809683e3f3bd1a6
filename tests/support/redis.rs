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
