//! The iterations of a run: implementers → checks → gate → validators → consensus → product
//! owner, until PROCEED or ABORT; ended early by a budget (`budget`) or by an iteration that
//! reverts the previous one (ESCALATE), and as `exhausted` when the iterations run out.

use super::checks::{self, CheckResult};
use super::decision::{parse_decision, Decision};
use super::driver::Summary;
use super::evidence;
use super::journal;
use super::lanes::{self, Lane};
use super::phase::{self, Evidence, PhaseResult, RunContext};
use super::record;
use super::settings::Settings;
use super::status::RunStatus;
use crate::agents::{AgentProfile, Role};
use crate::branch::{BranchEnv, Workspace};
use crate::bus;
use crate::config::agents::Isolation;
use crate::context::Context;
use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// The repository and branch a phase's agents belong to (their items are checked again before
/// they run), and the phase's role.
#[derive(Clone, Copy)]
struct Team<'a> {
    ws: &'a Workspace,
    branch: &'a BranchEnv,
    role: Role,
}

impl<'a> Team<'a> {
    fn of(self, role: Role) -> Team<'a> {
        Team { role, ..self }
    }
}

/// What one run carries from iteration to iteration.
struct Progress {
    feedback: Vec<String>,
    gate: Option<f64>,
    consensus: Option<f64>,
    /// The worktree's tree at the start of the previous iteration, and that iteration's change.
    snapshot: Option<String>,
    change: Option<crate::git::LineChanges>,
    /// What the implementers hear in the next iteration whatever else happens (an empty change).
    notes: Vec<String>,
}

