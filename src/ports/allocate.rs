//! Choosing a slot and its ports for a new branch, inside the caller's IMMEDIATE transaction.

use super::{probe, scheme};
use crate::config::PortsConfig;
use crate::error::UserError;
use crate::state::{self, RepoRow};
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::Connection;
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    pub slot: u32,
    pub ports: IndexMap<String, u16>,
}

/// The first usable slot from the branch's preferred one upward, then from 1: free in this
/// repository, its ports inside 1024–65535, distinct, unleased anywhere, no repository's base
/// port, and bindable now. `ports.slots` bounds only the preferred slot (so ports stay near
/// their base); the search goes on past it until the ports would leave the port range.
pub fn allocate(conn: &Connection, repo: &RepoRow, cfg: &PortsConfig, branch: &str) -> Result<Allocation> {
    let taken_ports = state::taken_ports(conn)?;
    let taken_slots = state::taken_slots(conn, repo.id)?;
    let first = scheme::preferred_slot(&repo.root.to_string_lossy(), branch, cfg.slots);
    let last = scheme::last_slot(cfg);
    for slot in (first..=last).chain(1..first) {
        if taken_slots.contains(&slot) {
            continue;
        }
        let Some(ports) = scheme::ports_for(cfg, slot) else { continue };
        if usable(cfg, &ports, &taken_ports) {
            return Ok(Allocation { slot, ports });
        }
    }
    Err(UserError::new(format!("no free slot for branch {branch}: every slot up to {last} is taken or busy"))
        .hint(
            "free slots with `cfn worktree remove` / `cfn worktree prune`, or lower ports.stride in cfn.toml",
        )
        .into())
}

fn usable(cfg: &PortsConfig, ports: &IndexMap<String, u16>, taken: &HashSet<u16>) -> bool {
    let mut seen = HashSet::with_capacity(ports.len());
    ports.iter().all(|(key, &port)| {
        let protocol = cfg.keys.get(key).map(|k| k.protocol.as_str()).unwrap_or("tcp");
        !taken.contains(&port) && seen.insert(port) && probe::is_bindable(port, protocol)
    })
}
