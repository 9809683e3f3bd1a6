//! What a run has done, kept in the state database so that `cfn loop resume` does not do it
//! again: the result of every finished step of an iteration (`loop_steps`), and every agent
//! turn — how it was started (pid and start time, or container id) and, once it ended, its
//! outcome and verified report (`loop_turns`).
//!
//! A run is replayed step by step: a step whose result is recorded returns it without running
//! anything, so the iteration takes the same path as before, and the first step without one
//! runs for real. Within a phase, an agent whose turn ended is not run again: its report was
//! checked against its token when it ended, and that verdict is what is kept.
//!
//! Each step's end is a crash point (`CFN_CRASH_AT=loop:N`, numbered as [`STEPS`], from 1);
//! `loop:9` is reached once every agent of a phase is running.

use super::phase::AgentTurn;
use crate::agents::Started;
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// The steps of an iteration, in order; a step's crash point is its place here, from 1.
pub const STEPS: [&str; 8] =
    ["start", "implementers", "checks", "gate", "validators", "consensus", "product-owner", "decision"];

/// The crash point reached while every agent of a phase runs.
pub const AGENTS_RUNNING: u32 = 9;

/// The recorded result of `step` in iteration `it`, or runs `run`, records its result and
/// reaches the step's crash point.
pub async fn step<T, F, Fut>(conn: &Connection, task: &str, it: u32, step: &str, run: F) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let done: Option<String> = conn
        .query_row(
            "SELECT result FROM loop_steps WHERE task_id = ?1 AND iteration = ?2 AND step = ?3",
            params![task, it, step],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(done) = done {
        return Ok(serde_json::from_str(&done)?);
    }
    let value = run().await?;
    conn.execute(
        "INSERT INTO loop_steps (task_id, iteration, step, result) VALUES (?1, ?2, ?3, ?4)",
        params![task, it, step, serde_json::to_string(&value)?],
    )?;
    if let Some(n) = STEPS.iter().position(|s| *s == step) {
        crate::crash_point::reached("loop", n as u32 + 1);
    }
    Ok(value)
}

/// The last step a run finished: iteration and step name.
pub fn last_step(conn: &Connection, task: &str) -> Result<Option<(u32, String)>> {
    let rows: Vec<(u32, String)> = conn
        .prepare("SELECT iteration, step FROM loop_steps WHERE task_id = ?1")?
        .query_map([task], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let order = |step: &str| STEPS.iter().position(|s| *s == step).unwrap_or(0);
    Ok(rows.into_iter().max_by_key(|(it, step)| (*it, order(step))))
}

/// Records that an agent's turn started, and how.
pub fn turn_started(conn: &Connection, task: &str, it: u32, agent: &str, how: &Started) -> Result<()> {
    let (pid, start, container) = match how {
        Started::Process { pid, start_time } => (Some(*pid), Some(*start_time as i64), None),
        Started::Container { id } => (None, None, Some(id.as_str())),
    };
    conn.execute(
        "INSERT OR REPLACE INTO loop_turns (task_id, iteration, agent, pid, pid_started, container)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![task, it, agent, pid, start, container],
    )?;
    Ok(())
}

/// Records how an agent's turn ended.
pub fn turn_finished(conn: &Connection, task: &str, it: u32, agent: &str, turn: &AgentTurn) -> Result<()> {
    conn.execute(
        "INSERT INTO loop_turns (task_id, iteration, agent, turn) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (task_id, iteration, agent) DO UPDATE SET turn = excluded.turn",
        params![task, it, agent, serde_json::to_string(turn)?],
    )?;
    Ok(())
}

/// A finished turn, and whether its `agent` event is recorded.
#[derive(Debug, Clone)]
pub struct Finished {
    pub turn: AgentTurn,
    pub recorded: bool,
}

/// The turns of iteration `it` that ended, by agent.
pub fn finished_turns(conn: &Connection, task: &str, it: u32) -> Result<IndexMap<String, Finished>> {
    let mut stmt = conn.prepare(
        "SELECT agent, turn, recorded FROM loop_turns
         WHERE task_id = ?1 AND iteration = ?2 AND turn IS NOT NULL ORDER BY rowid",
    )?;
    let rows = stmt
        .query_map(params![task, it], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(|(agent, turn, recorded)| Ok((agent, Finished { turn: serde_json::from_str(&turn)?, recorded })))
        .collect()
}

/// Marks the `agent` event of a finished turn as recorded.
pub fn turn_recorded(conn: &Connection, task: &str, it: u32, agent: &str) -> Result<()> {
    conn.execute(
        "UPDATE loop_turns SET recorded = 1 WHERE task_id = ?1 AND iteration = ?2 AND agent = ?3",
        params![task, it, agent],
    )?;
    Ok(())
}

/// A turn that started and never ended: its coordinator died while it ran.
#[derive(Debug, Clone)]
pub struct Unfinished {
    pub iteration: u32,
    pub agent: String,
    pub started: Started,
}

pub fn unfinished_turns(conn: &Connection, task: &str) -> Result<Vec<Unfinished>> {
    let mut stmt = conn.prepare(
        "SELECT iteration, agent, pid, pid_started, container FROM loop_turns
         WHERE task_id = ?1 AND turn IS NULL ORDER BY rowid",
    )?;
    let rows = stmt
        .query_map([task], |r| {
            let pid: Option<u32> = r.get(2)?;
            let start: Option<i64> = r.get(3)?;
            let container: Option<String> = r.get(4)?;
            let started = match (pid, start, container) {
                (Some(pid), Some(start), _) => Started::Process { pid, start_time: start as u64 },
                (_, _, Some(id)) => Started::Container { id },
                _ => Started::Container { id: String::new() },
            };
            Ok(Unfinished { iteration: r.get(0)?, agent: r.get(1)?, started })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Forgets a turn that never ended (it is run again).
pub fn forget_turn(conn: &Connection, task: &str, it: u32, agent: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM loop_turns WHERE task_id = ?1 AND iteration = ?2 AND agent = ?3 AND turn IS NULL",
        params![task, it, agent],
    )?;
    Ok(())
}
