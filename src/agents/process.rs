//! A process agent: the profile's argument vector, run in the worktree in a process group of
//! its own, killed with everything it started when its deadline passes — and after it exits,
//! so nothing it left running outlives its turn.

use super::run::{AgentOutcome, AgentRun, Started};
use crate::process::kill_group;
use anyhow::{Context as _, Result};
use std::time::Instant;

pub async fn run(spec: &AgentRun, argv: &[String], on_start: &dyn Fn(Started)) -> Result<AgentOutcome> {
    let (program, args) = argv.split_first().context("the agent's command is empty")?;
    let log = AgentOutcome::open_log(spec).with_context(|| format!("cannot open {}", spec.log.display()))?;
    let started = Instant::now();
    // In a PID namespace of its own: it cannot read a sibling agent's environment.
    let cmd = super::namespace::command(spec, program, args);
    let mut child = match cmd.and_then(|cmd| cmd.spawn_group(&log)) {
        Ok(child) => child,
        Err(e) => return Ok(AgentOutcome::failed_to_start(spec, format!("{e:#}"))),
    };
    let pgid = child.id();
    if let Some(pid) = pgid {
        if let Some(start_time) = crate::process::start_time(pid) {
            on_start(Started::Process { pid, start_time });
        }
    }
    let waited = tokio::time::timeout(spec.timeout, child.wait()).await;
    if let Some(pgid) = pgid {
        kill_group(pgid);
    }
    let elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(match waited {
        Ok(status) => AgentOutcome::exited(spec, status?.code(), elapsed_ms),
        Err(_) => {
            let _ = child.wait().await;
            AgentOutcome::timed_out(spec, elapsed_ms)
        }
    })
}
