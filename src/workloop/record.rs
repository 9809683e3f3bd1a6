//! What a run leaves behind: its row and events in the state database (read by
//! `cfn loop status` and `cfn loop list`), and the same events on the bus.

use super::status::RunStatus;
use crate::bus::Bus;
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;
use serde_json::Value;

/// What `cfn loop resume` needs besides the run's row to go on as `cfn loop run` started.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct StoredOptions {
    pub max_iterations: u32,
    pub high_complexity: bool,
    pub cost_sensitive: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn start_run(
    conn: &Connection,
    task: &str,
    repo_id: i64,
    branch: &str,
    epic: &str,
    mode: &str,
    bus: &str,
    options: &StoredOptions,
) -> Result<()> {
    conn.execute(
        "INSERT INTO loop_runs (task_id, repo_id, branch, epic, mode, bus, options)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![task, repo_id, branch, epic, mode, bus, serde_json::to_string(options)?],
    )?;
    claim(conn, task)
}

/// Records this process as the run's coordinator, the run as `running` again.
pub fn claim(conn: &Connection, task: &str) -> Result<()> {
    let (pid, started) = super::coordinator::me();
    conn.execute(
        "UPDATE loop_runs SET coordinator_pid = ?2, coordinator_started = ?3, status = 'running',
                reason = NULL, finished_at = NULL, waiting = NULL WHERE task_id = ?1",
        params![task, pid, started.map(|s| s as i64)],
    )?;
    Ok(())
}

/// The options a run was started with (`None` for a run recorded before cfn kept them).
pub fn stored_options(conn: &Connection, task: &str) -> Result<Option<StoredOptions>> {
    let text: Option<String> = conn
        .query_row("SELECT options FROM loop_runs WHERE task_id = ?1", [task], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(match text {
        Some(text) => Some(serde_json::from_str(&text)?),
        None => None,
    })
}

/// Seconds since the run started (for the wall-time budget of a resumed run).
pub fn seconds_since_start(conn: &Connection, task: &str) -> Result<f64> {
    Ok(conn.query_row(
        "SELECT (julianday('now') - julianday(started_at)) * 86400.0 FROM loop_runs WHERE task_id = ?1",
        [task],
        |r| r.get(0),
    )?)
}

pub fn finish_run(
    conn: &Connection,
    task: &str,
    status: RunStatus,
    reason: Option<&str>,
    iterations: u32,
) -> Result<()> {
    conn.execute(
        "UPDATE loop_runs SET status = ?2, reason = ?3, iterations = ?4,
                finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE task_id = ?1",
        params![task, status, reason, iterations],
    )?;
    // Nothing acts on what is still asked of a run that ended.
    super::control::close(conn, task)
}

/// Records an event in the state database and publishes it on the bus.
pub async fn event(
    conn: &Connection,
    bus: &Bus,
    task: &str,
    iteration: u32,
    kind: &str,
    data: Value,
) -> Result<()> {
    event_then(conn, bus, task, iteration, kind, data, |_| Ok(())).await
}

/// As [`event`], with `also` written in the same transaction as the event's row: both are
/// recorded or neither is.
pub async fn event_then(
    conn: &Connection,
    bus: &Bus,
    task: &str,
    iteration: u32,
    kind: &str,
    data: Value,
    also: impl FnOnce(&Connection) -> Result<()>,
) -> Result<()> {
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO loop_events (task_id, iteration, kind, data) VALUES (?1, ?2, ?3, ?4)",
        params![task, iteration, kind, data.to_string()],
    )?;
    also(&tx)?;
    tx.commit()?;
    let published = serde_json::json!({ "kind": kind, "iteration": iteration, "data": data });
    bus.publish_event(task, &published).await?;
    Ok(())
}

/// A validator's or the product owner's decision, for the approval history.
pub fn approval(
    conn: &Connection,
    task: &str,
    iteration: u32,
    agent: &str,
    decision: &str,
    confidence: f64,
    metadata: &Value,
) -> Result<()> {
    conn.execute(
        "INSERT INTO approval_history (agent, decision, confidence, metadata, task_id, iteration)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![agent, decision, confidence, metadata.to_string(), task, iteration],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub task_id: String,
    pub branch: Option<String>,
    pub epic: String,
    pub mode: String,
    pub bus: String,
    pub status: RunStatus,
    pub reason: Option<String>,
    pub iterations: u32,
    pub started_at: String,
    pub finished_at: Option<String>,
}

// A run still going has recorded no iteration count yet: its events say how far it is.
const RUN_COLUMNS: &str = "task_id, branch, epic, mode, bus, status, reason, \
     CASE WHEN status = 'running' THEN (SELECT COALESCE(MAX(e.iteration), 0) FROM loop_events e \
       WHERE e.task_id = loop_runs.task_id) ELSE iterations END, started_at, \
     finished_at, coordinator_pid, coordinator_started, waiting";

/// A run's row; `running` with its coordinator gone reads as `interrupted` (with the reason),
/// and with its coordinator waiting for a person's decision as `waiting`.
fn run_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<RunRow> {
    let mut status: RunStatus = r.get(5)?;
    let mut reason: Option<String> = r.get(6)?;
    let task_id: String = r.get(0)?;
    let coordinator: Option<u32> = r.get(10)?;
    if status == RunStatus::Running && super::coordinator::gone(coordinator, r.get(11)?) {
        status = RunStatus::Interrupted;
        reason = reason.or_else(|| Some(coordinator_died(&task_id, coordinator)));
    } else if status == RunStatus::Running && r.get::<_, Option<String>>(12)?.is_some() {
        status = RunStatus::Waiting;
    }
    Ok(RunRow {
        task_id,
        branch: r.get(1)?,
        epic: r.get(2)?,
        mode: r.get(3)?,
        bus: r.get(4)?,
        status,
        reason,
        iterations: r.get(7)?,
        started_at: r.get(8)?,
        finished_at: r.get(9)?,
    })
}

/// Why a run whose coordinator is gone stopped: it was killed or crashed (an ending it saw
/// would have recorded its own reason).
fn coordinator_died(task: &str, pid: Option<u32>) -> String {
    let who = pid.map_or_else(|| "its coordinator".to_string(), |pid| format!("its coordinator (pid {pid})"));
    format!("{who} ended without finishing the run (killed or crashed); `cfn loop resume {task}` goes on")
}

pub fn run_row(conn: &Connection, task: &str) -> Result<Option<RunRow>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM loop_runs WHERE task_id = ?1");
    Ok(conn.query_row(&sql, [task], run_from).optional()?)
}

pub fn list_runs(conn: &Connection) -> Result<Vec<RunRow>> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM loop_runs ORDER BY started_at DESC");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([], run_from)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// One recorded event of a run.
#[derive(Debug, Clone, Serialize)]
pub struct EventRow {
    pub id: i64,
    pub iteration: u32,
    pub kind: String,
    pub data: Value,
    pub at: String,
}

/// Events of a run after event id `after`, oldest first.
pub fn run_events(conn: &Connection, task: &str, after: i64) -> Result<Vec<EventRow>> {
    let mut stmt = conn.prepare(
        "SELECT id, iteration, kind, data, at FROM loop_events WHERE task_id = ?1 AND id > ?2 ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![task, after], |r| {
            let data: String = r.get(3)?;
            Ok(EventRow {
                id: r.get(0)?,
                iteration: r.get(1)?,
                kind: r.get(2)?,
                data: serde_json::from_str(&data).unwrap_or(Value::Null),
                at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
