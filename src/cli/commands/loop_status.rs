//! `cfn loop status` and `cfn loop list`: read from the state database, so they show a run live
//! (from another terminal) or long after it ended.

use crate::context::Context;
use crate::error::UserError;
use crate::state::State;
use crate::workloop;
use anyhow::Result;
use std::time::Duration;

pub fn status(ctx: &Context, task: &str, follow: bool, json: bool) -> Result<()> {
    let state = State::open(&ctx.home)?;
    let conn = state.conn();
    let missing = || UserError::new(format!("no loop run {task}")).hint("`cfn loop list` shows the runs");
    let mut row = workloop::run_row(conn, task)?.ok_or_else(missing)?;
    if json && !follow {
        let events = workloop::run_events(conn, task, 0)?;
        let usage = workloop::usage_of(&events);
        return crate::cli::output::json(
            &serde_json::json!({ "run": row, "events": events, "usage": usage }),
        );
    }
    crate::cli::output::line(format_args!(
        "task {} ({}, {}) on {}: {}",
        row.task_id,
        row.mode,
        row.branch.clone().unwrap_or_default(),
        row.bus,
        row.status
    ))?;
    let mut last = 0;
    loop {
        for e in workloop::run_events(conn, task, last)? {
            let said = super::loop_events::describe(&e.kind, &e.data);
            crate::cli::output::line(format_args!("{}  #{}  {:<11} {said}", e.at, e.iteration, e.kind))?;
            last = e.id;
        }
        row = workloop::run_row(conn, task)?.ok_or_else(missing)?;
        if !follow || row.status != workloop::RunStatus::Running {
            break;
        }
        // Following reads the local database; the bus is not needed to watch a run.
        std::thread::sleep(Duration::from_millis(200));
    }
    if let Some(usage) = workloop::usage_of(&workloop::run_events(conn, task, 0)?) {
        for (agent, u) in &usage.agents {
            println!("usage of {agent}: {}", workloop::describe_usage(u));
        }
        println!("usage: {}", workloop::describe_usage(&usage.total));
    }
    if let Some(reason) = &row.reason {
        crate::cli::output::line(format_args!("{}: {reason}", row.status))?;
    }
    Ok(())
}

pub fn list(ctx: &Context, json: bool) -> Result<()> {
    let state = State::open(&ctx.home)?;
    let runs = workloop::list_runs(state.conn())?;
    if json {
        return crate::cli::output::json(&runs);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            let epic: String = r.epic.chars().take(40).collect::<String>().replace('\n', " ");
            vec![
                r.task_id.clone(),
                r.status.to_string(),
                r.iterations.to_string(),
                r.started_at.clone(),
                epic,
            ]
        })
        .collect();
    crate::cli::output::table(&["TASK", "STATUS", "ITERATIONS", "STARTED", "EPIC"], &rows)
}
