//! Choosing a slot and its ports for a new branch, inside the caller's IMMEDIATE transaction.
//!
//! Candidate slots are found and checked with indexed lookups only (the next slot this
//! repository does not hold, then whether each (port, protocol) is leased or a base port),
//! never by reading the whole registry, so an allocation costs about the same at 10 worktrees
//! as at 1,000.

use super::engine_host::{PortHost, Taken};
use super::lanes::{self, Layout};
use super::{probe, scheme};
use crate::config::PortsConfig;
use crate::error::UserError;
use crate::state::{self, Lease, RepoRow};
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::Connection;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub slot: u32,
    /// One lease per key, in configuration order.
    pub leases: Vec<Lease>,
}

impl Allocation {
    /// Port by key.
    pub fn ports(&self) -> IndexMap<String, u16> {
        self.leases.iter().map(|l| (l.key.clone(), l.port)).collect()
    }
}

/// Why a slot that no worktree of this repository holds could not be used: the first obstacle
/// found in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Obstacle {
    /// A port is leased by another worktree (of any repository).
    Leased(u16),
    /// A port is some repository's base port.
    BasePort(u16),
    /// A port is in use on this machine (the bind probe failed), or published by a container
    /// of the remote engine.
    InUse(u16),
    /// A port of the remote engine is claimed by another cfn client of it.
    Claimed(u16),
}

/// The first usable slot from the branch's preferred one upward, then from 1: free in this
/// repository, its ports inside 1024–65535, unleased anywhere for their protocol, no
/// repository's base port, and bindable now. `ports.slots` bounds only the preferred slot (so
/// ports stay near their base); the search goes on past it until the ports would leave the
/// port range. On a remote engine ([`PortHost::Engine`]) leases are checked against that
/// engine's other leases, its published ports and its claims, and the slot is claimed there.
pub fn allocate(
    conn: &Connection,
    repo: &RepoRow,
    cfg: &PortsConfig,
    branch: &str,
    host: &mut PortHost<'_>,
) -> Result<Allocation> {
    let layout = lanes::layout(&cfg.keys);
    let last = scheme::last_slot(cfg, &layout);
    if last == 0 {
        return Err(too_large(cfg, &layout));
    }
    let first = scheme::preferred_slot(&repo.root.to_string_lossy(), branch, cfg.slots).min(last);
    let mut seen = Vec::new();
    // From the preferred slot up to the last, then from 1 up to the preferred one.
    for (from, to) in [(first, last), (1, first - 1)] {
        let mut slot = from;
        while slot <= to {
            slot = state::next_free_slot(conn, repo.id, slot)?;
            if slot > to {
                break;
            }
            match obstacle(conn, cfg, &layout, slot, host)? {
                None => return Ok(Allocation { slot, leases: leases(cfg, &layout, slot) }),
                Some(o) => seen.push(o),
            }
            slot += 1;
        }
    }
    let taken = state::slots_taken_between(conn, repo.id, 1, last)?;
    Err(no_free_slot(branch, last, taken as usize, &seen))
}

/// What keeps `slot` from being used, or `None` when it is free (and, on a remote engine,
/// claimed there).
fn obstacle(
    conn: &Connection,
    cfg: &PortsConfig,
    layout: &Layout,
    slot: u32,
    host: &mut PortHost<'_>,
) -> Result<Option<Obstacle>> {
    let Some(ports) = scheme::lane_ports(cfg, layout, slot) else {
        // within 1..=last every lane fits; kept total for safety
        return Ok(Some(Obstacle::InUse(0)));
    };
    for (lane, &port) in layout.lanes.iter().zip(&ports) {
        if state::is_base_port(conn, port)? {
            return Ok(Some(Obstacle::BasePort(port)));
        }
        for protocol in &lane.protocols {
            if state::lease_holder(conn, host.engine_id(), port, *protocol)?.is_some() {
                return Ok(Some(Obstacle::Leased(port)));
            }
        }
    }
    let wanted = || {
        layout
            .lanes
            .iter()
            .zip(&ports)
            .flat_map(|(lane, &port)| lane.protocols.iter().map(move |p| (port, *p)))
    };
    match host {
        // Bind probes last: they are the costliest check.
        PortHost::Local => {
            if let Some((port, _)) = wanted().find(|&(port, protocol)| !probe::is_bindable(port, protocol)) {
                return Ok(Some(Obstacle::InUse(port)));
            }
        }
        PortHost::Engine(engine) => {
            for (port, protocol) in wanted() {
                match engine.is_taken(port, protocol) {
                    Some(Taken::Published) => return Ok(Some(Obstacle::InUse(port))),
                    Some(Taken::Claimed) => return Ok(Some(Obstacle::Claimed(port))),
                    None => {}
                }
            }
            let all: Vec<(u16, crate::protocol::Protocol)> = wanted().collect();
            if let Some(port) = engine.claim(&all)? {
                return Ok(Some(Obstacle::Claimed(port)));
            }
        }
    }
    Ok(None)
}

