//! Agents a dead coordinator left behind. Each turn is recorded when it starts (process group
//! leader's pid and start time, or container id) and when it ends; a resumed run finds the turns
//! that never ended. Such an agent is **killed and run again**, never awaited: its report token
//! lived only in the dead coordinator's memory, so a report it makes could not be told from a
//! forgery, and a new turn gets a new token. A process is killed with its whole group (only if
//! it is still the process that was started: same pid, same start time); a container is removed.

use super::journal::{self, Unfinished};
use super::phase::RunContext;
use crate::agents::Started;
use crate::context::Context;
use anyhow::Result;
use rusqlite::Connection;
use serde_json::{json, Value};

/// Stops every agent of the run whose turn never ended and forgets those turns (they run again
/// when the run gets there). Returns what was found, for the `resume` event.
pub async fn stop(ctx: &Context, conn: &Connection, rc: &RunContext) -> Result<Vec<Value>> {
    let mut found = Vec::new();
    for Unfinished { iteration, agent, started } in journal::unfinished_turns(conn, &rc.task)? {
        let was_running = match &started {
            Started::Process { pid, start_time } => {
                let running = crate::process::still_running(*pid, *start_time);
                if running {
                    crate::process::kill_group(*pid);
                }
                running
            }
            Started::Container { id } if !id.is_empty() => remove_container(rc, id).await,
            Started::Container { .. } => false,
        };
        let what = match &started {
            Started::Process { pid, .. } => format!("pid {pid}"),
            Started::Container { id } => format!("container {}", id.chars().take(12).collect::<String>()),
        };
        if was_running {
            ctx.say(format!(
                "iteration {iteration}: {agent} ({what}) was still running: killed; it runs again"
            ));
        } else {
            ctx.say(format!("iteration {iteration}: {agent} ({what}) ended unrecorded; it runs again"));
        }
        journal::forget_turn(conn, &rc.task, iteration, &agent)?;
        let (pid, container) = match &started {
            Started::Process { pid, .. } => (Some(*pid), None),
            Started::Container { id } => (None, Some(id.clone())),
        };
        found.push(json!({"agent": agent, "iteration": iteration, "pid": pid, "container": container, "was_running": was_running, "action": "killed, run again"}));
    }
    Ok(found)
}

/// Removes the container if it is still there; whether it was.
pub(super) async fn remove_container(rc: &RunContext, id: &str) -> bool {
    let engine = match &rc.engine {
        Some(engine) => engine.clone(),
        None => match crate::engine::Engine::connect().await {
            Ok(engine) => engine,
            Err(_) => return false,
        },
    };
    let options = bollard::query_parameters::RemoveContainerOptionsBuilder::default().force(true).build();
    engine.docker.remove_container(id, Some(options)).await.is_ok()
}
