//! Which port keys share one branch port, which conflict, and the number each lane starts from.
//!
//! A *lane* is one host port number of a branch. Keys with the same base port that can never
//! bind the same (port, protocol) at once share a lane, as they share the number on the main
//! checkout: `443/tcp` and `443/udp` of one service (HTTP/3 advertises one number for both), or
//! services only in disjoint compose profiles (`ollama-cpu` / `ollama-gpu`). Keys with the same
//! base port, protocol and an overlapping profile genuinely conflict — the main checkout cannot
//! run both either — so each gets a lane of its own, and the conflict is reported.
//!
//! Every lane has a *number* ≥ 1024 from which the scheme derives its port in each slot:
//! - the key's base port, for the first lane of a base port ≥ 1024;
//! - `base + LOW_PORT_LIFT` for a base port below 1024 (80 → 10080), so a privileged base port
//!   maps to a usable port in every slot instead of making the low slots unusable;
//! - for a further lane of a conflicting base port, the next number above it.
//!
//! A number already taken by another lane moves up to the next free one, so the lanes of one
//! slot never collide. Everything here is a pure function of the configured keys, in key order,
//! so a branch's ports are stable.

use crate::config::PortKeyConfig;
use crate::protocol::Protocol;
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashSet;

/// What a base port below 1024 is lifted by for branches (80 → 10080, 443 → 10443).
pub const LOW_PORT_LIFT: u32 = 10_000;

/// Lowest port handed to a branch: below it are privileged ports.
pub const MIN_PORT: u32 = 1024;

/// One branch port number and the keys that publish on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane {
    /// The number the scheme offsets per slot (≥ 1024).
    pub number: u32,
    /// The keys on this lane, in configuration order.
    pub keys: Vec<String>,
    /// Each protocol the lane's keys use, once.
    pub protocols: Vec<Protocol>,
}

/// Two keys whose services publish the same (port, protocol) on the main checkout and can run
/// together: the base files conflict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub port: u16,
    pub protocol: Protocol,
    pub first_key: String,
    pub first_service: String,
    pub second_key: String,
    pub second_service: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "services {} and {} both publish {}/{}: the base files conflict on the main checkout \
             (only one can run there); branches give each its own port",
            self.first_service, self.second_service, self.port, self.protocol
        )
    }
}

/// The lanes of a project's keys, and its conflicts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    pub lanes: Vec<Lane>,
    pub conflicts: Vec<Conflict>,
}

impl Layout {
    /// The index of the lane holding `key`.
    pub fn lane_of(&self, key: &str) -> Option<usize> {
        self.lanes.iter().position(|lane| lane.keys.iter().any(|k| k == key))
    }

    /// The highest lane number (0 without keys).
    pub fn highest_number(&self) -> u32 {
        self.lanes.iter().map(|l| l.number).max().unwrap_or(0)
    }
}

/// Whether two keys could bind the same (port, protocol) at the same time.
pub fn can_bind_together(a: &PortKeyConfig, b: &PortKeyConfig) -> bool {
    a.protocol == b.protocol && profiles_overlap(&a.profiles, &b.profiles)
}

/// Services without profiles always run; two with profiles run together when they share one.
fn profiles_overlap(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|p| b.contains(p))
}

/// The lanes and conflicts of `keys`.
pub fn layout(keys: &IndexMap<String, PortKeyConfig>) -> Layout {
    // Lanes by base port: keys join the first lane of their base port with no key they could
    // bind together with.
    let mut lanes: Vec<(u16, usize, Vec<&str>)> = Vec::new(); // (base, class, keys)
    for (name, key) in keys {
        let joinable = lanes.iter_mut().find(|(base, _, members)| {
            *base == key.base && members.iter().all(|m| !can_bind_together(&keys[*m], key))
        });
        match joinable {
            Some((_, _, members)) => members.push(name),
            None => {
                let class = lanes.iter().filter(|(base, _, _)| *base == key.base).count();
                lanes.push((key.base, class, vec![name]));
            }
        }
    }
    let numbers = numbers(&lanes);
    let lanes = lanes
        .into_iter()
        .zip(numbers)
        .map(|((_, _, members), number)| {
            let mut protocols: Vec<Protocol> = Vec::new();
            for m in &members {
                if !protocols.contains(&keys[*m].protocol) {
                    protocols.push(keys[*m].protocol);
                }
            }
            Lane { number, keys: members.into_iter().map(str::to_string).collect(), protocols }
        })
        .collect();
    Layout { lanes, conflicts: conflicts(keys) }
}

/// Each lane's number: first lanes of base ports ≥ 1024 keep their base, then lifted low base
/// ports, then further lanes of conflicting base ports; a taken number moves up.
fn numbers(lanes: &[(u16, usize, Vec<&str>)]) -> Vec<u32> {
    let mut out = vec![0u32; lanes.len()];
    let mut used = HashSet::new();
    let passes: [&dyn Fn(u16, usize) -> bool; 3] = [
        &|base, class| class == 0 && u32::from(base) >= MIN_PORT,
        &|base, class| class == 0 && u32::from(base) < MIN_PORT,
        &|_, class| class > 0,
    ];
    for pass in passes {
        for (i, (base, class, _)) in lanes.iter().enumerate() {
            if !pass(*base, *class) {
                continue;
            }
            let mut number = lifted(*base) + u32::from(*class > 0);
            while !used.insert(number) {
                number += 1;
            }
            out[i] = number;
        }
    }
    out
}

