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
}
