//! Port leases: one (port, protocol) per key of a worktree. Keys of one worktree may share a
//! number (`443/tcp` + `443/udp`, services in disjoint profiles); across worktrees a (port,
//! protocol) has one holder, enforced by the schema's triggers. Every check here is one indexed
//! lookup, so an allocation costs the same however many worktrees the registry holds.

use crate::protocol::Protocol;
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::{params, Connection, OptionalExtension as _};

/// One key's leased host port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub key: String,
    pub port: u16,
    /// The protocol it holds the port for; `None` for a lease from before protocols were
    /// recorded (`any` in the database), which holds the number for every protocol.
    pub protocol: Option<Protocol>,
}

impl Lease {
    /// Whether the lease holds its port for `protocol`.
    pub fn covers(&self, protocol: Protocol) -> bool {
        self.protocol.is_none_or(|p| p == protocol)
    }
}

/// How a lease's protocol is written in the database.
fn stored(protocol: Option<Protocol>) -> &'static str {
    protocol.map_or(ANY, Protocol::as_str)
}

/// A lease's protocol as the database holds it.
fn read_protocol(text: String) -> rusqlite::Result<Option<Protocol>> {
    if text == ANY {
        return Ok(None);
    }
    Protocol::parse(&text).map(Some).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            2,
            rusqlite::types::Type::Text,
            format!("protocol {text:?}").into(),
        )
    })
}

const ANY: &str = "any";

/// Records the leases of worktree `id`, inside the caller's transaction.
pub fn insert_leases(conn: &Connection, id: i64, leases: &[Lease]) -> Result<()> {
    let mut insert =
        conn.prepare_cached("INSERT INTO leases (worktree_id, key, port, protocol) VALUES (?1, ?2, ?3, ?4)")?;
    for lease in leases {
        insert.execute(params![id, lease.key, lease.port, stored(lease.protocol)])?;
    }
    Ok(())
}

/// The leased port of each key of worktree `id`, in the order they were recorded.
pub fn ports_of(conn: &Connection, id: i64) -> Result<IndexMap<String, u16>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, port FROM leases WHERE worktree_id = ?1 ORDER BY rowid")?;
    let leases = stmt.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?)))?;
    Ok(leases.collect::<rusqlite::Result<IndexMap<_, _>>>()?)
}

/// Every lease of worktree `id`, with its protocol, in the order they were recorded.
pub fn leases_of(conn: &Connection, id: i64) -> Result<Vec<Lease>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, port, protocol FROM leases WHERE worktree_id = ?1 ORDER BY rowid")?;
    let leases = stmt.query_map([id], |r| {
        Ok(Lease { key: r.get(0)?, port: r.get(1)?, protocol: read_protocol(r.get(2)?)? })
    })?;
    Ok(leases.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Releases the lease of `key` held by worktree `id`, inside the caller's transaction.
pub fn release_lease(conn: &Connection, id: i64, key: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM leases WHERE worktree_id = ?1 AND key = ?2")?
        .execute(params![id, key])?;
    Ok(())
}

/// The worktree holding `port` for `protocol` on the engine `engine_id` ('' the local one), if
/// any (a lease from before protocols were recorded holds the number for every protocol).
pub fn lease_holder(
    conn: &Connection,
    engine_id: &str,
    port: u16,
    protocol: Protocol,
) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.worktree_id FROM leases l JOIN worktrees w ON w.id = l.worktree_id
          WHERE l.port = ?1 AND (l.protocol = ?2 OR l.protocol = 'any') AND w.engine_id = ?3 LIMIT 1",
    )?;
    Ok(stmt.query_row(params![port, protocol.as_str(), engine_id], |r| r.get(0)).optional()?)
}

/// Records that a worktree of repository `repo_id` was added on the remote engine `spec`.
pub fn record_engine_used(conn: &Connection, repo_id: i64, spec: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO engines_used (repo_id, spec) VALUES (?1, ?2)")?
        .execute(params![repo_id, spec])?;
    Ok(())
}

/// Forgets that repository `repo_id` used the engine `spec`.
pub fn forget_engine_used(conn: &Connection, repo_id: i64, spec: &str) -> Result<()> {
    conn.prepare_cached("DELETE FROM engines_used WHERE repo_id = ?1 AND spec = ?2")?
        .execute(params![repo_id, spec])?;
    Ok(())
}

