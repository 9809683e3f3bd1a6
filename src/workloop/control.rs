//! Requests to a live run from outside its coordinator: kill one of its agents, add an agent to
//! it, give the decision it waits for. `cfn loop kill-agent|add-agent|decide` and the portal
//! write a row of `loop_controls`; the run's coordinator (another process) watches the state
//! database's `data_version`, acts, and answers the row (`control_watch.rs`, `person.rs`). The
//! coordinator is the only one that touches its agents and records what happened, so the run
//! goes on consistently whoever asked.

use super::decision::Decision;
use super::record;
use super::status::RunStatus;
use crate::agents::{AgentKind, AgentProfile, Role};
use crate::branch::{BranchEnv, Workspace};
use crate::error::{Kind, UserError};
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;
use serde_json::json;
use std::time::{Duration, Instant};

/// How long a requester waits for the coordinator's answer before saying it is still pending.
pub const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// A request written for a run's coordinator.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    pub id: i64,
    pub task_id: String,
    pub action: &'static str,
    pub agent: Option<String>,
}

/// The coordinator's answer to a request.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub outcome: String,
    pub iteration: Option<u32>,
}

fn not_found(message: String, hint: &str) -> anyhow::Error {
    UserError::new(message).kind(Kind::NotFound).hint(hint).into()
}

fn conflict(message: String, hint: String) -> anyhow::Error {
    UserError::new(message).kind(Kind::Busy).hint(hint).into()
}

/// The run, which must exist and be live (its coordinator running).
fn live_run(conn: &Connection, task: &str) -> Result<RunStatus> {
    let run = record::run_row(conn, task)?
        .ok_or_else(|| not_found(format!("no loop run {task}"), "`cfn loop list` shows the runs"))?;
    if !matches!(run.status, RunStatus::Running | RunStatus::Waiting) {
        return Err(conflict(
            format!("loop {task} is not live: it is {}", run.status),
            format!(
                "only a running run takes requests; `cfn loop resume {task}` continues an interrupted one"
            ),
        ));
    }
    Ok(run.status)
}

fn insert(
    conn: &Connection,
    task: &str,
    action: &'static str,
    agent: Option<&str>,
    data: &serde_json::Value,
) -> Result<Request> {
    conn.execute(
        "INSERT INTO loop_controls (task_id, action, agent, data) VALUES (?1, ?2, ?3, ?4)",
        params![task, action, agent, data.to_string()],
    )?;
    let id = conn.last_insert_rowid();
    Ok(Request { id, task_id: task.to_string(), action, agent: agent.map(str::to_string) })
}

