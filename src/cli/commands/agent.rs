//! `cfn agent report|…`: what an agent of the loop calls to report its work.

use super::bus_args::{value_or_file, with_bus, within_limit, BusArgs, TaskArg};
use crate::agents::report_token::AgentToken;
use crate::bus::{Report, Status};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Report an agent's result for an iteration (the first report of an agent counts). Inside a
    /// loop run, the report is signed with the agent's own token and counts only for itself.
    Report(ReportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    #[command(flatten)]
    task: TaskArg,
    #[arg(long, env = "CFN_AGENT_ID")]
    agent_id: String,
    /// The loop iteration the report belongs to.
    #[arg(long, env = "CFN_ITERATION", default_value = "1")]
    iteration: u32,
    /// Confidence from 0 to 1.
    #[arg(long)]
    confidence: f64,
    #[arg(long, default_value = "ok", value_parser = ["ok", "failed"])]
    status: String,
    /// A JSON payload, or @file to read it from a file.
    #[arg(long)]
    payload: Option<String>,
    #[command(flatten)]
    bus: BusArgs,
}

pub async fn run(ctx: &Context, cmd: AgentCommand) -> Result<()> {
    let AgentCommand::Report(a) = cmd;
    let status = if a.status == "failed" { Status::Failed } else { Status::Ok };
    let payload = match &a.payload {
        Some(p) => Some(serde_json::from_str(&value_or_file(p)?).map_err(|e| {
            UserError::usage(format!("--payload is not JSON: {e}"))
                .hint("pass a JSON value, or @file holding one")
        })?),
        None => None,
    };
    let request = ReportRequest {
        task_id: a.task.task_id,
        agent_id: a.agent_id,
        iteration: a.iteration,
        confidence: a.confidence,
        status,
        payload,
    };
    if !report(ctx, &a.bus, request).await? {
        ctx.say("an earlier report of this agent and iteration counts; this one was ignored");
    }
    Ok(())
}

/// An agent's report, as `cfn agent report` takes it.
pub struct ReportRequest {
    pub task_id: String,
    pub agent_id: String,
    pub iteration: u32,
    pub confidence: f64,
    pub status: Status,
    pub payload: Option<serde_json::Value>,
}

/// Puts the report on the bus (signed with the agent's own token inside a loop run); true
/// when it is the first of that agent and iteration, the one that counts.
pub async fn report(ctx: &Context, bus: &BusArgs, a: ReportRequest) -> Result<bool> {
    let (status, payload) = (a.status, a.payload);
    let token = AgentToken::from_env();
    if token.is_some() {
        refuse_other_agent(&a.agent_id)?;
    }
    let report = Report::new(&a.agent_id, a.iteration, a.confidence, status, payload)
        .map_err(|e| crate::branch::bus::user_error(e, None))?;
    let report = match &token {
        Some(token) => token.sign(&a.task_id, report),
        None => report,
    };
    let json = report.to_json().map_err(|e| crate::branch::bus::user_error(e, None))?;
    within_limit("report", json.len())?;
    with_bus(ctx, bus, |bus| async move { bus.put_report(&a.task_id, &report).await }).await
}

/// An agent started by a loop holds one agent's token: it reports for that agent only.
fn refuse_other_agent(requested: &str) -> Result<()> {
    match std::env::var("CFN_AGENT_ID") {
        Ok(own) if own != requested => {
            Err(UserError::usage(format!("this agent is {own}; a report for agent {requested} is refused"))
                .hint("an agent reports only for itself: drop --agent-id")
                .into())
        }
        _ => Ok(()),
    }
}
