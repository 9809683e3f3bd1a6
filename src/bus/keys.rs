//! Every key the bus writes, in one place, for both backends (the embedded bus stores rows under
//! the very same key strings).
//!
//! Keys follow the seed's conventions with the task id as a Redis Cluster hash tag (`{T}`), so a
//! task's keys share one slot and a Lua script may touch several of them. Lock keys put the
//! resource in the tag for the same reason (`lock:{R}` and `lock:{R}:released`). Ids are checked
//! before any key is built: no braces (they would break the tag), no whitespace or control
//! characters, not empty, at most [`MAX_ID_LEN`] bytes. No key can be built from an unchecked id.
//!
//! The operations that name more than one key, each kept in one slot by its shared tag (the
//! test `every_multi_key_operation_stays_in_one_slot` checks each on a cluster's slot function):
//! the report script (`result` + `results_index` of one task), the lock release script (`lock` +
//! `lock_released` of one resource). Everything else names one key per command: the stream
//! appends (`XADD` + `PEXPIRE` of the same key in one `MULTI`), `SET`/`GET`, `XREAD` of one stream.
//!
//! Every key written gets a TTL: [`DEFAULT_TTL`] unless the caller gives one (context values,
//! locks). Streams are capped: signals at [`SIGNAL_HISTORY`] entries, events at [`EVENT_HISTORY`].

use std::time::Duration;

use super::error::{BusError, Result};

/// The TTL of every key the caller gives no TTL for.
pub const DEFAULT_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// Entries kept per signal channel (approximate trim, like Redis's `MAXLEN ~`).
pub const SIGNAL_HISTORY: usize = 1_000;
/// Entries kept per task's event stream.
pub const EVENT_HISTORY: usize = 10_000;
/// Entries kept per lock's release-notification stream.
pub const RELEASE_HISTORY: usize = 100;
/// The longest id accepted.
pub const MAX_ID_LEN: usize = 200;

/// Checks that `value` can be part of a key; `what` names it in the error ("task id", ...).
pub fn check(what: &'static str, value: &str) -> Result<()> {
    let reason = if value.is_empty() {
        "must not be empty"
    } else if value.len() > MAX_ID_LEN {
        "is longer than 200 bytes"
    } else if value.contains(['{', '}']) {
        "must not contain '{' or '}'"
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "must not contain whitespace or control characters"
    } else {
        return Ok(());
    };
    Err(BusError::InvalidName { what, value: value.to_string(), reason })
}