/// A base port as branches count from it: below 1024 it is lifted by [`LOW_PORT_LIFT`].
pub fn lifted(base: u16) -> u32 {
    if u32::from(base) < MIN_PORT {
        u32::from(base) + LOW_PORT_LIFT
    } else {
        u32::from(base)
    }
}

fn conflicts(keys: &IndexMap<String, PortKeyConfig>) -> Vec<Conflict> {
    let list: Vec<(&String, &PortKeyConfig)> = keys.iter().collect();
    let mut out = Vec::new();
    for (i, (a_name, a)) in list.iter().enumerate() {
        for (b_name, b) in &list[i + 1..] {
            if a.base == b.base && can_bind_together(a, b) {
                out.push(Conflict {
                    port: a.base,
                    protocol: a.protocol,
                    first_key: a_name.to_string(),
                    first_service: a.service.clone(),
                    second_key: b_name.to_string(),
                    second_service: b.service.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Keys from (name, service, base, protocol, profiles).
    pub(crate) fn keys(spec: &[(&str, &str, u16, &str, &[&str])]) -> IndexMap<String, PortKeyConfig> {
        spec.iter()
            .map(|(name, service, base, protocol, profiles)| {
                let key = PortKeyConfig {
                    service: service.to_string(),
                    target: *base,
                    protocol: Protocol::parse(protocol).unwrap(),
                    base: *base,
                    profiles: profiles.iter().map(|p| p.to_string()).collect(),
                };
                (name.to_string(), key)
            })
            .collect()
    }

    fn lanes(layout: &Layout) -> Vec<(u32, Vec<&str>)> {
        layout.lanes.iter().map(|l| (l.number, l.keys.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn one_number_for_tcp_and_udp_of_a_port() {
        // api-platform: 80, 443/tcp and 443/udp (HTTP/3)
        let l = layout(&keys(&[
            ("php_80", "php", 80, "tcp", &[]),
            ("php_443", "php", 443, "tcp", &[]),
            ("php_443_udp", "php", 443, "udp", &[]),
        ]));
        assert_eq!(lanes(&l), [(10080, vec!["php_80"]), (10443, vec!["php_443", "php_443_udp"])]);
        assert_eq!(l.lanes[1].protocols, [Protocol::Tcp, Protocol::Udp]);
        assert!(l.conflicts.is_empty());
    }

    #[test]
    fn disjoint_profiles_share_overlapping_ones_conflict() {
        // n8n kit: ollama-cpu and ollama-gpu on 11434, never together
        let l = layout(&keys(&[
            ("ollama_cpu", "ollama-cpu", 11434, "tcp", &["cpu"]),
            ("ollama_gpu", "ollama-gpu", 11434, "tcp", &["gpu-nvidia"]),
        ]));
        assert_eq!(lanes(&l), [(11434, vec!["ollama_cpu", "ollama_gpu"])]);
        assert!(l.conflicts.is_empty());
        // a profile in common, or one service without profiles, can run together
        for (a, b) in [(&["cpu", "x"][..], &["x"][..]), (&[][..], &["gpu"][..])] {
            let l = layout(&keys(&[("a", "a", 11434, "tcp", a), ("b", "b", 11434, "tcp", b)]));
            assert_eq!(lanes(&l), [(11434, vec!["a"]), (11435, vec!["b"])]);
            assert_eq!(l.conflicts.len(), 1);
        }
    }

    #[test]
    fn real_conflicts_get_their_own_number_and_are_reported() {
        // claude-flow-novice production: orchestrator and grafana both on 3001, 3002 is taken
        let l = layout(&keys(&[
            ("orchestrator", "orchestrator", 3001, "tcp", &[]),
            ("grafana", "grafana", 3001, "tcp", &[]),
            ("web", "web", 3002, "tcp", &[]),
        ]));
        assert_eq!(lanes(&l), [(3001, vec!["orchestrator"]), (3003, vec!["grafana"]), (3002, vec!["web"])]);
        assert_eq!(
            l.conflicts[0].to_string(),
            "services orchestrator and grafana both publish 3001/tcp: the base files conflict on the \
             main checkout (only one can run there); branches give each its own port"
        );
    }

    #[test]
    fn low_ports_are_lifted_and_never_collide_with_a_real_base() {
        let l = layout(&keys(&[
            ("http", "proxy", 80, "tcp", &[]),
            ("admin", "proxy", 81, "tcp", &[]),
            ("app", "app", 10080, "tcp", &[]),
        ]));
        // 10080 is the app's own base port: the lifted 80 moves on
        assert_eq!(lanes(&l), [(10081, vec!["http"]), (10082, vec!["admin"]), (10080, vec!["app"])]);
        assert!(l.lanes.iter().all(|lane| lane.number >= MIN_PORT));
    }

    #[test]
    fn lane_of_and_highest() {
        let l = layout(&keys(&[("a", "a", 5432, "tcp", &[]), ("b", "b", 6379, "tcp", &[])]));
        assert_eq!((l.lane_of("b"), l.lane_of("c"), l.highest_number()), (Some(1), None, 6379));
        assert_eq!(layout(&IndexMap::new()).highest_number(), 0);
    }
}
