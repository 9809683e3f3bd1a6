//! Who listens on a host port, read from /proc: the listening sockets of
//! `/proc/net/{tcp,tcp6,udp,udp6}`, then the processes whose `/proc/PID/fd` links point at those
//! sockets' inodes, with their command line from `/proc/PID/cmdline`.
//!
//! Only reading: cfn never signals a process it finds here (a port-freeing `kill` once took
//! down a user's browser). The tables show this network namespace only, so a container's own
//! sockets are not here — its published ports are matched through the engine instead.

use crate::protocol::Protocol;
use std::collections::{HashMap, HashSet};

/// A process holding a socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    /// Its command line, arguments separated by spaces (or `[comm]` when it has none).
    pub command: String,
}

/// The listening sockets of the host, by protocol and port, as socket inodes.
pub struct Sockets {
    by_port: HashMap<(Protocol, u16), Vec<u64>>,
}

/// TCP state `LISTEN` in /proc/net/tcp.
const TCP_LISTEN: &str = "0A";

impl Sockets {
    pub fn read() -> Sockets {
        let mut by_port: HashMap<(Protocol, u16), Vec<u64>> = HashMap::new();
        let tables = [
            ("tcp", Protocol::Tcp),
            ("tcp6", Protocol::Tcp),
            ("udp", Protocol::Udp),
            ("udp6", Protocol::Udp),
        ];
        for (file, protocol) in tables {
            let Ok(text) = std::fs::read_to_string(format!("/proc/net/{file}")) else { continue };
            for (port, inode) in parse_table(&text, protocol == Protocol::Tcp) {
                by_port.entry((protocol, port)).or_default().push(inode);
            }
        }
        Sockets { by_port }
    }

    /// The inodes of the sockets bound to `port` (listening, for TCP).
    /// (SCTP has no /proc table here: it is looked up as TCP, as before.)
    pub fn on(&self, protocol: Protocol, port: u16) -> &[u64] {
        let protocol = if protocol == Protocol::Udp { Protocol::Udp } else { Protocol::Tcp };
        self.by_port.get(&(protocol, port)).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// `(local port, inode)` of every listening socket of a /proc/net table.
fn parse_table(text: &str, tcp: bool) -> Vec<(u16, u64)> {
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let state = fields.get(3)?;
            if tcp && *state != TCP_LISTEN {
                return None;
            }
            let port = u16::from_str_radix(local.rsplit(':').next()?, 16).ok()?;
            let inode: u64 = fields.get(9)?.parse().ok()?;
            (inode != 0).then_some((port, inode))
        })
        .collect()
}

/// The processes holding any of `inodes`, by inode. Processes this user may not look into
/// are skipped (their sockets then have no holder).
pub fn holders(inodes: &HashSet<u64>) -> HashMap<u64, Vec<Holder>> {
    let mut found: HashMap<u64, Vec<Holder>> = HashMap::new();
    if inodes.is_empty() {
        return found;
    }
    let Ok(procs) = std::fs::read_dir("/proc") else { return found };
    for entry in procs.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else { continue };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
        let mut matched: Vec<u64> = Vec::new();
        for fd in fds.flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else { continue };
            if let Some(inode) = socket_inode(&target.to_string_lossy()) {
                if inodes.contains(&inode) && !matched.contains(&inode) {
                    matched.push(inode);
                }
            }
        }
        if matched.is_empty() {
            continue;
        }
        let holder = Holder { pid, command: command_of(pid) };
        for inode in matched {
            found.entry(inode).or_default().push(holder.clone());
        }
    }
    for list in found.values_mut() {
        list.sort_by_key(|h| h.pid);
    }
    found
}

/// `socket:[12345]` → 12345.
fn socket_inode(link: &str) -> Option<u64> {
    link.strip_prefix("socket:[")?.strip_suffix(']')?.parse().ok()
}

/// The command line of `pid`, shortened for a one-line message.
fn command_of(pid: u32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let args: Vec<String> = raw
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // One line whatever the arguments hold (an inline script may span several).
    let args: Vec<String> = args.iter().flat_map(|a| a.split_whitespace()).map(str::to_string).collect();
    let line = if args.is_empty() {
        let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        format!("[{}]", comm.trim())
    } else {
        args.join(" ")
    };
    const MAX: usize = 160;
    if line.chars().count() > MAX {
        format!("{}…", line.chars().take(MAX).collect::<String>())
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0
   1: 0100007F:A2C4 0100007F:18EB 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0000000000000000 20 4 30 10 -1
";

    #[test]
    fn reads_listening_sockets_only() {
        assert_eq!(parse_table(TCP, true), [(0x18EB, 4242)]);
        assert_eq!(parse_table(TCP, false).len(), 2, "udp has no listen state");
        assert_eq!(socket_inode("socket:[4242]"), Some(4242));
        assert_eq!(socket_inode("pipe:[4242]"), None);
    }

    #[test]
    fn finds_this_process_as_the_holder_of_its_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let sockets = Sockets::read();
        let inodes: HashSet<u64> = sockets.on(Protocol::Tcp, port).iter().copied().collect();
        assert_eq!(inodes.len(), 1);
        let found = holders(&inodes);
        let holder = &found.values().next().unwrap()[0];
        assert_eq!(holder.pid, std::process::id());
        assert!(!holder.command.is_empty());
    }
}
