//! `cfn worktree list`: the registered worktrees.

use crate::branch::Workspace;
use crate::cli::commands::args::JsonArg;
use crate::cli::commands::view::{ports_inline, WorktreeView};
use crate::context::Context;
use crate::state::WorktreeRow;
use anyhow::Result;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    json: JsonArg,
}

/// A worktree with where its last operation stands.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Listed {
    #[serde(flatten)]
    view: WorktreeView,
    /// `ready`; `adding`/`removing` while that runs (see `pid`); `add interrupted` or
    /// `remove interrupted` when its process is gone (`cfn doctor --fix` settles it).
    state: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pid: Option<u32>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let listed = listed(&Workspace::open(ctx)?)?;
    if args.json.on {
        return crate::cli::output::json(&listed);
    }
    let rows: Vec<Vec<String>> = listed
        .iter()
        .map(|l| {
            let v = &l.view;
            let mark = if v.exists { "" } else { " (missing)" };
            let state = match l.pid {
                Some(pid) if !l.state.contains("interrupted") => format!("{} (pid {pid})", l.state),
                _ => l.state.clone(),
            };
            vec![
                v.branch.clone(),
                v.slot.to_string(),
                v.project.clone(),
                format!("{}{mark}", v.path),
                state,
                ports_inline(&v.ports),
            ]
        })
        .collect();
    crate::cli::output::table(&["BRANCH", "SLOT", "PROJECT", "PATH", "STATE", "PORTS"], &rows)
}

/// Every worktree of the repository with where its last operation stands (`list --json`).
pub fn listed(ws: &Workspace) -> Result<Vec<Listed>> {
    let rows = WorktreeRow::list(ws.state.conn(), ws.repo.id)?;
    let mut listed = Vec::new();
    for env in ws.all_envs()? {
        let row = rows.iter().find(|r| !env.is_main && r.branch == env.branch);
        let (state, pid) = match row {
            Some(r) => state_of(ws, r)?,
            None => ("ready".to_string(), None),
        };
        listed.push(Listed { view: WorktreeView::from(&env), state, pid });
    }
    Ok(listed)
}

fn state_of(ws: &Workspace, row: &WorktreeRow) -> Result<(String, Option<u32>)> {
    let Some(op) = row.operation else { return Ok(("ready".into(), None)) };
    let state = match (row.is_owned(ws.state.home())?, op) {
        (true, crate::state::Operation::Remove) => "removing".to_string(),
        (true, crate::state::Operation::Adopt) => "registering".to_string(),
        (true, crate::state::Operation::Add) => "adding".to_string(),
        (false, op) => format!("{} interrupted", op.as_str()),
    };
    Ok((state, row.owner_pid))
}
