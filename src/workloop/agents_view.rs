//! The agents of a run as the portal shows them (`GET /api/agents/:taskId`), derived from the
//! run's events: `spawn` (role, kind, provider, when), `agent` (how its turn ended: `state`,
//! its report's confidence, how long it ran), `waiting` and `decision` (a person who is the
//! product owner); an agent whose turn started and has not ended (`loop_turns`) is `running`.

use super::record::{self, EventRow};
use crate::agents::AgentOutcome;
use crate::bus::{Report, Status};
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

/// One agent's turn in one iteration.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AgentView {
    pub id: String,
    pub iteration: u32,
    pub role: String,
    pub kind: String,
    pub provider: Option<String>,
    /// `spawned`, `running`, `reported`, `timed out`, `killed`, `failed`, or `waiting` (a person).
    pub state: String,
    /// Who ended it when it was not the agent itself (`user`: a kill request).
    pub by: Option<String>,
    pub confidence: Option<f64>,
    pub elapsed_ms: Option<u64>,
    pub started_at: String,
    pub finished_at: Option<String>,
}

/// How a turn ended, in one word.
pub fn state_of(outcome: &AgentOutcome, report: Option<&Report>, by_user: bool) -> &'static str {
    if by_user {
        "killed"
    } else if outcome.timed_out {
        "timed out"
    } else if report.is_some_and(|r| r.status == Status::Ok) {
        "reported"
    } else {
        "failed"
    }
}

/// The run's agents, turn by turn, in the order they were spawned.
pub fn agents_of(conn: &Connection, task: &str) -> Result<Vec<AgentView>> {
    let mut views = from_events(&record::run_events(conn, task, 0)?);
    let mut stmt =
        conn.prepare("SELECT iteration, agent FROM loop_turns WHERE task_id = ?1 AND turn IS NULL")?;
    let running: Vec<(u32, String)> =
        stmt.query_map([task], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
    for v in views.iter_mut().filter(|v| v.state == "spawned") {
        if running.iter().any(|(it, a)| *it == v.iteration && *a == v.id) {
            v.state = "running".into();
        }
    }
    Ok(views)
}

/// The agents as the events tell them.
pub fn from_events(events: &[EventRow]) -> Vec<AgentView> {
    let mut views: Vec<AgentView> = Vec::new();
    for e in events {
        let agent = e.data["agent"].as_str().unwrap_or_default().to_string();
        let text = |v: &Value| v.as_str().map(str::to_string);
        match e.kind.as_str() {
            "spawn" | "waiting" => {
                let person = e.kind == "waiting";
                views.push(AgentView {
                    id: agent,
                    iteration: e.iteration,
                    role: if person {
                        "product-owner".into()
                    } else {
                        text(&e.data["role"]).unwrap_or_default()
                    },
                    kind: if person {
                        "person".into()
                    } else {
                        text(&e.data["kind"]).unwrap_or_else(|| "command".into())
                    },
                    provider: text(&e.data["provider"]),
                    state: if person { "waiting".into() } else { "spawned".into() },
                    by: None,
                    confidence: None,
                    elapsed_ms: None,
                    started_at: e.at.clone(),
                    finished_at: None,
                });
            }
            "agent" | "decision" => {
                let Some(v) = views.iter_mut().rev().find(|v| v.id == agent && v.iteration == e.iteration)
                else {
                    continue;
                };
                if e.kind == "decision" {
                    if v.kind == "person" && v.finished_at.is_none() {
                        v.state = "reported".into();
                        v.finished_at = Some(e.at.clone());
                    }
                    continue;
                }
                let outcome = &e.data["outcome"];
                let report = &e.data["report"];
                v.state = text(&e.data["state"]).unwrap_or_else(|| {
                    if outcome["timed_out"] == true {
                        "timed out".into()
                    } else if report["status"] == "ok" {
                        "reported".into()
                    } else {
                        "failed".into()
                    }
                });
                v.by = text(&e.data["by"]);
                v.confidence = report["confidence"].as_f64();
                v.elapsed_ms = outcome["elapsed_ms"].as_u64();
                v.finished_at = Some(e.at.clone());
            }
            _ => {}
        }
    }
    views
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(id: i64, kind: &str, data: Value) -> EventRow {
        EventRow { id, iteration: 1, kind: kind.into(), data, at: format!("t{id}") }
    }

    #[test]
    fn each_turn_takes_its_state_from_how_it_ended() {
        let events = vec![
            event(
                1,
                "spawn",
                json!({"agent": "a", "role": "implementer", "kind": "command", "provider": "zai"}),
            ),
            event(2, "spawn", json!({"agent": "b", "role": "implementer"})),
            event(3, "spawn", json!({"agent": "c", "role": "implementer"})),
            event(
                4,
                "agent",
                json!({"agent": "a", "outcome": {"elapsed_ms": 40}, "report": {"status": "ok", "confidence": 0.9}}),
            ),
            event(
                5,
                "agent",
                json!({"agent": "b", "state": "killed", "by": "user", "outcome": {}, "report": null}),
            ),
            event(6, "waiting", json!({"agent": "po"})),
        ];
        let views = from_events(&events);
        let states: Vec<(&str, &str)> = views.iter().map(|v| (v.id.as_str(), v.state.as_str())).collect();
        assert_eq!(states, [("a", "reported"), ("b", "killed"), ("c", "spawned"), ("po", "waiting")]);
        assert_eq!(
            (views[0].confidence, views[0].elapsed_ms, views[0].provider.as_deref()),
            (Some(0.9), Some(40), Some("zai"))
        );
        assert_eq!((views[1].by.as_deref(), views[1].finished_at.as_deref()), (Some("user"), Some("t5")));
        assert_eq!(views[3].kind, "person");
        let decided =
            [events, vec![event(7, "decision", json!({"agent": "po", "decision": "PROCEED"}))]].concat();
        assert_eq!(from_events(&decided)[3].state, "reported");
    }
}