/// A signal channel. The loop's well-known channels keep the seed's key names; `agent:A` is an
/// agent's own channel; anything else is a named channel of the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel<'a> {
    Loop3Complete,
    Loop2Start,
    Decision,
    Agent(&'a str),
    Named(&'a str),
}

impl<'a> Channel<'a> {
    /// Reads a channel name as given on the command line.
    pub fn parse(name: &'a str) -> Result<Channel<'a>> {
        let channel = match name {
            "loop3:complete" => Channel::Loop3Complete,
            "loop2:start" => Channel::Loop2Start,
            "decision" => Channel::Decision,
            _ => match name.strip_prefix("agent:") {
                Some(agent) => Channel::Agent(agent),
                None => Channel::Named(name),
            },
        };
        match channel {
            Channel::Agent(agent) => check("agent id", agent)?,
            Channel::Named(name) => check("channel", name)?,
            _ => {}
        }
        Ok(channel)
    }
}

/// The stream of a signal channel: `coord:{T}:loop3:complete`, `coord:{T}:loop2:start`,
/// `coord:{T}:decision`, `swarm:{T}:signal:{A}` or `coord:{T}:signal:{C}`.
pub fn signal(task: &str, channel: &str) -> Result<String> {
    check("task id", task)?;
    Ok(match Channel::parse(channel)? {
        Channel::Loop3Complete => format!("coord:{{{task}}}:loop3:complete"),
        Channel::Loop2Start => format!("coord:{{{task}}}:loop2:start"),
        Channel::Decision => format!("coord:{{{task}}}:decision"),
        Channel::Agent(agent) => format!("swarm:{{{task}}}:signal:{agent}"),
        Channel::Named(name) => format!("coord:{{{task}}}:signal:{name}"),
    })
}

/// An agent's reports, one hash field per iteration: `swarm:{T}:result:{A}`.
pub fn result(task: &str, agent: &str) -> Result<String> {
    check("task id", task)?;
    check("agent id", agent)?;
    Ok(format!("swarm:{{{task}}}:result:{agent}"))
}

/// The index of an iteration's reports, one stream entry per distinct agent, in arrival order:
/// `swarm:{T}:results:{N}`.
pub fn results_index(task: &str, iteration: u32) -> Result<String> {
    check("task id", task)?;
    Ok(format!("swarm:{{{task}}}:results:{iteration}"))
}

/// A context value: `context:{T}:{key}`.
pub fn context(task: &str, key: &str) -> Result<String> {
    check("task id", task)?;
    check("context key", key)?;
    Ok(format!("context:{{{task}}}:{key}"))
}

/// A token lock: `lock:{R}`.
pub fn lock(resource: &str) -> Result<String> {
    check("lock resource", resource)?;
    Ok(format!("lock:{{{resource}}}"))
}

/// The stream a lock's holder appends to on release, which waiters block on: `lock:{R}:released`.
pub fn lock_released(resource: &str) -> Result<String> {
    check("lock resource", resource)?;
    Ok(format!("lock:{{{resource}}}:released"))
}

/// A task's event stream: `events:{T}`.
pub fn events(task: &str) -> Result<String> {
    check("task id", task)?;
    Ok(format!("events:{{{task}}}"))
}

/// A TTL in whole milliseconds, refusing zero (a key without life) and absurd values.
pub fn ttl_ms(what: &'static str, ttl: Duration) -> Result<u64> {
    let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return Err(BusError::invalid(what, "must be at least 1 ms"));
    }
    if ms > 365 * 24 * 3_600_000 {
        return Err(BusError::invalid(what, "must be at most a year"));
    }
    Ok(ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_seed_conventions_with_a_hash_tag() -> Result<()> {
        assert_eq!(signal("t1", "loop3:complete")?, "coord:{t1}:loop3:complete");
        assert_eq!(signal("t1", "loop2:start")?, "coord:{t1}:loop2:start");
        assert_eq!(signal("t1", "decision")?, "coord:{t1}:decision");
        assert_eq!(signal("t1", "agent:coder-1")?, "swarm:{t1}:signal:coder-1");
        assert_eq!(signal("t1", "review")?, "coord:{t1}:signal:review");
        assert_eq!(result("t1", "coder-1")?, "swarm:{t1}:result:coder-1");
        assert_eq!(results_index("t1", 3)?, "swarm:{t1}:results:3");
        assert_eq!(context("t1", "feedback:2")?, "context:{t1}:feedback:2");
        assert_eq!(lock("migrate")?, "lock:{migrate}");
        assert_eq!(lock_released("migrate")?, "lock:{migrate}:released");
        assert_eq!(events("t1")?, "events:{t1}");
        Ok(())
    }

    #[test]
    fn bad_ids_are_refused_with_a_clear_message() {
        for bad in ["", "a b", "a{b", "x}", "tab\there", "new\nline"] {
            let err = context(bad, "k").err().map(|e| e.to_string());
            assert!(err.as_deref().is_some_and(|m| m.starts_with("invalid task id")), "{bad:?}: {err:?}");
        }
        let long = "x".repeat(MAX_ID_LEN + 1);
        assert!(lock(&long).is_err());
        assert!(signal("t", "agent:").is_err());
        assert!(signal("t", "agent:a b").is_err());
        let msg = lock("").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(msg, "invalid lock resource \"\": must not be empty");
    }

    /// Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag, modulo 16384.
    fn slot(key: &str) -> u16 {
        let bytes = key.as_bytes();
        let tagged = key.find('{').and_then(|open| {
            let close = key[open + 1..].find('}')? + open + 1;
            (close > open + 1).then(|| &bytes[open + 1..close])
        });
        let mut crc: u16 = 0;
        for &b in tagged.unwrap_or(bytes) {
            crc ^= u16::from(b) << 8;
            for _ in 0..8 {
                crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
            }
        }
        crc % 16_384
    }

    #[test]
    fn the_slot_function_matches_redis() {
        // Values from the Redis Cluster specification (CRC16 of "123456789" is 0x31C3) and
        // `CLUSTER KEYSLOT`.
        assert_eq!(slot("123456789"), 0x31C3);
        assert_eq!(slot("foo"), 12_182);
        assert_eq!(slot("{user1000}.following"), slot("{user1000}.followers"));
        assert_eq!(slot("foo{}{bar}"), slot("foo{}{bar}"), "an empty tag hashes the whole key");
        assert_ne!(slot("foo{}{bar}"), slot("bar"));
    }

    #[test]
    fn every_multi_key_operation_stays_in_one_slot() -> Result<()> {
        for task in ["t1", "epic-42", "a.b_c:d", "x"] {
            // The report script: the agent's result hash and the iteration's index.
            let report = [result(task, "coder-1")?, result(task, "reviewer")?, results_index(task, 7)?];
            // Every key of one task, as one Lua script or `MULTI` could name them.
            let task_keys = [
                signal(task, "loop3:complete")?,
                signal(task, "agent:coder-1")?,
                signal(task, "review")?,
                context(task, "feedback:2")?,
                events(task)?,
            ];
            let first = slot(&report[0]);
            for key in report.iter().chain(&task_keys) {
                assert_eq!(slot(key), first, "{key} is outside the slot of task {task}");
            }
        }
        for resource in ["migrate", "db:main"] {
            // The release script: the lock and its release stream.
            assert_eq!(slot(&lock(resource)?), slot(&lock_released(resource)?), "{resource}");
        }
        Ok(())
    }

    #[test]
    fn zero_ttl_is_refused() {
        assert!(ttl_ms("ttl", Duration::ZERO).is_err());
        assert!(matches!(ttl_ms("ttl", Duration::from_micros(1500)), Ok(1)));
    }
}
