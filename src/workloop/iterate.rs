//! The iterations of a run: implementers → checks → gate → validators → consensus → product
//! owner, until PROCEED or ABORT; ended early by a budget (`budget`) or by an iteration that
//! reverts the previous one (ESCALATE), and as `exhausted` when the iterations run out.

use super::checks::{self, CheckResult};
use super::decision::{parse_decision, Decision};
use super::driver::Summary;
use super::evidence;
use super::phase::{self, Evidence, PhaseResult, RunContext};
use super::record;
use super::settings::Settings;
use super::status::RunStatus;
use crate::agents::{AgentProfile, Role};
use crate::bus;
use crate::context::Context;
use anyhow::Result;
use rusqlite::Connection;
use serde_json::json;

/// What one run carries from iteration to iteration.
struct Progress {
    feedback: Vec<String>,
    gate: Option<f64>,
    consensus: Option<f64>,
    /// The worktree's tree at the start of the previous iteration, and that iteration's change.
    snapshot: Option<String>,
    change: Option<crate::git::LineChanges>,
}

pub async fn iterate(ctx: &Context, conn: &Connection, rc: &RunContext, s: &Settings) -> Result<Summary> {
    let mut p = Progress { feedback: Vec::new(), gate: None, consensus: None, snapshot: None, change: None };
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
    for it in 1..=s.max_iterations {
        if let Some(why) = oscillation(conn, rc, &mut p, it).await? {
            ctx.say(format!("iteration {it}: {why}; decision ESCALATE"));
            return Ok(end(&p, RunStatus::Escalate, Some(Decision::Escalate), it - 1, Some(why)));
        }
        let feedback = p.feedback.clone();
        record::event(conn, &rc.bus, &rc.task, it, "iteration", json!({ "feedback": feedback })).await?;
        let none = Evidence::default();
        let imp = phase_of(ctx, conn, rc, Role::Implementer, &s.implementers, it, &feedback, &none).await?;
        if let Some(why) = over_budget(ctx, conn, rc, s, it).await? {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let checks = run_checks(ctx, conn, rc, s, it).await?;
        if let Some(why) = over_budget(ctx, conn, rc, s, it).await? {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let required = evidence::required_failures(&checks);
        let gate_ok = imp.mean >= s.gate && imp.problems.is_empty() && required.is_empty();
        p.gate = Some(imp.mean);
        let problems: Vec<&String> = imp.problems.iter().chain(&required).collect();
        record::event(
            conn,
            &rc.bus,
            &rc.task,
            it,
            "gate",
            json!({"mean": imp.mean, "threshold": s.gate, "passed": gate_ok, "problems": problems, "required_checks": required}),
        )
        .await?;
        rc.bus
            .signal_send(&rc.task, "loop3:complete", &json!({"iteration": it, "passed": gate_ok}).to_string())
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
        rc.bus.signal_send(&rc.task, "loop2:start", &json!({"iteration": it}).to_string()).await?;
        let shown = Evidence { checks: serde_json::to_value(&checks)?, ..Evidence::default() };
        let mut val = phase_of(ctx, conn, rc, Role::Validator, &s.validators, it, &feedback, &shown).await?;
        if let Some(why) = over_budget(ctx, conn, rc, s, it).await? {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let confidences = evidence::confidences(&mut val, &s.validators, &checks);
        for c in &confidences {
            let report = val.reports.get(&c.agent).cloned().flatten();
            let ok = report.as_ref().is_some_and(|r| r.status == bus::Status::Ok);
            let decision = if ok && c.used >= s.consensus { "approve" } else { "reject" };
            let meta = json!({ "payload": report.as_ref().and_then(|r| r.payload.clone()), "confidence": c });
            record::approval(conn, &rc.task, it, &c.agent, decision, c.used, &meta)?;
        }
        let consensus_ok = val.mean >= s.consensus && val.problems.is_empty();
        p.consensus = Some(val.mean);
        record::event(conn, &rc.bus, &rc.task, it, "consensus", json!({"mean": val.mean, "threshold": s.consensus, "passed": consensus_ok, "problems": val.problems, "confidences": confidences})).await?;
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
        let po = phase_of(ctx, conn, rc, Role::ProductOwner, owner, it, &feedback, &shown).await?;
        if let Some(why) = over_budget(ctx, conn, rc, s, it).await? {
            return Ok(end(&p, RunStatus::Budget, None, it, Some(why)));
        }
        let report = po.reports.values().next().cloned().flatten();
        let decision = match &report {
            Some(r) if r.status == bus::Status::Ok => parse_decision(r.payload.as_ref()),
            _ => Decision::Iterate,
        };
        let conf = report.as_ref().map(|r| r.confidence).unwrap_or(0.0);
        let meta =
            json!({ "payload": report.as_ref().and_then(|r| r.payload.clone()), "problems": po.problems });
        record::approval(conn, &rc.task, it, &s.product_owner.0, decision.as_str(), conf, &meta)?;
        let data = json!({"decision": decision, "agent": s.product_owner.0});
        record::event(conn, &rc.bus, &rc.task, it, "decision", data).await?;
        rc.bus.signal_send(&rc.task, "decision", decision.as_str()).await?;
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

/// Before iteration `it` (from the third on): whether the previous iteration reverted the
/// one before it. Records the comparison, and the ESCALATE decision when it does.
async fn oscillation(
    conn: &Connection,
    rc: &RunContext,
    p: &mut Progress,
    it: u32,
) -> Result<Option<String>> {
    super::files::private_dir(&rc.run_dir)?;
    let scratch = rc.run_dir.join("snapshot.index");
    let tree = crate::git::snapshot_tree(&rc.worktree, &scratch)?;
    let previous_tree = p.snapshot.replace(tree.clone());
    let Some(previous_tree) = previous_tree else { return Ok(None) };
    let change = crate::git::changed_lines(&rc.worktree, &previous_tree, &tree)?;
    let Some(previous) = p.change.replace(change.clone()) else { return Ok(None) };
    let revert = super::oscillation::revert_of(&previous, &change);
    let (undoing, undone) = (it - 1, it - 2);
    if !revert.oscillates() {
        return Ok(None);
    }
    let why = format!(
        "iteration {undoing} reverted {:.0}% of iteration {undone}'s changed lines ({} of {}), over {:.0}%",
        revert.share * 100.0,
        revert.restored_lines,
        revert.previous_lines,
        super::oscillation::REVERT_SHARE * 100.0
    );
    let data = json!({"iteration": undoing, "reverted": undone, "revert": revert, "reason": why});
    record::event(conn, &rc.bus, &rc.task, undoing, "oscillation", data).await?;
    let data = json!({"decision": Decision::Escalate, "agent": "cfn", "reason": why});
    record::event(conn, &rc.bus, &rc.task, undoing, "decision", data).await?;
    rc.bus.signal_send(&rc.task, "decision", Decision::Escalate.as_str()).await?;
    Ok(Some(why))
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

#[allow(clippy::too_many_arguments)]
async fn phase_of(
    ctx: &Context,
    conn: &Connection,
    rc: &RunContext,
    role: Role,
    agents: &[(String, AgentProfile)],
    it: u32,
    feedback: &[String],
    evidence: &Evidence,
) -> Result<PhaseResult> {
    let mut specs = Vec::new();
    for (id, profile) in agents {
        let (spec, routing) = phase::prepare(rc, id, profile, it, feedback, evidence)?;
        record::event(conn, &rc.bus, &rc.task, it, "spawn", json!({"agent": id, "role": role.as_str(), "provider": routing.provider, "routed_by": routing.source})).await?;
        specs.push(spec);
    }
    let result = phase::run(rc, role, it, &specs).await?;
    for o in &result.outcomes {
        let report = result.reports.get(&o.agent_id).cloned().flatten();
        record::event(
            conn,
            &rc.bus,
            &rc.task,
            it,
            "agent",
            json!({"agent": o.agent_id, "outcome": o, "report": report}),
        )
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