/// The remote engines worktrees of repository `repo_id` were ever added on.
pub fn engines_used(conn: &Connection, repo_id: i64) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached("SELECT spec FROM engines_used WHERE repo_id = ?1 ORDER BY spec")?;
    let rows = stmt.query_map([repo_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The engine ID worktree `id` runs on ('' for the local engine, or no such worktree).
pub fn engine_id_of(conn: &Connection, id: i64) -> Result<String> {
    let mut stmt = conn.prepare_cached("SELECT engine_id FROM worktrees WHERE id = ?1")?;
    Ok(stmt.query_row([id], |r| r.get(0)).optional()?.unwrap_or_default())
}

/// Every (port, protocol) leased on any remote engine: what this state's claims on an engine
/// are checked against, since one engine may be named by two addresses (an IP and a name, tcp
/// and ssh) that key their leases apart.
pub fn leases_on_remote_engines(conn: &Connection) -> Result<Vec<(u16, Option<Protocol>)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT l.port, l.protocol FROM leases l JOIN worktrees w ON w.id = l.worktree_id
          WHERE w.engine_id <> ''",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, read_protocol(r.get(1)?)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Whether `port` is the main checkout's port of any repository's key.
pub fn is_base_port(conn: &Connection, port: u16) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM base_ports WHERE port = ?1)")?;
    Ok(stmt.query_row([port], |r| r.get(0))?)
}

/// Whether a worktree of repository `repo_id` holds `slot`.
pub fn slot_taken(conn: &Connection, repo_id: i64, slot: u32) -> Result<bool> {
    let mut stmt =
        conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM worktrees WHERE repo_id = ?1 AND slot = ?2)")?;
    Ok(stmt.query_row(params![repo_id, slot], |r| r.get(0))?)
}

/// The lowest slot ≥ `from` that no worktree of repository `repo_id` holds: `from` itself, or
/// the slot just above one that is held — found by the (repo_id, slot) index inside SQLite, not
/// by asking slot after slot.
pub fn next_free_slot(conn: &Connection, repo_id: i64, from: u32) -> Result<u32> {
    let mut stmt = conn.prepare_cached(
        "SELECT MIN(c) FROM (SELECT ?2 AS c UNION ALL
                             SELECT slot + 1 FROM worktrees WHERE repo_id = ?1 AND slot >= ?2)
          WHERE NOT EXISTS (SELECT 1 FROM worktrees w WHERE w.repo_id = ?1 AND w.slot = c)",
    )?;
    Ok(stmt.query_row(params![repo_id, from], |r| r.get(0))?)
}

