//! Whether the SQLite file at `$CFN_HOME/state.db` is cfn's. A valid database of another
//! program there must not be taken over (cfn adding its tables beside the program's): cfn marks
//! the databases it creates with its `PRAGMA application_id`, and a database that has tables
//! but neither that id nor cfn's schema is treated as damaged — moved aside, never changed. A
//! cfn database from before the id (id 0, cfn's tables) keeps working and gets the id.

use rusqlite::Connection;

/// `cfn!` in ASCII: the application id of every state database cfn creates.
pub const APPLICATION_ID: i32 = 0x6366_6e21;

/// The tables only cfn's state database has together (a project database that cfn migrates
/// has the first, never the second).
const CFN_TABLES: [&str; 2] = ["cfn_schema_migrations", "repositories"];

/// Opening found another program's database at the state database's path.
#[derive(Debug)]
pub struct ForeignDatabase;

impl std::fmt::Display for ForeignDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the file is another program's SQLite database, not cfn's")
    }
}

impl std::error::Error for ForeignDatabase {}

/// Whether the open database belongs to another program. Reads only: nothing is written to
/// a database that may not be cfn's.
pub fn is_foreign(conn: &Connection) -> rusqlite::Result<bool> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id == APPLICATION_ID {
        return Ok(false);
    }
    if id != 0 {
        return Ok(true);
    }
    let mut stmt =
        conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?;
    let tables = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(!tables.is_empty() && !CFN_TABLES.iter().all(|t| tables.iter().any(|n| n == t)))
}

/// Marks the database as cfn's (a new one, or one from before the id).
pub fn claim(conn: &Connection) -> rusqlite::Result<()> {
    let id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if id != APPLICATION_ID {
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::State;

    fn application_id(path: &std::path::Path) -> i32 {
        Connection::open(path).unwrap().query_row("PRAGMA application_id", [], |r| r.get(0)).unwrap()
    }

    #[test]
    fn another_programs_database_is_moved_aside_untouched() {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("state.db");
        Connection::open(&db)
            .unwrap()
            .execute_batch("CREATE TABLE foo (x); INSERT INTO foo VALUES (42);")
            .unwrap();
        let state = State::open(home.path()).unwrap();
        let foo: i64 = state
            .conn()
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'foo'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(foo, 0, "the new database is cfn's alone");
        drop(state);
        assert_eq!(application_id(&db), APPLICATION_ID);
        let aside: Vec<_> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("state.db.corrupt-"))
            .filter(|p| !p.to_string_lossy().ends_with("-wal") && !p.to_string_lossy().ends_with("-shm"))
            .collect();
        assert_eq!(aside.len(), 1, "{aside:?}");
        let old = Connection::open(&aside[0]).unwrap();
        let x: i64 = old.query_row("SELECT x FROM foo", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 42);
        let tables: i64 = old.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
        assert_eq!(tables, 1, "cfn added nothing to it");
    }

    #[test]
    fn a_cfn_database_from_before_the_id_is_kept_and_marked() {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("state.db");
        let state = State::open(home.path()).unwrap();
        state.conn().execute_batch("CREATE TABLE kept (x); PRAGMA application_id = 0;").unwrap();
        drop(state);
        assert_eq!(application_id(&db), 0);
        let state = State::open(home.path()).unwrap();
        let kept: i64 = state
            .conn()
            .query_row("SELECT count(*) FROM sqlite_master WHERE name = 'kept'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1, "the same database, not a new one");
        drop(state);
        assert_eq!(application_id(&db), APPLICATION_ID);
        let entries = std::fs::read_dir(home.path()).unwrap().map(|e| e.unwrap().file_name());
        assert!(entries.into_iter().all(|n| !n.to_string_lossy().contains("corrupt")));
    }

    #[test]
    fn a_database_with_another_id_is_foreign() {
        let conn = Connection::open_in_memory().unwrap();
        assert!(!is_foreign(&conn).unwrap(), "an empty database is free to take");
        conn.execute_batch("PRAGMA application_id = 7;").unwrap();
        assert!(is_foreign(&conn).unwrap());
        conn.execute_batch("PRAGMA application_id = 0; CREATE TABLE cfn_schema_migrations (v);").unwrap();
        assert!(is_foreign(&conn).unwrap(), "a project's migrated database is not the state database");
    }
}
