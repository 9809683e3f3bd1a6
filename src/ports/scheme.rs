//! From a slot to ports: the offset and block schemes, and the stable preferred slot.

use crate::config::{PortKeyConfig, PortsConfig, Scheme};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};

/// Lowest port handed to a branch: below it are privileged ports.
pub const MIN_PORT: u32 = 1024;
pub const MAX_PORT: u32 = 65535;

/// The port of key number `index` (base port `base`) in `slot`; `None` when outside 1024–65535.
pub fn port_for(cfg: &PortsConfig, slot: u32, index: usize, base: u16) -> Option<u16> {
    if slot == 0 {
        return Some(base);
    }
    let port = match cfg.scheme {
        Scheme::Offset => u64::from(base) + u64::from(slot) * u64::from(cfg.stride),
        Scheme::Block => {
            u64::from(cfg.block_start) + u64::from(slot) * u64::from(cfg.block_width) + index as u64
        }
    };
    (u64::from(MIN_PORT)..=u64::from(MAX_PORT)).contains(&port).then_some(port as u16)
}

/// Every key's port in `slot`, or `None` if one falls outside the allowed range.
pub fn ports_for(cfg: &PortsConfig, slot: u32) -> Option<IndexMap<String, u16>> {
    cfg.keys
        .iter()
        .enumerate()
        .map(|(i, (key, k)): (usize, (&String, &PortKeyConfig))| {
            port_for(cfg, slot, i, k.base).map(|p| (key.clone(), p))
        })
        .collect()
}

/// The highest slot whose ports all stay within 1024–65535 (at least 1).
pub fn last_slot(cfg: &PortsConfig) -> u32 {
    let limit = match cfg.scheme {
        Scheme::Offset => {
            let highest_base = cfg.keys.values().map(|k| u32::from(k.base)).max().unwrap_or(0);
            (MAX_PORT - highest_base.min(MAX_PORT)) / cfg.stride.max(1)
        }
        Scheme::Block => {
            let width = cfg.block_width.max(1);
            MAX_PORT.saturating_sub(cfg.block_start + cfg.keys.len() as u32) / width
        }
    };
    // Without port keys a slot is only a number; keep it within a sane range.
    if cfg.keys.is_empty() {
        9999
    } else {
        limit.max(1)
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
    use super::*;

    fn cfg(scheme: Scheme) -> PortsConfig {
        let mut c = PortsConfig { scheme, ..PortsConfig::default() };
        for (key, base) in [("redis", 6379), ("postgres", 5432)] {
            c.keys.insert(
                key.into(),
                PortKeyConfig { service: key.into(), target: base, protocol: "tcp".into(), base },
            );
        }
        c
    }

    #[test]
    fn offset_and_block() {
        let off = cfg(Scheme::Offset);
        assert_eq!(ports_for(&off, 0).unwrap()["redis"], 6379);
        assert_eq!(ports_for(&off, 3).unwrap()["redis"], 6409);
        let block = cfg(Scheme::Block);
        let p = ports_for(&block, 2).unwrap();
        assert_eq!((p["redis"], p["postgres"]), (20040, 20041));
        assert!(ports_for(&off, 6000).is_none(), "past 65535");
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