pub async fn iterate(
    ctx: &Context,
    (ws, branch): (&Workspace, &BranchEnv),
    rc: &RunContext,
    s: &Settings,
) -> Result<Summary> {
    let conn = ws.state.conn();
    let team = Team { ws, branch, role: Role::Implementer };
    let mut p = Progress {
        feedback: Vec::new(),
        gate: None,
        consensus: None,
        snapshot: None,
        change: None,
        notes: Vec::new(),
    };
    let end =
        |p: &Progress, status: RunStatus, decision: Option<Decision>, it: u32, reason: Option<String>| {
            Summary {
                task_id: rc.task.clone(),
                status,
                decision,
                iterations: it,
                reason,
                bus: rc.bus.describe(),
                gate: p.gate,
                consensus: p.consensus,
                usage: None,
            }
        };
    let task = &rc.task;
    // Every step goes through the run's journal: a resumed run gets the recorded result of a
    // step that finished before, and so walks the same path up to where it stopped.
    for it in 1..=s.max_iterations {
        let start: Start =
            journal::step(conn, task, it, "start", || start_iteration(conn, rc, &p, it)).await?;
        p.snapshot = Some(start.tree);
        if let Some(change) = start.change {
            p.change = Some(change);
        }
        if let Some(why) = start.escalate {
            ctx.say(format!("iteration {it}: {why}; decision ESCALATE"));
            return Ok(end(&p, RunStatus::Escalate, Some(Decision::Escalate), it - 1, Some(why)));
        }
        let mut feedback = std::mem::take(&mut p.notes);
        feedback.extend(p.feedback.iter().cloned());
        let none = Evidence::default();
        let (imp, notes, budget) = journal::step(conn, task, it, "implementers", || async {
            let lanes = match s.isolation {
                Isolation::Worktrees => {
                    let finished = journal::finished_turns(conn, task, it)?;
                    lanes::open(rc, &s.implementers, it, |id| finished.contains_key(id))?
                }
                Isolation::Shared => Vec::new(),
            };
            let mut imp = phase_of(
                ctx,
                conn,
                rc,
                team.of(Role::Implementer),
                &s.implementers,
                it,
                &feedback,
                (&none, &lanes),
            )
            .await?;
            let notes = lanes::merge_into_branch(ctx, conn, rc, &lanes, it, &mut imp).await?;
            Ok((imp, notes, over_budget(ctx, conn, rc, s, it).await?))
        })
        .await?;
        p.notes = notes;
        if let Some(why) = budget {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let (checks, budget) = journal::step(conn, task, it, "checks", || async {
            super::still_trusted::checks(ws, branch)?;
            let checks = run_checks(ctx, conn, rc, s, it).await?;
            Ok((checks, over_budget(ctx, conn, rc, s, it).await?))
        })
        .await?;
        if let Some(why) = budget {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let required = evidence::required_failures(&checks);
        let gate_ok = imp.mean >= s.gate && imp.problems.is_empty() && required.is_empty();
        p.gate = Some(imp.mean);
        journal::step(conn, task, it, "gate", || async {
            let problems: Vec<&String> = imp.problems.iter().chain(&required).collect();
            let data = json!({"mean": imp.mean, "threshold": s.gate, "passed": gate_ok, "problems": problems, "required_checks": required});
            record::event(conn, &rc.bus, task, it, "gate", data).await?;
            let signal = json!({"iteration": it, "passed": gate_ok}).to_string();
            rc.bus.signal_send(task, "loop3:complete", &signal).await?;
            if gate_ok {
                rc.bus.signal_send(task, "loop2:start", &json!({"iteration": it}).to_string()).await?;
            }
            Ok(())
        })
        .await?;
        ctx.say(format!("iteration {it}: gate {:.2} (needs {:.2}) {}", imp.mean, s.gate, verdict(gate_ok)));
        for line in &required {
            ctx.say(format!("iteration {it}: gate: {line}"));
        }
        if !gate_ok {
            p.feedback = lines("gate", imp.mean, s.gate, &imp);
            p.feedback.extend(evidence::feedback(&checks));
            continue;
        }
        let shown = Evidence { checks: serde_json::to_value(&checks)?, ..Evidence::default() };
        let (mut val, budget) = journal::step(conn, task, it, "validators", || async {
            let val = phase_of(
                ctx,
                conn,
                rc,
                team.of(Role::Validator),
                &s.validators,
                it,
                &feedback,
                (&shown, &[]),
            )
            .await?;
            Ok((val, over_budget(ctx, conn, rc, s, it).await?))
        })
        .await?;
        if let Some(why) = budget {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let validators = super::control::members(conn, ws, task, Role::Validator, it, &s.validators)?;
        let confidences = evidence::confidences(&mut val, &validators, &checks);
        let consensus_ok = val.mean >= s.consensus && val.problems.is_empty();
        p.consensus = Some(val.mean);
        journal::step(conn, task, it, "consensus", || async {
            for c in &confidences {
                let report = val.reports.get(&c.agent).cloned().flatten();
                let ok = report.as_ref().is_some_and(|r| r.status == bus::Status::Ok);
                let decision = if ok && c.used >= s.consensus { "approve" } else { "reject" };
                let meta = json!({ "payload": report.as_ref().and_then(|r| r.payload.clone()), "confidence": c });
                record::approval(conn, task, it, &c.agent, decision, c.used, &meta)?;
            }
            record::event(conn, &rc.bus, task, it, "consensus", json!({"mean": val.mean, "threshold": s.consensus, "passed": consensus_ok, "problems": val.problems, "confidences": confidences})).await?;
            Ok(())
        })
        .await?;
        ctx.say(format!(
            "iteration {it}: consensus {:.2} (needs {:.2}) {}",
            val.mean,
            s.consensus,
            verdict(consensus_ok)
        ));
        if !consensus_ok {
            p.feedback = lines("consensus", val.mean, s.consensus, &val);
            p.feedback.extend(evidence::feedback(&checks));
            continue;
        }
        let shown = Evidence {
            checks: serde_json::to_value(&checks)?,
            confidences: serde_json::to_value(&confidences)?,
        };
        let owner = std::slice::from_ref(&s.product_owner);
        let (po, budget) = journal::step(conn, task, it, "product-owner", || async {
            let po = if owner[0].1.kind == crate::agents::AgentKind::Person {
                let results = json!({"gate": p.gate, "consensus": p.consensus, "confidences": shown.confidences, "checks": shown.checks});
                super::person::decision(conn, rc, &owner[0].0, it, results, s.decision_timeout).await?
            } else {
                phase_of(ctx, conn, rc, team.of(Role::ProductOwner), owner, it, &feedback, (&shown, &[])).await?
            };
            Ok((po, over_budget(ctx, conn, rc, s, it).await?))
        })
        .await?;
        if let Some(why) = budget {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let report = po.reports.values().next().cloned().flatten();
        let decision = match &report {
            Some(r) if r.status == bus::Status::Ok => parse_decision(r.payload.as_ref()),
            _ => Decision::Iterate,
        };
        journal::step(conn, task, it, "decision", || async {
            let conf = report.as_ref().map(|r| r.confidence).unwrap_or(0.0);
            let meta =
                json!({ "payload": report.as_ref().and_then(|r| r.payload.clone()), "problems": po.problems });
            record::approval(conn, task, it, &s.product_owner.0, decision.as_str(), conf, &meta)?;
            let data = json!({"decision": decision, "agent": s.product_owner.0});
            record::event(conn, &rc.bus, task, it, "decision", data).await?;
            rc.bus.signal_send(task, "decision", decision.as_str()).await?;
            Ok(())
        })
        .await?;
        ctx.say(format!("iteration {it}: product owner decided {}", decision.as_str()));
        match decision {
            Decision::Proceed => return Ok(end(&p, RunStatus::Proceed, Some(decision), it, None)),
            Decision::Abort => {
                let why = Some("the product owner decided ABORT".into());
                return Ok(end(&p, RunStatus::Abort, Some(decision), it, why));
            }
            Decision::Iterate | Decision::Escalate => {
                p.feedback = po.problems.clone();
                p.feedback.extend(po.said.clone());
                if p.feedback.is_empty() {
                    p.feedback.push("the product owner decided ITERATE".into());
                }
            }
        }
    }
    let why = Some(format!("no PROCEED after {} iteration(s)", s.max_iterations));
    Ok(end(&p, RunStatus::Exhausted, None, s.max_iterations, why))
}

/// The start of an iteration: the worktree's snapshot, the change of the iteration before (from
/// the third iteration on) and whether it reverted the one before it (ESCALATE: recorded, and
/// the run ends); else the `iteration` event with the feedback it starts from.
#[derive(Debug, Serialize, Deserialize)]
struct Start {
    tree: String,
    change: Option<crate::git::LineChanges>,
    escalate: Option<String>,
}

async fn start_iteration(conn: &Connection, rc: &RunContext, p: &Progress, it: u32) -> Result<Start> {
    let (tree, change, escalate) =
        super::oscillation::at_start(conn, rc, (p.snapshot.as_deref(), p.change.as_ref()), it).await?;
    if escalate.is_none() {
        let feedback = &p.feedback;
        record::event(conn, &rc.bus, &rc.task, it, "iteration", json!({ "feedback": feedback })).await?;
    }
    Ok(Start { tree, change, escalate })
}

/// Runs the checks of iteration `it` (none configured: nothing) and records each.
async fn run_checks(
    ctx: &Context,
    conn: &Connection,
    rc: &RunContext,
    s: &Settings,
    it: u32,
) -> Result<Vec<CheckResult>> {
    if s.checks.is_empty() {
        return Ok(Vec::new());
    }
    let results = checks::run_all(rc, &s.checks, &s.gate_requires, it, rc.deadline).await?;
    for c in &results {
        record::event(conn, &rc.bus, &rc.task, it, "check", serde_json::to_value(c)?).await?;
        let how = match (&c.reason, c.exit_code) {
            (Some(reason), _) => reason.clone(),
            (None, Some(code)) => format!("exit code {code}"),
            (None, None) => "no exit code".into(),
        };
        ctx.say(format!(
            "iteration {it}: check {} {} ({how}, {:.1}s)",
            c.name,
            if c.passed { "passed" } else { "FAILED" },
            c.duration_secs
        ));
    }
    Ok(results)
}

/// Whether the run is over one of its budgets; records and says it when it is.
async fn over_budget(
    ctx: &Context,
    conn: &Connection,
    rc: &RunContext,
    s: &Settings,
    it: u32,
) -> Result<Option<String>> {
    let usage = super::usage::from_events(&record::run_events(conn, &rc.task, 0)?);
    let Some(why) = s.budget.exceeded(rc.started, usage.as_ref()) else { return Ok(None) };
    record::event(conn, &rc.bus, &rc.task, it, "budget", json!({ "reason": why })).await?;
    ctx.say(format!("iteration {it}: over budget: {why}"));
    Ok(Some(why))
}

/// Runs one phase's agents (an implementer with a lane in it), except those whose turn ended
/// before the run was resumed, and records their spawns and outcomes (each outcome once, with
/// its turn marked as recorded).
#[allow(clippy::too_many_arguments)]
async fn phase_of(
    ctx: &Context,
    conn: &Connection,
    rc: &RunContext,
    team: Team<'_>,
    agents: &[(String, AgentProfile)],
    it: u32,
    feedback: &[String],
    (evidence, lanes): (&Evidence, &[Lane]),
) -> Result<PhaseResult> {
    let finished = journal::finished_turns(conn, &rc.task, it)?;
    let agents = &super::control::team(conn, (team.ws, team.branch), rc, team.role, it, agents)?;
    let mut specs = Vec::new();
    for (id, profile) in agents {
        let workdir = lanes.iter().find(|l| &l.agent == id).map_or(&rc.worktree, |l| &l.path);
        if !finished.contains_key(id) {
            super::still_trusted::agent(team.ws, team.branch, id, profile, workdir)?;
        }
        let (spec, routing) = phase::prepare(rc, id, workdir, profile, it, feedback, evidence)?;
        match finished.get(id) {
            Some(_) => ctx.say(format!("iteration {it}: {id} already reported; not run again")),
            None => {
                record::event(conn, &rc.bus, &rc.task, it, "spawn", json!({"agent": id, "role": team.role.as_str(), "kind": profile.kind.as_str(), "provider": routing.provider, "routed_by": routing.source})).await?;
            }
        }
        specs.push(spec);
    }
    let done = finished.iter().map(|(id, f)| (id.clone(), f.turn.clone())).collect();
    let result = phase::run(conn, rc, team.role, it, &specs, &done).await?;
    for o in &result.outcomes {
        if finished.get(&o.agent_id).is_some_and(|f| f.recorded) {
            continue;
        }
        let report = result.reports.get(&o.agent_id).cloned().flatten();
        let by_user = super::control::killed_by_user(conn, &rc.task, it, &o.agent_id)?;
        let state = super::agents_view::state_of(o, report.as_ref(), by_user);
        let mut data = json!({"agent": o.agent_id, "state": state, "outcome": o, "report": report});
        if by_user {
            data["by"] = json!("user");
        }
        record::event_then(conn, &rc.bus, &rc.task, it, "agent", data, |conn| {
            journal::turn_recorded(conn, &rc.task, it, &o.agent_id)
        })
        .await?;
        if let Some(usage) = o.result.as_ref().and_then(|r| r.usage.as_ref()) {
            ctx.say(format!("iteration {it}: {} used {}", o.agent_id, super::usage::describe(usage)));
        }
    }
    for refused in &result.refused {
        ctx.warn(format!(
            "refused a report under agent {}'s id in iteration {it}: {}",
            refused.agent, refused.reason
        ));
        record::event(conn, &rc.bus, &rc.task, it, "refused-report", json!(refused)).await?;
    }
    Ok(result)
}

fn lines(what: &str, mean: f64, threshold: f64, r: &PhaseResult) -> Vec<String> {
    let mut out = vec![format!("{what} failed: mean confidence {mean:.2}, needed {threshold:.2}")];
    out.extend(r.problems.iter().cloned());
    out.extend(r.said.iter().cloned());
    out
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "passed"
    } else {
        "failed"
    }
}