/// How many worktrees of repository `repo_id` hold a slot in `first..=last`.
pub fn slots_taken_between(conn: &Connection, repo_id: i64, first: u32, last: u32) -> Result<u32> {
    let mut stmt =
        conn.prepare_cached("SELECT COUNT(*) FROM worktrees WHERE repo_id = ?1 AND slot BETWEEN ?2 AND ?3")?;
    Ok(stmt.query_row(params![repo_id, first, last], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(key: &str, port: u16, protocol: &str) -> Lease {
        Lease { key: key.into(), port, protocol: Protocol::parse(protocol) }
    }

    #[test]
    fn a_port_has_one_holder_per_engine() {
        let dir = tempfile::tempdir().unwrap();
        let mut st = crate::state::State::open(dir.path()).unwrap();
        let tx = st.immediate().unwrap();
        let repo = crate::state::ensure_repository(&tx, dir.path(), "p", &[]).unwrap();
        let row = |branch: &str, slot: u32, engine_id: &'static str| {
            let path = dir.path().join(branch);
            let new = crate::state::NewRow {
                engine: (!engine_id.is_empty()).then_some("tcp://10.0.0.5:2375"),
                engine_id,
                ..crate::state::NewRow::for_test(repo.id, branch, &path, slot)
            };
            crate::state::WorktreeRow::insert(&tx, &new, &[lease("web", 10080, "tcp")])
        };
        let local = row("a", 1, "").unwrap();
        let remote = row("b", 2, "ENGINE-B").unwrap();
        assert!(row("c", 3, "ENGINE-B").is_err(), "one holder on one engine");
        assert!(row("d", 4, "").is_err(), "and on the local one");
        assert_eq!(lease_holder(&tx, "", 10080, Protocol::Tcp).unwrap(), Some(local));
        assert_eq!(lease_holder(&tx, "ENGINE-B", 10080, Protocol::Tcp).unwrap(), Some(remote));
        assert_eq!(leases_on_remote_engines(&tx).unwrap(), [(10080, Some(Protocol::Tcp))]);
        let moved = tx.execute("UPDATE worktrees SET engine_id = '' WHERE id = ?1", [remote]);
        assert!(moved.is_err(), "a worktree stays on its engine");
    }

    #[test]
    fn a_port_and_protocol_has_one_holder_across_worktrees() {
        let dir = tempfile::tempdir().unwrap();
        let mut st = crate::state::State::open(dir.path()).unwrap();
        let tx = st.immediate().unwrap();
        let repo = crate::state::ensure_repository(&tx, dir.path(), "p", &[("web".into(), 443)]).unwrap();
        let row = |branch: &str, slot: u32, leases: &[Lease]| {
            let path = dir.path().join(branch);
            crate::state::WorktreeRow::insert(
                &tx,
                &crate::state::NewRow::for_test(repo.id, branch, &path, slot),
                leases,
            )
        };
        // one worktree: 443/tcp and 443/udp, and two keys in disjoint profiles, on one number
        let a = row(
            "a",
            1,
            &[lease("web", 10453, "tcp"), lease("web_udp", 10453, "udp"), lease("gpu", 10453, "udp")],
        )
        .unwrap();
        assert_eq!(lease_holder(&tx, "", 10453, Protocol::Udp).unwrap(), Some(a));
        assert_eq!(lease_holder(&tx, "", 10453, Protocol::Sctp).unwrap(), None);
        assert_eq!(ports_of(&tx, a).unwrap().keys().collect::<Vec<_>>(), ["web", "web_udp", "gpu"]);
        // another worktree may take the number only on another protocol
        let err = row("b", 2, &[lease("web", 10453, "tcp")]).unwrap_err();
        assert!(format!("{err:#}").contains("already leased"), "{err:#}");
        row("c", 3, &[lease("web", 10453, "sctp")]).unwrap();
        assert!(slot_taken(&tx, repo.id, 3).unwrap() && !slot_taken(&tx, repo.id, 4).unwrap());
        // slots 1, 2 (b's row, its lease refused) and 3 are held
        assert_eq!(
            [next_free_slot(&tx, repo.id, 1).unwrap(), next_free_slot(&tx, repo.id, 3).unwrap()],
            [4, 4]
        );
        assert_eq!(next_free_slot(&tx, repo.id, 9).unwrap(), 9);
        assert_eq!(slots_taken_between(&tx, repo.id, 2, 9).unwrap(), 2);
        assert!(is_base_port(&tx, 443).unwrap() && !is_base_port(&tx, 10453).unwrap());
    }

    #[test]
    fn leases_from_before_protocols_hold_their_number_for_every_protocol() {
        use crate::migrate::{self, SqliteTarget};
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("s.db")).unwrap();
        let migrations = migrate::from_embedded(crate::state::schema::FILES).unwrap();
        migrate::up(&mut SqliteTarget::new(&mut conn), &migrations, Some(3), false).unwrap();
        conn.execute_batch(
            "INSERT INTO repositories (id, root, project) VALUES (1, '/r', 'r');
             INSERT INTO worktrees (id, repo_id, branch, path, project, slot) VALUES (7, 1, 'a', '/r-a', 'r-a', 1);
             INSERT INTO leases (port, worktree_id, key) VALUES (6389, 7, 'redis'), (5442, 7, 'postgres');",
        )
        .unwrap();
        migrate::up(&mut SqliteTarget::new(&mut conn), &migrations, None, false).unwrap();
        // the old table's rowid was the port, so that is the order the keys keep
        let ports: Vec<(String, u16)> = ports_of(&conn, 7).unwrap().into_iter().collect();
        assert_eq!(ports, [("postgres".to_string(), 5442), ("redis".to_string(), 6389)]);
        for protocol in [Protocol::Tcp, Protocol::Udp, Protocol::Sctp] {
            assert_eq!(lease_holder(&conn, "", 6389, protocol).unwrap(), Some(7), "{protocol}");
        }
        migrate::down(&mut SqliteTarget::new(&mut conn), &migrations, Some(3), false).unwrap();
        let port: u16 =
            conn.query_row("SELECT port FROM leases WHERE key = 'redis'", [], |r| r.get(0)).unwrap();
        assert_eq!(port, 6389);
    }
}