fn leases(cfg: &PortsConfig, layout: &Layout, slot: u32) -> Vec<Lease> {
    let ports = scheme::ports_for(cfg, layout, slot).unwrap_or_default();
    cfg.keys
        .iter()
        .map(|(key, k)| Lease { key: key.clone(), port: ports[key], protocol: Some(k.protocol) })
        .collect()
}

/// Not even slot 1 fits below 65536: a configuration error, not a full registry.
fn too_large(cfg: &PortsConfig, layout: &Layout) -> anyhow::Error {
    let (what, fix) = match cfg.scheme {
        crate::config::Scheme::Offset => (
            format!(
                "ports.stride {} is too large: slot 1 would put port {} at {}",
                cfg.stride,
                layout.highest_number(),
                u64::from(layout.highest_number()) + u64::from(cfg.stride)
            ),
            "lower ports.stride in cfn.toml",
        ),
        crate::config::Scheme::Block => (
            format!(
                "ports.block_start {} with block_width {} is too large for {} ports",
                cfg.block_start,
                cfg.block_width,
                layout.lanes.len()
            ),
            "lower ports.block_start or ports.block_width in cfn.toml",
        ),
    };
    UserError::new(format!("{what}: no slot fits below 65536")).hint(fix).into()
}

/// The "no free slot" error, naming what really filled the slots.
fn no_free_slot(branch: &str, last: u32, taken: usize, seen: &[Obstacle]) -> anyhow::Error {
    let count = |f: fn(&Obstacle) -> bool| seen.iter().filter(|o| f(o)).count();
    let leased = count(|o| matches!(o, Obstacle::Leased(_)));
    let base = count(|o| matches!(o, Obstacle::BasePort(_)));
    let in_use = count(|o| matches!(o, Obstacle::InUse(_)));
    let claimed = count(|o| matches!(o, Obstacle::Claimed(_)));
    let example = |f: fn(&Obstacle) -> Option<u16>| {
        seen.iter().find_map(f).map(|p| format!(" (e.g. {p})")).unwrap_or_default()
    };
    let mut causes = Vec::new();
    if taken > 0 {
        causes.push(format!("{taken} held by worktrees of this repository"));
    }
    if leased > 0 {
        let e = example(|o| if let Obstacle::Leased(p) = o { Some(*p) } else { None });
        causes.push(format!("{leased} with a port leased by another repository's worktree{e}"));
    }
    if base > 0 {
        let e = example(|o| if let Obstacle::BasePort(p) = o { Some(*p) } else { None });
        causes.push(format!("{base} with a port that is a main checkout's base port{e}"));
    }
    if in_use > 0 {
        let e = example(|o| if let Obstacle::InUse(p) = o { Some(*p) } else { None });
        causes.push(format!("{in_use} with a port another process listens on{e}"));
    }
    if claimed > 0 {
        let e = example(|o| if let Obstacle::Claimed(p) = o { Some(*p) } else { None });
        causes.push(format!("{claimed} with a port another cfn claims on the engine{e}"));
    }
    let hint = if seen.is_empty() {
        "remove worktrees (`cfn worktree remove`, `cfn worktree prune`), or lower ports.stride in cfn.toml"
    } else if in_use * 2 >= seen.len() + taken {
        "stop what listens on those ports, or switch to ports.scheme = \"block\" in cfn.toml"
    } else {
        "remove unused worktrees (`cfn worktree list`), or switch to ports.scheme = \"block\" in cfn.toml"
    };
    UserError::new(format!(
        "no free slot for branch {branch}: of the {last} slots that fit below 65536, {}",
        causes.join(", ")
    ))
    .hint(hint)
    .into()
}

