//! A product owner that is a person (`kind = "person"`): at the decision step the run records a
//! `waiting` event with the gate's and consensus' results, shows as `waiting`
//! (`loop_runs.waiting`), and waits — at most `[loop] decision_timeout` seconds (default a day)
//! and never past the run's wall-time budget — for `cfn loop decide` or the portal's
//! `POST /api/tasks/:taskId/decision`. The first decision given counts; no decision in time is
//! ITERATE, as a product owner that does not answer is. A coordinator killed while it waits
//! leaves the step unfinished, so `cfn loop resume` waits again.

use super::control;
use super::control_watch::{data_version, no_agent_running, WATCH_EVERY};
use super::decision::Decision;
use super::phase::{PhaseResult, RunContext};
use super::record;
use crate::bus::{Report, Status};
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::{params, Connection};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How long a person has to decide when `[loop] decision_timeout` is not set: a day.
pub const DEFAULT_DECISION_TIMEOUT: f64 = 86_400.0;

/// Waits for the person's decision of iteration `it`; `results` (the gate's and consensus'
/// results and the evidence) go into the `waiting` event.
pub async fn decision(
    conn: &Connection,
    rc: &RunContext,
    agent: &str,
    it: u32,
    results: Value,
    timeout: Duration,
) -> Result<PhaseResult> {
    let mut timeout = timeout;
    if let Some(deadline) = rc.deadline {
        timeout = timeout.min(deadline.saturating_duration_since(Instant::now()));
    }
    let waiting =
        json!({ "agent": agent, "iteration": it, "timeout_secs": timeout.as_secs_f64(), "results": results });
    record::event_then(conn, &rc.bus, &rc.task, it, "waiting", waiting.clone(), |conn| {
        conn.execute(
            "UPDATE loop_runs SET waiting = ?2 WHERE task_id = ?1",
            params![rc.task, waiting.to_string()],
        )?;
        Ok(())
    })
    .await?;
    let until = Instant::now() + timeout;
    let mut seen = None;
    let given = loop {
        let now = data_version(conn);
        if now != seen {
            seen = now;
            no_agent_running(conn, &rc.task, it)?;
            if let Some(given) = first_decision(conn, &rc.task, it)? {
                break Some(given);
            }
        }
        if Instant::now() >= until {
            break None;
        }
        tokio::time::sleep(WATCH_EVERY.min(until.saturating_duration_since(Instant::now()))).await;
    };
    conn.execute("UPDATE loop_runs SET waiting = NULL WHERE task_id = ?1", [&rc.task])?;
    let (report, problems, said) = match given {
        Some((decision, reason)) => {
            let payload = json!({ "decision": decision, "feedback": reason, "by": "person" });
            let said = if reason.is_empty() { Vec::new() } else { vec![format!("{agent}: {reason}")] };
            (Report::new(agent, it, 1.0, Status::Ok, Some(payload))?, Vec::new(), said)
        }
        None => {
            let why =
                format!("product owner {agent} (a person) did not decide within {} s", timeout.as_secs());
            let payload = json!({ "reason": why, "reported_by": "cfn" });
            (Report::new(agent, it, 0.0, Status::Failed, Some(payload))?, vec![why], Vec::new())
        }
    };
    let mean = if report.status == Status::Ok { 1.0 } else { 0.0 };
    let reports = IndexMap::from([(agent.to_string(), Some(report))]);
    Ok(PhaseResult { outcomes: Vec::new(), reports, mean, problems, said, refused: Vec::new() })
}

/// The first decision asked for, answered `decided`; any later one is answered as too late.
fn first_decision(conn: &Connection, task: &str, it: u32) -> Result<Option<(Decision, String)>> {
    let mut first = None;
    for p in control::pending(conn, task, "decide")? {
        let decision = match p.data["decision"].as_str() {
            Some("PROCEED") => Some(Decision::Proceed),
            Some("ITERATE") => Some(Decision::Iterate),
            Some("ABORT") => Some(Decision::Abort),
            _ => None,
        };
        match (decision, &first) {
            (Some(d), None) => {
                control::handled(conn, p.id, "decided", it)?;
                first = Some((d, p.data["reason"].as_str().unwrap_or_default().to_string()));
            }
            (None, _) => control::handled(conn, p.id, "refused: not PROCEED, ITERATE or ABORT", it)?,
            (Some(_), Some(_)) => {
                control::handled(conn, p.id, "too late: another decision was given first", it)?
            }
        }
    }
    Ok(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_decision_counts_and_later_ones_are_answered_too_late() {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::state::State::open(dir.path()).unwrap();
        let conn = state.conn();
        conn.execute("INSERT INTO loop_runs (task_id, epic, mode, bus) VALUES ('t', 'e', 'mvp', 'b')", [])
            .unwrap();
        assert!(first_decision(conn, "t", 1).unwrap().is_none(), "nothing asked yet");
        let ask = |decision: &str, reason: &str| {
            let data = json!({ "decision": decision, "reason": reason }).to_string();
            conn.execute(
                "INSERT INTO loop_controls (task_id, action, data) VALUES ('t', 'decide', ?1)",
                [data],
            )
            .unwrap();
            conn.last_insert_rowid()
        };
        let (bad, first, second) = (ask("maybe", ""), ask("ABORT", "too risky"), ask("PROCEED", ""));
        let given = first_decision(conn, "t", 2).unwrap().unwrap();
        assert_eq!(given, (Decision::Abort, "too risky".to_string()));
        let outcome = |id: i64| -> (String, u32) {
            conn.query_row("SELECT outcome, iteration FROM loop_controls WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap()
        };
        assert!(outcome(bad).0.starts_with("refused"));
        assert_eq!(outcome(first), ("decided".to_string(), 2));
        assert!(outcome(second).0.starts_with("too late"));
        assert!(control::pending(conn, "t", "decide").unwrap().is_empty(), "every request is answered");
    }
}
