//! Leases follow the configuration: a worktree's leases are brought in line with the port keys
//! of the cfn.toml that governs it (`Workspace::config_of` in the branch layer decides which).
//!
//! [`plan`] is a pure comparison: a configured key without a lease gets one, a lease whose key
//! is gone is released, and a key whose protocol changed is released and leased again. A key
//! whose `base`, `target`, `service` or profiles changed keeps its lease: the branch's port
//! stays where its users know it, and the allocator's guarantees already hold for it. Before a
//! planned release is carried out, [`super::still_published`] takes out any lease whose port a
//! running container of the branch still publishes.
//!
//! [`apply`] runs inside the caller's `BEGIN IMMEDIATE` transaction and keeps the allocator's
//! guarantees for every new lease: the port is the one the key's lane has in the worktree's
//! slot when that is free (or the number a kept key of the same lane already has), else the
//! next port above it that is free; "free" means no other worktree holds it for that protocol,
//! it is no repository's base port, no key of this worktree that could run at the same time
//! holds it, and it is bindable now.

use super::lanes::{self, Layout, MIN_PORT};
use super::{probe, scheme};
use crate::config::{PortKeyConfig, PortsConfig};
use crate::error::UserError;
use crate::state::{self, Lease};
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::Connection;

/// What it takes to bring one worktree's leases in line with its configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Configured keys that need a lease, in configuration order.
    pub lease: Vec<String>,
    /// Leases to release: their key is gone, or its protocol changed.
    pub release: Vec<Lease>,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.lease.is_empty() && self.release.is_empty()
    }
}

/// One change made to a worktree's leases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Leased { key: String, port: u16 },
    Released { key: String, port: u16 },
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Leased { key, port } => write!(f, "leased {key}={port}"),
            Change::Released { key, port } => write!(f, "released {key}={port}"),
        }
    }
}

/// `ports: leased web_admin=20143, released old=20145 for feature-x`.
pub fn describe(changes: &[Change], branch: &str) -> String {
    let list: Vec<String> = changes.iter().map(Change::to_string).collect();
    format!("ports: {} for {branch}", list.join(", "))
}

/// Compares the configured keys with the leases a worktree holds.
pub fn plan(keys: &IndexMap<String, PortKeyConfig>, held: &[Lease]) -> Plan {
    let mut out = Plan::default();
    for lease in held {
        match keys.get(&lease.key) {
            None => out.release.push(lease.clone()),
            // A lease from before protocols were recorded holds its number for every protocol.
            Some(k) if lease.protocol.is_some_and(|p| p != k.protocol) => {
                out.release.push(lease.clone());
                out.lease.push(lease.key.clone());
            }
            Some(_) => {}
        }
    }
    for key in keys.keys() {
        if !held.iter().any(|l| &l.key == key) {
            out.lease.push(key.clone());
        }
    }
    // In configuration order, so that the ports handed out do not depend on the leases' order.
    out.lease.sort_by_key(|k| keys.get_index_of(k));
    out
}

/// Carries out `plan` for worktree `id` in `slot`, inside the caller's IMMEDIATE transaction.
/// `held` is what the worktree holds now (read inside the same transaction).
pub fn apply(
    conn: &Connection,
    cfg: &PortsConfig,
    id: i64,
    slot: u32,
    held: &[Lease],
    plan: &Plan,
) -> Result<Vec<Change>> {
    let mut changes = Vec::new();
    let mut own: Vec<Lease> = held.to_vec();
    for lease in &plan.release {
        state::release_lease(conn, id, &lease.key)?;
        own.retain(|l| l.key != lease.key);
        changes.push(Change::Released { key: lease.key.clone(), port: lease.port });
    }
    let layout = lanes::layout(&cfg.keys);
    let scheme_ports = scheme::ports_for(cfg, &layout, slot).unwrap_or_default();
    for key in &plan.lease {
        let Some(config) = cfg.keys.get(key) else { continue };
        let port = choose(conn, cfg, &layout, &scheme_ports, id, &own, key, config)?;
        let lease = Lease { key: key.clone(), port, protocol: Some(config.protocol) };
        state::insert_leases(conn, id, std::slice::from_ref(&lease))?;
        own.push(lease);
        changes.push(Change::Leased { key: key.clone(), port });
    }
    Ok(changes)
}