/// Asks the coordinator of the live run where `agent` is running to kill it. Agent ids repeat
/// across runs: without `task`, the agent must run in exactly one live run.
pub fn kill(conn: &Connection, task: Option<&str>, agent: &str) -> Result<Request> {
    if let Some(task) = task {
        live_run(conn, task)?;
    }
    let mut stmt = conn.prepare(
        "SELECT DISTINCT t.task_id FROM loop_turns t JOIN loop_runs r ON r.task_id = t.task_id
         WHERE t.agent = ?1 AND t.turn IS NULL AND r.status = 'running' AND (?2 IS NULL OR t.task_id = ?2)",
    )?;
    let found: Vec<String> =
        stmt.query_map(params![agent, task], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut live = Vec::new();
    for t in found {
        if record::run_row(conn, &t)?.is_some_and(|r| r.status == RunStatus::Running) {
            live.push(t);
        }
    }
    match live.as_slice() {
        [] => Err(not_found(
            match task {
                Some(task) => format!("agent {agent} is not running in loop {task}"),
                None => format!("agent {agent} is not running in any live loop run"),
            },
            "`cfn loop status TASK` shows which agents run (an agent runs only during its phase)",
        )),
        [one] => insert(conn, one, "kill", Some(agent), &json!({ "by": "user" })),
        many => Err(conflict(
            format!("agent {agent} runs in {} live loop runs: {}", many.len(), many.join(", ")),
            "name the run: `cfn loop kill-agent TASK AGENT` (the API: `?taskId=`)".into(),
        )),
    }
}

/// Asks the coordinator of `task` to add agent `id` (a profile of `[agents.*]` of the run's
/// repository) to its team, from the next phase of the agent's role that starts.
pub fn add_agent(
    conn: &Connection,
    (ws, branch): (&Workspace, &BranchEnv),
    task: &str,
    id: &str,
) -> Result<Request> {
    let profile = addable(ws, id)?;
    if record::run_row(conn, task)?.is_none_or(|r| r.branch.as_deref() != Some(branch.branch.as_str())) {
        return Err(not_found(
            format!("no loop run {task} on branch {}", branch.branch),
            "`cfn loop list` shows the runs",
        ));
    }
    live_run(conn, task)?;
    let l = &ws.config.work_loop;
    let in_team = l.implementers.iter().chain(&l.validators).any(|a| a == id);
    let requested: bool = conn
        .query_row(
            "SELECT 1 FROM loop_controls WHERE task_id = ?1 AND action = 'spawn' AND agent = ?2
             AND (handled_at IS NULL OR outcome = 'joined')",
            params![task, id],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if in_team || requested {
        return Err(conflict(
            format!("agent {id} is already in loop {task}"),
            "add another profile of [agents.*]".into(),
        ));
    }
    // Its command runs only once trusted, as every agent's: asked nothing here, refused instead.
    let item = crate::branch::trust::inventory::agent(ws, branch, id, profile);
    if !crate::branch::trust::is_trusted(ws.state.conn(), ws.repo.id, &item)? {
        return Err(crate::branch::trust::not_trusted(item.describe()));
    }
    insert(conn, task, "spawn", Some(id), &json!({ "role": profile.role.as_str() }))
}

/// The profile `id` if it can join a run: an implementer or validator that runs a program.
fn addable<'a>(ws: &'a Workspace, id: &str) -> Result<&'a AgentProfile> {
    let usage =
        |message: String, hint: &str| -> anyhow::Error { UserError::usage(message).hint(hint).into() };
    let profile = ws.config.agents.get(id).ok_or_else(|| {
        usage(
            format!("no agent profile {id} in cfn.toml"),
            "name a profile of [agents.<id>] of the run's repository",
        )
    })?;
    if profile.role == Role::ProductOwner || profile.kind == AgentKind::Person {
        return Err(usage(
            format!("agent {id} is a product owner; a run has one"),
            "add an implementer or a validator",
        ));
    }
    // Its MCP tokens come from the access the run set up for its team when it started.
    if !profile.skills.is_empty() {
        return Err(usage(
            format!("agent {id} has skills, and an agent with skills cannot join a running run yet"),
            "start a run whose team lists it",
        ));
    }
    let worktrees = ws.config.work_loop.isolation == crate::config::agents::Isolation::Worktrees;
    if worktrees && profile.role == Role::Implementer {
        return Err(usage(
            format!("implementer {id} cannot join a run with isolation = \"worktrees\""),
            "add a validator, or start a run whose loop.implementers lists it",
        ));
    }
    Ok(profile)
}

/// Gives the decision the run waits for (a product owner of kind `person`).
pub fn decide(conn: &Connection, task: &str, decision: Decision, reason: &str) -> Result<Request> {
    if live_run(conn, task)? != RunStatus::Waiting {
        return Err(conflict(
            format!("loop {task} does not wait for a decision"),
            format!(
                "`cfn loop status {task}` shows where it is; a run waits once its product owner is a person"
            ),
        ));
    }
    if decision == Decision::Escalate {
        return Err(UserError::usage("the decision is PROCEED, ITERATE or ABORT")
            .hint("pass --decision PROCEED|ITERATE|ABORT")
            .into());
    }
    insert(conn, task, "decide", None, &json!({ "decision": decision, "reason": reason }))
}

