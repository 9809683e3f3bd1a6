//! The coordinator's side of kill requests (`control.rs`): while a phase's agents run, the
//! state database's `PRAGMA data_version` (one integer, changed by any other connection's
//! commit) is read every 250 ms, and only when it moved are the run's pending kills read. An
//! agent asked to be killed is killed with its whole process group (only if it is still the
//! process that was started) or its container removed; its turn then ends as any killed agent's
//! does — without a report, so it counts as not reporting — and its `agent` event says
//! `state: "killed", by: "user"`.

use super::control;
use super::phase::RunContext;
use crate::agents::Started;
use anyhow::Result;
use rusqlite::{params, Connection};
use std::future::Future;
use std::time::Duration;

/// How often the database's version is read.
pub const WATCH_EVERY: Duration = Duration::from_millis(250);

/// The state database's version as this connection sees it.
pub fn data_version(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
}

/// Runs `work` (a phase's agents) while answering the run's kill requests of iteration `it`.
pub async fn while_watching<T>(
    conn: &Connection,
    rc: &RunContext,
    it: u32,
    work: impl Future<Output = T>,
) -> T {
    let watch = async {
        // Requests made before the phase started are read at once.
        let mut seen = None;
        loop {
            tokio::time::sleep(WATCH_EVERY).await;
            let now = data_version(conn);
            if now != seen {
                seen = now;
                // A request that cannot be read now is read at the next change.
                let _ = kill_requested(conn, rc, it).await;
            }
        }
    };
    tokio::pin!(work);
    tokio::select! {
        out = &mut work => out,
        never = watch => never,
    }
}

/// Kills the agents asked for that run in iteration `it`; answers every kill request.
async fn kill_requested(conn: &Connection, rc: &RunContext, it: u32) -> Result<()> {
    for request in control::pending(conn, &rc.task, "kill")? {
        let agent = request.agent.clone().unwrap_or_default();
        let killed = match running_when_asked(conn, &rc.task, it, &agent, request.id)? {
            Some(Started::Process { pid, start_time }) if crate::process::still_running(pid, start_time) => {
                crate::process::kill_group(pid);
                true
            }
            Some(Started::Container { id }) if !id.is_empty() => {
                super::leftovers::remove_container(rc, &id).await
            }
            _ => false,
        };
        control::handled(conn, request.id, if killed { "killed" } else { "not running" }, it)?;
    }
    Ok(())
}

/// How agent `agent`'s turn of iteration `it` runs, if it does and started before request `id`
/// was made: a request left from an earlier turn never kills a later one.
fn running_when_asked(
    conn: &Connection,
    task: &str,
    it: u32,
    agent: &str,
    id: i64,
) -> Result<Option<Started>> {
    let mut stmt = conn.prepare(
        "SELECT pid, pid_started, container FROM loop_turns
         WHERE task_id = ?1 AND iteration = ?2 AND agent = ?3 AND turn IS NULL
         AND started_at <= (SELECT requested_at FROM loop_controls WHERE id = ?4)",
    )?;
    let found = stmt
        .query_map(params![task, it, agent, id], |r| {
            let (pid, start, container): (Option<u32>, Option<i64>, Option<String>) =
                (r.get(0)?, r.get(1)?, r.get(2)?);
            Ok(match (pid, start, container) {
                (Some(pid), Some(start), _) => Some(Started::Process { pid, start_time: start as u64 }),
                (_, _, Some(id)) => Some(Started::Container { id }),
                _ => None,
            })
        })?
        .next()
        .transpose()?;
    Ok(found.flatten())
}

/// Answers kill requests while no agent runs (the run waits for a person's decision).
pub fn no_agent_running(conn: &Connection, task: &str, it: u32) -> Result<()> {
    for request in control::pending(conn, task, "kill")? {
        control::handled(conn, request.id, "not running", it)?;
    }
    Ok(())
}
