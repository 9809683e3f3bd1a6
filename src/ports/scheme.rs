//! From a slot to ports: the offset and block schemes over a project's lanes, and the stable
//! preferred slot.

use super::lanes::{Layout, MIN_PORT};
use crate::config::{PortsConfig, Scheme};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};

pub const MAX_PORT: u32 = 65535;

/// The port of lane number `index` in `slot` (slot ≥ 1); `None` when outside 1024–65535.
pub fn lane_port(cfg: &PortsConfig, layout: &Layout, slot: u32, index: usize) -> Option<u16> {
    let port = match cfg.scheme {
        Scheme::Offset => u64::from(layout.lanes[index].number) + u64::from(slot) * u64::from(cfg.stride),
        Scheme::Block => {
            u64::from(cfg.block_start) + u64::from(slot) * u64::from(cfg.block_width) + index as u64
        }
    };
    (u64::from(MIN_PORT)..=u64::from(MAX_PORT)).contains(&port).then_some(port as u16)
}

/// Every lane's port in `slot` (slot ≥ 1), or `None` if one falls outside 1024–65535.
pub fn lane_ports(cfg: &PortsConfig, layout: &Layout, slot: u32) -> Option<Vec<u16>> {
    (0..layout.lanes.len()).map(|i| lane_port(cfg, layout, slot, i)).collect()
}

/// Every key's port in `slot`: the base ports in slot 0, else its lane's port; `None` if one
/// falls outside 1024–65535.
pub fn ports_for(cfg: &PortsConfig, layout: &Layout, slot: u32) -> Option<IndexMap<String, u16>> {
    if slot == 0 {
        return Some(cfg.keys.iter().map(|(key, k)| (key.clone(), k.base)).collect());
    }
    let lanes = lane_ports(cfg, layout, slot)?;
    Some(
        layout
            .lanes
            .iter()
            .zip(lanes)
            .flat_map(|(lane, port)| lane.keys.iter().map(move |key| (key.clone(), port)))
            .collect(),
    )
}

/// The highest slot whose ports all stay within 1024–65535; 0 when not even slot 1 fits (a
/// stride or block too large for the base ports).
pub fn last_slot(cfg: &PortsConfig, layout: &Layout) -> u32 {
    // Without port keys a slot is only a number; keep it within a sane range.
    if layout.lanes.is_empty() {
        return 9999;
    }
    match cfg.scheme {
        Scheme::Offset => (MAX_PORT.saturating_sub(layout.highest_number())) / cfg.stride.max(1),
        Scheme::Block => {
            let width = cfg.block_width.max(1);
            MAX_PORT.saturating_sub(cfg.block_start + layout.lanes.len() as u32 - 1) / width
        }
    }
}

/// The slot a branch tries first: a specified, stable function of the repository identity and
/// the branch name (SHA-256, never `DefaultHasher`), in `1..slots`.
pub fn preferred_slot(repo_identity: &str, branch: &str, slots: u32) -> u32 {
    let digest = Sha256::digest(format!("{repo_identity}\n{branch}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let span = u64::from(slots.saturating_sub(1).max(1));
    (u64::from_be_bytes(first) % span) as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::super::lanes::{layout, tests::keys};
    use super::*;

    fn cfg(scheme: Scheme, spec: &[(&str, &str, u16, &str, &[&str])]) -> (PortsConfig, Layout) {
        let c = PortsConfig { scheme, keys: keys(spec), ..PortsConfig::default() };
        let l = layout(&c.keys);
        (c, l)
    }

    const SEED: &[(&str, &str, u16, &str, &[&str])] =
        &[("redis", "redis", 6379, "tcp", &[]), ("postgres", "postgres", 5432, "tcp", &[])];

    #[test]
    fn offset_and_block() {
        let (off, l) = cfg(Scheme::Offset, SEED);
        assert_eq!(ports_for(&off, &l, 0).unwrap()["redis"], 6379);
        assert_eq!(ports_for(&off, &l, 3).unwrap()["redis"], 6409);
        let (block, l) = cfg(Scheme::Block, SEED);
        let p = ports_for(&block, &l, 2).unwrap();
        assert_eq!((p["redis"], p["postgres"]), (20040, 20041));
        let (off, l) = cfg(Scheme::Offset, SEED);
        assert!(ports_for(&off, &l, 6000).is_none(), "past 65535");
        assert_eq!(last_slot(&off, &l), (65535 - 6379) / 10);
    }

    #[test]
    fn shared_lanes_give_one_port_and_slot_zero_is_the_base() {
        let spec: &[(&str, &str, u16, &str, &[&str])] =
            &[("php_443", "php", 443, "tcp", &[]), ("php_443_udp", "php", 443, "udp", &[])];
        let (off, l) = cfg(Scheme::Offset, spec);
        let p = ports_for(&off, &l, 1).unwrap();
        assert_eq!((p["php_443"], p["php_443_udp"]), (10453, 10453));
        assert_eq!(ports_for(&off, &l, 0).unwrap()["php_443_udp"], 443);
        let (block, l) = cfg(Scheme::Block, spec);
        let p = ports_for(&block, &l, 1).unwrap();
        assert_eq!((p["php_443"], p["php_443_udp"]), (20020, 20020));
    }

    /// Every base port maps to a usable port in every slot of 1..slots, with the defaults.
    #[test]
    fn every_base_port_is_usable_in_every_preferred_slot() {
        for base in [1u16, 21, 53, 80, 81, 443, 1023, 1024, 3001, 5432, 6379, 8080, 11434, 51820] {
            let (off, l) = cfg(Scheme::Offset, &[("k", "s", base, "tcp", &[])]);
            for slot in 1..off.slots {
                let port = ports_for(&off, &l, slot).unwrap()["k"];
                assert!(port >= 1024 && port != base, "base {base} slot {slot}: {port}");
            }
        }
    }

    #[test]
    fn a_stride_too_large_leaves_no_slot() {
        let (mut off, l) = cfg(Scheme::Offset, SEED);
        off.stride = 60_000;
        assert_eq!(last_slot(&off, &l), 0);
        assert!(lane_ports(&off, &l, 1).is_none());
    }

    #[test]
    fn preferred_slot_is_stable_and_in_range() {
        let a = preferred_slot("/r", "feature", 500);
        assert_eq!(a, preferred_slot("/r", "feature", 500));
        assert!((1..500).contains(&a));
        for i in 0..1000 {
            let s = preferred_slot("/r", &format!("b{i}"), 2);
            assert_eq!(s, 1);
        }
    }
}
