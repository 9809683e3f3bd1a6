//! A cheap fingerprint of what the worktree listing is made from (repositories, worktrees and
//! their port leases): the database watcher lists the worktrees again — opening every
//! repository, the costly part — only when it moved, not on every loop event a run records.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// The tables a worktree listing reads, in full (a few rows per worktree).
const TABLES: &[&str] = &["repositories", "worktrees", "leases", "base_ports"];

/// Every row of those tables as text; `None` when one cannot be read (the listing then runs).
pub fn of_registry(conn: &Connection) -> Option<String> {
    let mut out = String::new();
    for table in TABLES {
        // Names from the constant above, never from data.
        let mut stmt = conn.prepare_cached(&format!("SELECT * FROM {table} ORDER BY rowid")).ok()?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).ok()?;
        out.push_str(table);
        while let Some(row) = rows.next().ok()? {
            for i in 0..columns {
                match row.get_ref(i).ok()? {
                    ValueRef::Null => out.push('~'),
                    ValueRef::Integer(n) => out.push_str(&n.to_string()),
                    ValueRef::Real(f) => out.push_str(&f.to_string()),
                    ValueRef::Text(t) | ValueRef::Blob(t) => out.push_str(&String::from_utf8_lossy(t)),
                }
                out.push('\u{1f}');
            }
            out.push('\u{1e}');
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_with_the_registry_and_not_with_loop_events() {
        let home = tempfile::tempdir().unwrap();
        let state = crate::state::State::open(home.path()).unwrap();
        let before = of_registry(state.conn()).expect("the tables exist");
        state
            .conn()
            .execute(
                "INSERT INTO loop_runs (task_id, branch, epic, mode, bus) VALUES ('t', 'main', 'e', 'single', 'embedded')",
                [],
            )
            .unwrap();
        assert_eq!(of_registry(state.conn()).unwrap(), before, "a loop run is not the registry");
        let cols: Vec<String> = state
            .conn()
            .prepare("SELECT name FROM pragma_table_info('repositories') WHERE \"notnull\" = 1 AND dflt_value IS NULL AND pk = 0")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let sql = format!(
            "INSERT INTO repositories ({}) VALUES ({})",
            cols.join(", "),
            cols.iter().enumerate().map(|(i, _)| format!("'v{i}'")).collect::<Vec<_>>().join(", ")
        );
        state.conn().execute(&sql, []).unwrap();
        assert_ne!(of_registry(state.conn()).unwrap(), before, "a repository registered moves it");
    }
}
