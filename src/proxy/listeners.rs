//! The proxy's listening sockets: one per thread, all bound to the same address with
//! `SO_REUSEPORT`, so that the kernel spreads new connections over the threads itself. With one
//! socket shared by every thread, each connection woke every thread's accept and one got it;
//! with a socket each, the kernel hands it to one, and a busy thread no longer takes a share of
//! the accepts it cannot serve soon.
//!
//! `SO_REUSEPORT` lets any later socket of the same user with the option join the group; the
//! group is therefore bound only after a plain bind of the address succeeded ([`Probe`]: bound,
//! never listening, so no connection is ever accepted on it and lost when it is let go; anything
//! listening there, a cfn proxy included, makes that plain bind fail).

use anyhow::{Context as _, Result};
use rustix::fd::OwnedFd;
use rustix::net::{sockopt, AddressFamily, SocketType};
use std::net::{SocketAddr, TcpListener};

/// Connections waiting to be accepted, per socket.
const BACKLOG: i32 = 1024;

/// A plain socket bound to the proxy's address and not listening: proof that the address is
/// free, held until the group takes it.
pub struct Probe {
    _socket: OwnedFd,
    pub addr: SocketAddr,
}

impl Probe {
    /// Binds `addr` as a plain listener would (`SO_REUSEADDR`, as the standard library's do, so
    /// that a proxy restarted at once is not refused for its last connections' TIME_WAIT),
    /// without listening: fails when anything listens there.
    pub fn bind(addr: SocketAddr) -> std::io::Result<Probe> {
        let socket = new_socket(addr)?;
        sockopt::set_socket_reuseaddr(&socket, true)?;
        rustix::net::bind(&socket, &addr)?;
        let bound = rustix::net::getsockname(&socket)?;
        let addr = SocketAddr::try_from(bound).map_err(|_| std::io::Error::other("not an IP address"))?;
        Ok(Probe { _socket: socket, addr })
    }
}

/// `count` listening sockets on the address `probe` proves free; `probe` is let go just before.
pub fn bind_group(probe: Probe, count: usize) -> Result<Vec<TcpListener>> {
    let addr = probe.addr;
    drop(probe);
    (0..count.max(1)).map(|_| bind_one(addr).with_context(|| format!("cannot listen on {addr}"))).collect()
}

fn new_socket(addr: SocketAddr) -> std::io::Result<OwnedFd> {
    let family = if addr.is_ipv4() { AddressFamily::INET } else { AddressFamily::INET6 };
    let socket =
        rustix::net::socket_with(family, SocketType::STREAM, rustix::net::SocketFlags::CLOEXEC, None)?;
    if addr.is_ipv6() {
        sockopt::set_ipv6_v6only(&socket, true)?;
    }
    Ok(socket)
}

fn bind_one(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = new_socket(addr)?;
    sockopt::set_socket_reuseaddr(&socket, true)?;
    sockopt::set_socket_reuseport(&socket, true)?;
    rustix::net::bind(&socket, &addr)?;
    rustix::net::listen(&socket, BACKLOG)?;
    Ok(TcpListener::from(socket))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read as _, Write as _};

    #[test]
    fn every_socket_of_the_group_accepts_and_nobody_else_binds_the_port() {
        let probe = Probe::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = probe.addr;
        // Bound, not listening: a connection is refused, never accepted and then lost.
        assert!(std::net::TcpStream::connect(addr).is_err());
        let group = bind_group(probe, 3).unwrap();
        assert!(group.iter().all(|l| l.local_addr().unwrap() == addr));
        assert!(TcpListener::bind(addr).is_err(), "a plain socket cannot join the group");
        assert!(Probe::bind(addr).is_err(), "and a second proxy's probe fails");
        // Every connection is accepted by one of the sockets.
        for l in &group {
            l.set_nonblocking(true).unwrap();
        }
        for _ in 0..6 {
            let mut client = std::net::TcpStream::connect(addr).unwrap();
            client.write_all(b"x").unwrap();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
            let mut accepted = loop {
                if let Some((s, _)) = group.iter().find_map(|l| l.accept().ok()) {
                    break s;
                }
                assert!(std::time::Instant::now() < deadline, "no socket accepted");
                std::thread::sleep(std::time::Duration::from_millis(5));
            };
            accepted.set_nonblocking(false).unwrap();
            let mut byte = [0u8; 1];
            accepted.read_exact(&mut byte).unwrap();
            assert_eq!(&byte, b"x");
        }
    }
}
