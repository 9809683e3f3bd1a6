//! A run's status: `running` while it goes, then how it ended. The same lower-case words are
//! stored in the state database (`loop_runs.status`, whose CHECK lists them) and shown in JSON.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    /// The product owner decided PROCEED (the only success).
    Proceed,
    /// The product owner decided ABORT.
    Abort,
    /// The iterations ran out without PROCEED.
    Exhausted,
    /// The run itself failed (the bus died, an error).
    Failed,
    /// A budget of `[loop]` (wall time, tokens, cost) was exceeded.
    Budget,
    /// An iteration reverted most of the previous one: cfn decided ESCALATE.
    Escalate,
    /// The coordinator died (killed, crashed) or the bus was gone past its deadline: `cfn loop
    /// resume` continues it. Stored when cfn saw it happen; shown for a `running` run whose
    /// coordinator is no longer alive.
    Interrupted,
    /// Running, and waiting for a person's decision (`loop_runs.waiting`); shown, never stored.
    Waiting,
}

impl RunStatus {
    /// The statuses stored in `loop_runs.status` (`Waiting` is shown, never stored).
    pub const ALL: [RunStatus; 8] = [
        RunStatus::Running,
        RunStatus::Proceed,
        RunStatus::Abort,
        RunStatus::Exhausted,
        RunStatus::Failed,
        RunStatus::Budget,
        RunStatus::Escalate,
        RunStatus::Interrupted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Proceed => "proceed",
            RunStatus::Abort => "abort",
            RunStatus::Exhausted => "exhausted",
            RunStatus::Failed => "failed",
            RunStatus::Budget => "budget",
            RunStatus::Escalate => "escalate",
            RunStatus::Interrupted => "interrupted",
            RunStatus::Waiting => "waiting",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ToSql for RunStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for RunStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let text = value.as_str()?;
        RunStatus::parse(text)
            .ok_or_else(|| FromSqlError::Other(format!("unknown loop status {text:?}").into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_and_the_database_use_the_same_words() {
        for status in RunStatus::ALL.into_iter().chain([RunStatus::Waiting]) {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for status in RunStatus::ALL {
            assert_eq!(RunStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RunStatus::parse("PROCEED"), None);
    }

    #[test]
    fn the_schema_accepts_every_status_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::state::State::open(dir.path()).unwrap();
        let conn = state.conn();
        for status in RunStatus::ALL {
            conn.execute(
                "INSERT INTO loop_runs (task_id, epic, mode, bus, status) VALUES (?1, 'e', 'mvp', 'b', ?2)",
                rusqlite::params![status.as_str(), status],
            )
            .unwrap();
            let back: RunStatus = conn
                .query_row("SELECT status FROM loop_runs WHERE task_id = ?1", [status.as_str()], |r| r.get(0))
                .unwrap();
            assert_eq!(back, status);
        }
        let bad = conn.execute(
            "INSERT INTO loop_runs (task_id, epic, mode, bus, status) VALUES ('x', 'e', 'mvp', 'b', 'done')",
            [],
        );
        assert!(bad.is_err());
    }
}
