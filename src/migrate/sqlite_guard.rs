//! Fencing a branch's SQLite connection in. A project's migrations run inside cfn's own
//! process, so their SQL must reach the branch's database file and nothing else: no `ATTACH`
//! (which would open any file, cfn's state database among them), no `DETACH`, no `VACUUM INTO`
//! (a copy written anywhere), no extension loading (native code in cfn's process).
//!
//! An authorizer refuses those statements when they are prepared; plain `VACUUM` still works
//! (SQLite attaches an unnamed temporary database for it, the one attachment allowed). The
//! attached-database limit is 1 for the same reason. Extension loading stays disabled as
//! rusqlite leaves it, and the `load_extension()` SQL function is refused besides.

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::Connection;

/// Installs the fence on a connection to a branch's database.
pub fn fence(conn: &mut Connection) -> rusqlite::Result<()> {
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 1)?;
    conn.authorizer(Some(authorize))?;
    Ok(())
}

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        // `VACUUM` attaches "" (a private temporary database); `VACUUM INTO 'x'` attaches x.
        AuthAction::Attach { filename: "" } => Authorization::Allow,
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => Authorization::Deny,
        AuthAction::Function { function_name } if function_name.eq_ignore_ascii_case("load_extension") => {
            Authorization::Deny
        }
        // An action rusqlite cannot name (an ATTACH of a computed file name arrives so) is refused.
        AuthAction::Unknown { .. } => Authorization::Deny,
        _ => Authorization::Allow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fenced(dir: &std::path::Path) -> Connection {
        let mut conn = Connection::open(dir.join("branch.db")).unwrap();
        fence(&mut conn).unwrap();
        conn.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);").unwrap();
        conn
    }

    fn refused(conn: &Connection, sql: &str) -> String {
        let err = conn.execute_batch(sql).expect_err(sql);
        err.to_string()
    }

    #[test]
    fn attach_of_another_file_is_refused_and_that_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("state.db");
        Connection::open(&other).unwrap().execute_batch("CREATE TABLE secrets (v); ").unwrap();
        let conn = fenced(dir.path());
        let sql = format!("ATTACH '{}' AS s; INSERT INTO s.secrets VALUES (1);", other.display());
        assert!(refused(&conn, &sql).contains("not authorized"));
        let computed = format!("ATTACH ('{}' || '') AS s;", other.display());
        assert!(refused(&conn, &computed).contains("not authorized"));
        let rows: i64 = Connection::open(&other)
            .unwrap()
            .query_row("SELECT count(*) FROM secrets", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0);
    }

    #[test]
    fn vacuum_into_and_load_extension_are_refused_plain_vacuum_works() {
        let dir = tempfile::tempdir().unwrap();
        let conn = fenced(dir.path());
        let copy = dir.path().join("copy.db");
        refused(&conn, &format!("VACUUM INTO '{}'", copy.display()));
        assert!(!copy.exists());
        assert!(refused(&conn, "SELECT load_extension('/nonexistent/lib')").contains("not authorized"));
        conn.execute_batch("VACUUM").unwrap();
        assert!(refused(&conn, "DETACH main").contains("not authorized"));
    }
}