#[cfg(test)]
mod tests {
    use super::super::lanes::tests::keys;
    use super::*;
    use crate::state::{State, WorktreeRow};

    fn setup(spec: &[(&str, &str, u16, &str, &[&str])]) -> (tempfile::TempDir, State, RepoRow, PortsConfig) {
        let dir = tempfile::tempdir().unwrap();
        let mut st = State::open(dir.path()).unwrap();
        let cfg = PortsConfig { keys: keys(spec), ..PortsConfig::default() };
        let base: Vec<(String, u16)> = cfg.keys.iter().map(|(k, c)| (k.clone(), c.base)).collect();
        let tx = st.immediate().unwrap();
        let repo = state::ensure_repository(&tx, &dir.path().join("repo"), "p", &base).unwrap();
        tx.commit().unwrap();
        (dir, st, repo, cfg)
    }

    fn add(st: &mut State, repo: &RepoRow, cfg: &PortsConfig, branch: &str) -> Result<Allocation> {
        let tx = st.immediate()?;
        let alloc = allocate(&tx, repo, cfg, branch, &mut PortHost::Local)?;
        let path = repo.root.join(branch);
        WorktreeRow::insert(
            &tx,
            &crate::state::NewRow::for_test(repo.id, branch, &path, alloc.slot),
            &alloc.leases,
        )?;
        tx.commit()?;
        Ok(alloc)
    }

    #[test]
    fn shared_and_conflicting_keys_in_two_branches() {
        let (_dir, mut st, repo, cfg) = setup(&[
            ("php_443", "php", 443, "tcp", &[]),
            ("php_443_udp", "php", 443, "udp", &[]),
            ("cpu", "ollama-cpu", 11434, "tcp", &["cpu"]),
            ("gpu", "ollama-gpu", 11434, "tcp", &["gpu"]),
            ("orchestrator", "orchestrator", 3001, "tcp", &[]),
            ("grafana", "grafana", 3001, "tcp", &[]),
        ]);
        let a = add(&mut st, &repo, &cfg, "a").unwrap().ports();
        let b = add(&mut st, &repo, &cfg, "b").unwrap().ports();
        for p in [&a, &b] {
            assert_eq!(p["php_443"], p["php_443_udp"]);
            assert_eq!(p["cpu"], p["gpu"]);
            assert_ne!(p["orchestrator"], p["grafana"]);
            assert!(p.values().all(|&port| port >= 1024));
        }
        let mut numbers: Vec<u16> = a.values().chain(b.values()).copied().collect();
        numbers.sort();
        numbers.dedup();
        assert_eq!(numbers.len(), 8, "each branch has 4 numbers of its own: {a:?} {b:?}");
    }

    #[test]
    fn a_stride_too_large_says_no_slot_fits() {
        let (_dir, mut st, repo, mut cfg) = setup(&[("redis", "redis", 6379, "tcp", &[])]);
        cfg.stride = 60_000;
        let err = add(&mut st, &repo, &cfg, "a").unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(
            user.message,
            "ports.stride 60000 is too large: slot 1 would put port 6379 at 66379: no slot fits below 65536"
        );
        assert_eq!(user.hint.as_deref(), Some("lower ports.stride in cfn.toml"));
    }

    #[test]
    fn no_free_slot_names_the_real_cause() {
        // Two slots fit; one is taken by a branch, the other's port is in use on the machine.
        let (_dir, mut st, repo, mut cfg) = setup(&[("web", "web", 65000, "tcp", &[])]);
        cfg.stride = 200;
        cfg.slots = 2;
        let first = add(&mut st, &repo, &cfg, "a").unwrap();
        let other = if first.slot == 1 { 65400 } else { 65200 };
        let _busy = std::net::TcpListener::bind(("0.0.0.0", other)).unwrap();
        let err = add(&mut st, &repo, &cfg, "b").unwrap_err();
        let msg = err.downcast_ref::<UserError>().unwrap().message.clone();
        assert_eq!(
            msg,
            format!(
                "no free slot for branch b: of the 2 slots that fit below 65536, 1 held by worktrees \
                 of this repository, 1 with a port another process listens on (e.g. {other})"
            )
        );
    }
}