/// The port for a new lease of `key`: a kept key's number on the same lane, then the lane's
/// port in the slot, then the first free port above it (wrapping to 1024).
#[allow(clippy::too_many_arguments)]
fn choose(
    conn: &Connection,
    cfg: &PortsConfig,
    layout: &Layout,
    scheme_ports: &IndexMap<String, u16>,
    id: i64,
    own: &[Lease],
    key: &str,
    config: &PortKeyConfig,
) -> Result<u16> {
    let mut preferred: Vec<u16> = Vec::new();
    if let Some(lane) = layout.lane_of(key) {
        for other in &layout.lanes[lane].keys {
            if let Some(l) = own.iter().find(|l| &l.key == other) {
                preferred.push(l.port);
            }
        }
    }
    let start = scheme_ports.get(key).copied().map(u32::from).unwrap_or_else(|| lanes::lifted(config.base));
    if let Ok(port) = u16::try_from(start) {
        preferred.push(port);
    }
    for port in preferred {
        if is_free(conn, cfg, id, own, port, config)? {
            return Ok(port);
        }
    }
    let start = start.clamp(MIN_PORT, scheme::MAX_PORT);
    for port in (start + 1..=scheme::MAX_PORT).chain(MIN_PORT..start) {
        let port = port as u16;
        if is_free(conn, cfg, id, own, port, config)? {
            return Ok(port);
        }
    }
    Err(UserError::new(format!("no free port left for key {key} ({}) on this machine", config.protocol))
        .hint("remove unused worktrees (`cfn worktree list`, `cfn worktree remove`)")
        .into())
}

/// Whether worktree `id` may lease `port` for `config`'s protocol (see the module's doc).
fn is_free(
    conn: &Connection,
    cfg: &PortsConfig,
    id: i64,
    own: &[Lease],
    port: u16,
    config: &PortKeyConfig,
) -> Result<bool> {
    if u32::from(port) < MIN_PORT || state::is_base_port(conn, port)? {
        return Ok(false);
    }
    let same = |l: &&Lease| l.port == port && l.covers(config.protocol);
    for mine in own.iter().filter(same) {
        // A key of this worktree that could run at the same time would collide with it.
        let could_collide = cfg.keys.get(&mine.key).is_none_or(|k| lanes::can_bind_together(k, config));
        if could_collide {
            return Ok(false);
        }
    }
    let engine_id = state::engine_id_of(conn, id)?;
    match state::lease_holder(conn, &engine_id, port, config.protocol)? {
        Some(holder) if holder != id => return Ok(false),
        _ => {}
    }
    // Shared with a kept key of this worktree (same lane): its own service may be holding it.
    if own.iter().any(|l| l.port == port) {
        return Ok(true);
    }
    // A remote engine's host is not this machine: its ports are checked by the engine when its
    // stack publishes them (docs/remote.md).
    Ok(!engine_id.is_empty() || probe::is_bindable(port, config.protocol))
}

#[cfg(test)]
mod tests {
    use super::super::lanes::tests::keys;
    use super::*;
    use crate::state::{NewRow, State, WorktreeRow};

    fn lease(key: &str, port: u16, protocol: &str) -> Lease {
        Lease { key: key.into(), port, protocol: crate::protocol::Protocol::parse(protocol) }
    }

    #[test]
    fn plan_leases_new_keys_releases_gone_ones_and_keeps_the_rest() {
        let keys = keys(&[
            ("redis", "redis", 6379, "tcp", &[]),
            ("admin", "web", 8081, "tcp", &[]),
            ("web", "web", 8080, "tcp", &[]),
        ]);
        let held = [lease("web", 8090, "tcp"), lease("old", 9000, "tcp"), lease("redis", 6389, "tcp")];
        let p = plan(&keys, &held);
        assert_eq!(p.lease, ["admin"]);
        assert_eq!(p.release, [lease("old", 9000, "tcp")]);
        assert!(plan(&keys, &[lease("redis", 1, "tcp"), lease("admin", 2, "tcp"), lease("web", 3, "tcp")])
            .is_empty());
    }

    #[test]
    fn plan_keeps_a_changed_base_and_re_leases_a_changed_protocol() {
        let mut keys = keys(&[("dns", "dns", 53, "udp", &[]), ("web", "web", 8080, "tcp", &[])]);
        keys["web"].base = 9090;
        keys["web"].target = 80;
        let held = [lease("dns", 10063, "tcp"), lease("web", 8090, "tcp")];
        let p = plan(&keys, &held);
        assert_eq!(p.lease, ["dns"]);
        assert_eq!(p.release, [lease("dns", 10063, "tcp")]);
        // a lease from before protocols were recorded is kept whatever the protocol
        assert!(plan(&keys, &[lease("dns", 10063, "any"), lease("web", 8090, "any")]).is_empty());
    }

    #[test]
    fn plan_lists_new_keys_in_configuration_order() {
        let keys =
            keys(&[("a", "a", 2000, "tcp", &[]), ("b", "b", 3000, "udp", &[]), ("c", "c", 4000, "tcp", &[])]);
        let p = plan(&keys, &[lease("b", 3010, "tcp")]);
        assert_eq!(p.lease, ["a", "b", "c"]);
    }

    struct Fixture {
        _dir: tempfile::TempDir,
        st: State,
        repo: state::RepoRow,
    }

