//! cfn's own schema: the files of `migrations/`, compiled in and applied on open.

use crate::migrate::{self, SqliteTarget};
use anyhow::Result;
use rusqlite::Connection;

/// Every file of `migrations/` (a test checks none is missing).
pub const FILES: &[(&str, &str)] = &[
    ("0001_state.up.sql", include_str!("../../migrations/0001_state.up.sql")),
    ("0001_state.down.sql", include_str!("../../migrations/0001_state.down.sql")),
    ("0002_loop.up.sql", include_str!("../../migrations/0002_loop.up.sql")),
    ("0002_loop.down.sql", include_str!("../../migrations/0002_loop.down.sql")),
    ("0003_hook_approvals.up.sql", include_str!("../../migrations/0003_hook_approvals.up.sql")),
    ("0003_hook_approvals.down.sql", include_str!("../../migrations/0003_hook_approvals.down.sql")),
    ("0004_tokens.up.sql", include_str!("../../migrations/0004_tokens.up.sql")),
    ("0004_tokens.down.sql", include_str!("../../migrations/0004_tokens.down.sql")),
    ("0005_lease_protocols.up.sql", include_str!("../../migrations/0005_lease_protocols.up.sql")),
    ("0005_lease_protocols.down.sql", include_str!("../../migrations/0005_lease_protocols.down.sql")),
    ("0006_operations.up.sql", include_str!("../../migrations/0006_operations.up.sql")),
    ("0006_operations.down.sql", include_str!("../../migrations/0006_operations.down.sql")),
    ("0007_repository_ids.up.sql", include_str!("../../migrations/0007_repository_ids.up.sql")),
    ("0007_repository_ids.down.sql", include_str!("../../migrations/0007_repository_ids.down.sql")),
    ("0008_registry_events.up.sql", include_str!("../../migrations/0008_registry_events.up.sql")),
    ("0008_registry_events.down.sql", include_str!("../../migrations/0008_registry_events.down.sql")),
    ("0009_loop_statuses.up.sql", include_str!("../../migrations/0009_loop_statuses.up.sql")),
    ("0009_loop_statuses.down.sql", include_str!("../../migrations/0009_loop_statuses.down.sql")),
    ("0010_loop_resume.up.sql", include_str!("../../migrations/0010_loop_resume.up.sql")),
    ("0010_loop_resume.down.sql", include_str!("../../migrations/0010_loop_resume.down.sql")),
    ("0011_skill_versions.up.sql", include_str!("../../migrations/0011_skill_versions.up.sql")),
    ("0011_skill_versions.down.sql", include_str!("../../migrations/0011_skill_versions.down.sql")),
    ("0012_loop_controls.up.sql", include_str!("../../migrations/0012_loop_controls.up.sql")),
    ("0012_loop_controls.down.sql", include_str!("../../migrations/0012_loop_controls.down.sql")),
    ("0013_engines.up.sql", include_str!("../../migrations/0013_engines.up.sql")),
    ("0013_engines.down.sql", include_str!("../../migrations/0013_engines.down.sql")),
];

/// Applies what is pending. The common case, nothing pending, costs one read and takes no lock.
pub fn apply(conn: &mut Connection) -> Result<()> {
    let migrations = migrate::from_embedded(FILES)?;
    let pending = migrate::status(&mut SqliteTarget::new(conn), &migrations)?
        .iter()
        .any(|row| row.state != migrate::State::Applied);
    if pending {
        migrate::up(&mut SqliteTarget::new(conn), &migrations, None, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::FILES;

    #[test]
    fn every_migration_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn schema_applies_and_reverts() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
        super::apply(&mut conn).unwrap();
        super::apply(&mut conn).unwrap();
        let migrations = crate::migrate::from_embedded(FILES).unwrap();
        let mut target = crate::migrate::SqliteTarget::new(&mut conn);
        crate::migrate::down(&mut target, &migrations, Some(0), false).unwrap();
    }

    /// 0009 rebuilds the loop tables: a run and its events recorded before it survive it
    /// (dropping the old runs table must cascade to nothing), in both directions.
    #[test]
    fn rebuilding_the_loop_tables_keeps_runs_and_events() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = rusqlite::Connection::open(dir.path().join("s.db")).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        let migrations = crate::migrate::from_embedded(FILES).unwrap();
        crate::migrate::up(&mut crate::migrate::SqliteTarget::new(&mut conn), &migrations, Some(8), false)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO loop_runs (task_id, epic, mode, bus, status) VALUES ('t', 'e', 'mvp', 'b', 'proceed');
             INSERT INTO loop_events (task_id, iteration, kind, data) VALUES ('t', 1, 'gate', '{}');",
        )
        .unwrap();
        let count = |conn: &rusqlite::Connection| -> i64 {
            conn.query_row("SELECT COUNT(*) FROM loop_events WHERE task_id = 't'", [], |r| r.get(0)).unwrap()
        };
        super::apply(&mut conn).unwrap();
        assert_eq!(count(&conn), 1);
        conn.execute("UPDATE loop_runs SET status = 'budget' WHERE task_id = 't'", []).unwrap();
        conn.execute("DELETE FROM loop_runs WHERE task_id = 't'", []).unwrap();
        assert_eq!(count(&conn), 0, "the events still cascade with their run");
        conn.execute_batch(
            "INSERT INTO loop_runs (task_id, epic, mode, bus, status) VALUES ('t', 'e', 'mvp', 'b', 'escalate');
             INSERT INTO loop_events (task_id, iteration, kind, data) VALUES ('t', 1, 'gate', '{}');",
        )
        .unwrap();
        crate::migrate::down(&mut crate::migrate::SqliteTarget::new(&mut conn), &migrations, Some(8), false)
            .unwrap();
        assert_eq!(count(&conn), 1);
        let status: String =
            conn.query_row("SELECT status FROM loop_runs WHERE task_id = 't'", [], |r| r.get(0)).unwrap();
        assert_eq!(status, "failed");
    }
}
