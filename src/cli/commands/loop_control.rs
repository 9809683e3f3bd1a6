//! `cfn loop kill-agent|add-agent|decide`: requests to a live run, carried out by its
//! coordinator (another process), which answers each one (workloop/control.rs). The command
//! waits for that answer a few seconds.

use crate::branch::Workspace;
use crate::context::Context;
use crate::error::UserError;
use crate::workloop::{self, Decision, Request};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct KillAgentArgs {
    /// The run (`cfn loop list`).
    task_id: String,
    /// The agent's id, as `cfn loop status` shows it.
    agent: String,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct AddAgentArgs {
    /// The run (`cfn loop list`); run this in its repository.
    task_id: String,
    /// A profile of `[agents.<id>]` (an implementer or a validator); it joins from the next phase
    /// of its role that starts.
    profile: String,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub struct DecideArgs {
    /// The run waiting for a decision (status `waiting`).
    task_id: String,
    #[arg(long, value_parser = ["PROCEED", "ITERATE", "ABORT"])]
    decision: String,
    /// Why: the implementers hear it as feedback when the decision is ITERATE.
    #[arg(long, default_value = "")]
    reason: String,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

pub fn kill_agent(ctx: &Context, a: KillAgentArgs) -> Result<()> {
    let state = crate::state::State::open(&ctx.home)?;
    let request = workloop::kill_agent(state.conn(), Some(&a.task_id), &a.agent)?;
    conclude(ctx, state.conn(), request, "killed", a.json)
}

pub fn add_agent(ctx: &Context, a: AddAgentArgs) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = run_branch(&ws, &a.task_id)?;
    let request = workloop::add_agent(ws.state.conn(), (&ws, &branch), &a.task_id, &a.profile)?;
    ctx.say(format!("agent {} joins loop {} from the next phase of its role", a.profile, a.task_id));
    if a.json {
        crate::cli::output::json(&request)?;
    }
    Ok(())
}

pub fn decide(ctx: &Context, a: DecideArgs) -> Result<()> {
    let decision = match a.decision.as_str() {
        "PROCEED" => Decision::Proceed,
        "ABORT" => Decision::Abort,
        _ => Decision::Iterate,
    };
    let state = crate::state::State::open(&ctx.home)?;
    let request = workloop::decide(state.conn(), &a.task_id, decision, &a.reason)?;
    conclude(ctx, state.conn(), request, "decided", a.json)
}

/// The branch a run belongs to, in the repository of this checkout.
pub fn run_branch(ws: &Workspace, task: &str) -> Result<crate::branch::BranchEnv> {
    let run = workloop::run_row(ws.state.conn(), task)?.ok_or_else(|| {
        UserError::new(format!("no loop run {task}"))
            .kind(crate::error::Kind::NotFound)
            .hint("`cfn loop list` shows the runs")
    })?;
    ws.branch_env(run.branch.as_deref())
}

/// Waits for the coordinator's answer: what was asked was done, or why not.
fn conclude(
    ctx: &Context,
    conn: &rusqlite::Connection,
    request: Request,
    done: &str,
    json: bool,
) -> Result<()> {
    let answer = workloop::control_answer(conn, request.id, workloop::ANSWER_WITHIN)?;
    if json {
        crate::cli::output::json(&serde_json::json!({ "request": request, "answer": answer }))?;
    }
    match answer {
        Some(a) if a.outcome == done => {
            ctx.say(format!(
                "loop {}: {} {done}",
                request.task_id,
                request.agent.as_deref().unwrap_or("decision")
            ));
            Ok(())
        }
        Some(a) => Err(UserError::new(format!("loop {}: {}", request.task_id, a.outcome))
            .hint(format!("`cfn loop status {}` shows where the run is", request.task_id))
            .into()),
        None => Err(UserError::new(format!("loop {}'s coordinator has not answered yet", request.task_id))
            .code(crate::error::exit::TIMEOUT)
            .hint(format!(
                "the request stays asked; `cfn loop status {}` shows when it is carried out",
                request.task_id
            ))
            .into()),
    }
}