    fn fixture(base: &[(&str, u16)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let mut st = State::open(dir.path()).unwrap();
        let tx = st.immediate().unwrap();
        let base: Vec<(String, u16)> = base.iter().map(|(k, p)| (k.to_string(), *p)).collect();
        let repo = state::ensure_repository(&tx, &dir.path().join("repo"), "p", &base).unwrap();
        tx.commit().unwrap();
        Fixture { _dir: dir, st, repo }
    }

    fn row(f: &mut Fixture, branch: &str, slot: u32, leases: &[Lease]) -> i64 {
        let tx = f.st.immediate().unwrap();
        let path = f.repo.root.join(branch);
        let id = WorktreeRow::insert(&tx, &NewRow::for_test(f.repo.id, branch, &path, slot), leases).unwrap();
        tx.commit().unwrap();
        id
    }

    fn reconcile(f: &mut Fixture, cfg: &PortsConfig, id: i64, slot: u32) -> Vec<Change> {
        let tx = f.st.immediate().unwrap();
        let held = state::leases_of(&tx, id).unwrap();
        let p = plan(&cfg.keys, &held);
        let changes = apply(&tx, cfg, id, slot, &held, &p).unwrap();
        tx.commit().unwrap();
        changes
    }

    #[test]
    fn a_new_key_gets_its_lane_port_in_the_slot_and_a_gone_key_is_released() {
        let mut f = fixture(&[("redis", 46379)]);
        let id = row(&mut f, "a", 2, &[lease("redis", 46399, "tcp"), lease("old", 46500, "tcp")]);
        let cfg = PortsConfig {
            keys: keys(&[("redis", "redis", 46379, "tcp", &[]), ("admin", "web", 46381, "tcp", &[])]),
            ..PortsConfig::default()
        };
        let changes = reconcile(&mut f, &cfg, id, 2);
        assert_eq!(
            changes,
            [
                Change::Released { key: "old".into(), port: 46500 },
                Change::Leased { key: "admin".into(), port: 46401 }
            ]
        );
        assert_eq!(describe(&changes, "a"), "ports: released old=46500, leased admin=46401 for a");
        let ports: Vec<(String, u16)> =
            state::leases_of(f.st.conn(), id).unwrap().into_iter().map(|l| (l.key, l.port)).collect();
        assert_eq!(ports, [("redis".to_string(), 46399), ("admin".to_string(), 46401)]);
        assert!(reconcile(&mut f, &cfg, id, 2).is_empty(), "a second run has nothing to do");
    }

    #[test]
    fn a_new_key_never_takes_a_port_held_elsewhere_or_in_use() {
        // Below the kernel's ephemeral range (32768–60999), where no other test's connection
        // can take the port the key should get, a listener on base + 12 and base + 13 free.
        let (base, _busy) = (24_000..32_000u16)
            .step_by(17)
            .find_map(|base| {
                let busy = std::net::TcpListener::bind(("0.0.0.0", base + 12)).ok()?;
                crate::ports::probe::is_bindable(base + 13, crate::protocol::Protocol::Tcp)
                    .then_some((base, busy))
            })
            .expect("a free pair of ports below the ephemeral range");
        let mut f = fixture(&[("web", base)]);
        // another worktree holds the port the new key's lane has in slot 1, and a base port and
        // a listener sit on the next two
        row(&mut f, "other", 3, &[lease("web", base + 10, "tcp")]);
        let tx = f.st.immediate().unwrap();
        state::ensure_repository(&tx, std::path::Path::new("/elsewhere"), "q", &[("x".into(), base + 11)])
            .unwrap();
        tx.commit().unwrap();
        let id = row(&mut f, "a", 1, &[]);
        let cfg = PortsConfig { keys: keys(&[("web", "web", base, "tcp", &[])]), ..PortsConfig::default() };
        let changes = reconcile(&mut f, &cfg, id, 1);
        assert_eq!(changes, [Change::Leased { key: "web".into(), port: base + 13 }]);
    }

    #[test]
    fn a_new_key_shares_the_number_of_its_lane_and_two_new_keys_never_collide() {
        // Ports below the kernel's ephemeral range (32768–60999), where another test's connection
        // could hold one and move an allocation.
        let mut f = fixture(&[]);
        let id = row(&mut f, "a", 1, &[lease("https", 14450, "tcp")]);
        let cfg = PortsConfig {
            keys: keys(&[
                ("https", "php", 14443, "tcp", &[]),
                ("http3", "php", 14443, "udp", &[]),
                // two keys of one base port that run together: one lane each
                ("x", "x", 14600, "tcp", &[]),
                ("y", "y", 14600, "tcp", &[]),
            ]),
            ..PortsConfig::default()
        };
        let changes = reconcile(&mut f, &cfg, id, 1);
        // http3 joins the kept https number (not 14453); x and y get distinct ports
        assert_eq!(
            changes,
            [
                Change::Leased { key: "http3".into(), port: 14450 },
                Change::Leased { key: "x".into(), port: 14610 },
                Change::Leased { key: "y".into(), port: 14611 },
            ]
        );
    }
}