/// The coordinator's answer to request `id`, waiting for it up to `within` (`None`: not yet).
pub fn answer(conn: &Connection, id: i64, within: Duration) -> Result<Option<Answer>> {
    let until = Instant::now() + within;
    loop {
        let found: Option<(Option<String>, Option<u32>)> = conn
            .query_row(
                "SELECT outcome, iteration FROM loop_controls WHERE id = ?1 AND handled_at IS NOT NULL",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((outcome, iteration)) = found {
            return Ok(Some(Answer { outcome: outcome.unwrap_or_default(), iteration }));
        }
        if Instant::now() >= until {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A pending request, as the coordinator reads it.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: i64,
    pub agent: Option<String>,
    pub data: serde_json::Value,
}

/// The run's requests of `action` not answered yet, oldest first.
pub fn pending(conn: &Connection, task: &str, action: &str) -> Result<Vec<Pending>> {
    let mut stmt = conn.prepare(
        "SELECT id, agent, data FROM loop_controls WHERE task_id = ?1 AND action = ?2 AND handled_at IS NULL ORDER BY id",
    )?;
    let rows = stmt
        .query_map(params![task, action], |r| {
            let data: String = r.get(2)?;
            Ok(Pending {
                id: r.get(0)?,
                agent: r.get(1)?,
                data: serde_json::from_str(&data).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Answers a request.
pub fn handled(conn: &Connection, id: i64, outcome: &str, iteration: u32) -> Result<()> {
    conn.execute(
        "UPDATE loop_controls SET handled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), outcome = ?2, iteration = ?3
         WHERE id = ?1",
        params![id, outcome, iteration],
    )?;
    Ok(())
}

/// Answers what is left when the run ends: nothing more will act on it.
pub fn close(conn: &Connection, task: &str) -> Result<()> {
    conn.execute(
        "UPDATE loop_controls SET handled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), outcome = 'the run ended'
         WHERE task_id = ?1 AND handled_at IS NULL",
        [task],
    )?;
    Ok(())
}

/// Whether agent `agent`'s turn in iteration `it` was killed on request.
pub fn killed_by_user(conn: &Connection, task: &str, it: u32, agent: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM loop_controls WHERE task_id = ?1 AND iteration = ?2 AND agent = ?3
             AND action = 'kill' AND outcome = 'killed'",
            params![task, it, agent],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false))
}

/// The team of a phase of `role` in iteration `it`: `base`, then the agents added to the run
/// (those asked for since are admitted now, each checked to be trusted where it runs and, a CLI
/// kind, to be routable to its provider; one that is not is refused, and the run goes on
/// without it).
pub fn team(
    conn: &Connection,
    (ws, branch): (&Workspace, &BranchEnv),
    rc: &super::phase::RunContext,
    role: Role,
    it: u32,
    base: &[(String, AgentProfile)],
) -> Result<Vec<(String, AgentProfile)>> {
    let task = rc.task.as_str();
    for p in pending(conn, task, "spawn")? {
        let id = p.agent.clone().unwrap_or_default();
        let Some(profile) = ws.config.agents.get(&id) else {
            handled(conn, p.id, "refused: the profile is gone from cfn.toml", it)?;
            continue;
        };
        if profile.role != role {
            continue;
        }
        let admitted = super::still_trusted::agent(ws, branch, &id, profile, &branch.path)
            .and_then(|()| routable(rc, &id, profile));
        match admitted {
            Ok(()) => handled(conn, p.id, "joined", it)?,
            Err(e) => handled(conn, p.id, &format!("refused: {e:#}"), it)?,
        }
    }
    members(conn, ws, task, role, it, base)
}

/// A CLI kind's agent can be pointed at the provider it is routed to (as the team is checked
/// before a run starts, `preflight.rs`).
fn routable(rc: &super::phase::RunContext, id: &str, profile: &AgentProfile) -> Result<()> {
    if profile.kind == AgentKind::Command {
        return Ok(());
    }
    let env_lookup = |k: &str| std::env::var(k).ok();
    let routing = crate::agents::route_provider(
        profile,
        rc.high_complexity,
        rc.cost_sensitive,
        rc.default_provider.as_deref(),
        &env_lookup,
    );
    let own = rc.keyring.credentials(routing.provider.as_deref(), &rc.providers);
    crate::agents::adapters::routing::cli_env(profile.kind, routing.provider.as_deref(), &rc.providers, &own)
        .map(|_| ())
        .map_err(|why| super::phase::routing_error(id, profile, &why))
}

/// `base` and the agents of `role` that joined the run by iteration `it`.
pub fn members(
    conn: &Connection,
    ws: &Workspace,
    task: &str,
    role: Role,
    it: u32,
    base: &[(String, AgentProfile)],
) -> Result<Vec<(String, AgentProfile)>> {
    let mut stmt = conn.prepare(
        "SELECT agent FROM loop_controls WHERE task_id = ?1 AND action = 'spawn' AND outcome = 'joined'
         AND iteration <= ?2 ORDER BY id",
    )?;
    let joined: Vec<String> =
        stmt.query_map(params![task, it], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    let mut out = base.to_vec();
    for id in joined {
        if let Some(profile) = ws.config.agents.get(&id).filter(|p| p.role == role) {
            if !out.iter().any(|(a, _)| *a == id) {
                out.push((id, profile.clone()));
            }
        }
    }
    Ok(out)
}
