//! `up` and `down` for one branch: compose with the branch's files, then the wait.

use super::describe::describe;
use super::wait::{wait_ready, WaitOutcome, Watch};
use crate::branch;
use crate::branch::files::StackFiles;
use crate::branch::{BranchEnv, Workspace};
use crate::compose::runner::{self, ComposeTool};
use crate::context::Context;
use crate::engine::{last_health_output, last_log_lines, ContainerInfo, Engine};
use crate::error::{exit, UserError};
use anyhow::Result;
use std::time::Duration;

/// How many log lines a failure report shows per service.
const LOG_LINES: usize = 15;

pub struct UpOptions {
    pub timeout: Duration,
    pub wait: bool,
    pub services: Vec<String>,
}

/// The compose program, the engine and the rendered files: what every stack command needs.
pub struct StackHandle {
    pub tool: ComposeTool,
    pub engine: Engine,
    pub files: StackFiles,
}

pub async fn prepare(ws: &Workspace, branch: &BranchEnv) -> Result<StackHandle> {
    let files = branch::files::render(ws, branch)?;
    let tool = runner::detect()?;
    let engine = Engine::connect_to(&files.engine).await?;
    Ok(StackHandle { tool, engine, files })
}

/// `compose up -d`, then waits until every service is ready, telling `watch` how it goes.
/// Returns the ready containers.
pub async fn up(
    ctx: &Context,
    branch: &BranchEnv,
    stack: &StackHandle,
    opts: &UpOptions,
    watch: &mut dyn Watch,
) -> Result<Vec<ContainerInfo>> {
    let mut args = vec!["up".to_string(), "-d".to_string()];
    args.extend(opts.services.iter().cloned());
    run_compose(stack, branch, &args, "up")?;
    if !opts.wait {
        return Ok(Vec::new());
    }
    ctx.say(format!("waiting for {} to be ready (timeout {}s)", branch.project, opts.timeout.as_secs()));
    let outcome = wait_ready(&stack.engine, &branch.project, &opts.services, opts.timeout, watch).await?;
    match outcome {
        WaitOutcome::Ready(containers) => Ok(containers),
        WaitOutcome::Failed(failed) => {
            report(&stack.engine, &failed, watch).await;
            let names: Vec<String> =
                failed.iter().map(|c| format!("{} ({})", c.service, describe(c))).collect();
            Err(UserError::new(format!("service failed: {}", names.join(", ")))
                .hint(format!(
                    "see its logs with `cfn logs {}`; the stack's other services keep running \
                     (`cfn down` stops them, volumes kept)",
                    failed[0].service
                ))
                .into())
        }
        WaitOutcome::TimedOut(waiting) => {
            report(&stack.engine, &waiting, watch).await;
            let names: Vec<String> =
                waiting.iter().map(|c| format!("{} ({})", c.service, describe(c))).collect();
            Err(UserError::new(format!(
                "timed out after {}s waiting for {}",
                opts.timeout.as_secs(),
                names.join(", ")
            ))
            .hint(
                "raise --timeout, or check the service's health check and logs; the stack keeps \
                 running (`cfn down` stops it, volumes kept)",
            )
            .code(exit::TIMEOUT)
            .into())
        }
    }
}

/// Stops the branch's stack: `compose down`, with `--volumes` only when asked (the caller
/// confirms). When compose cannot do it — a base file that no longer parses, a compose run that
/// fails — the containers and networks (and, if asked, volumes) carrying the branch's project
/// label are removed through the engine instead: a broken file must never keep a stack
/// running that the user asked to stop.
pub async fn down(ctx: &Context, ws: &Workspace, branch: &BranchEnv, volumes: bool) -> Result<()> {
    let engine = branch.connect_engine().await?;
    // Containers of services no longer in the files (removed on the branch) are the stack's
    // too: left running they would keep their ports after the leases are released.
    let mut args = vec!["down".to_string(), "--remove-orphans".to_string()];
    if volumes {
        args.push("--volumes".into());
    }
    let by_compose = branch::files::render(ws, branch).and_then(|files| {
        let stack = StackHandle { tool: runner::detect()?, engine: engine.clone(), files };
        run_compose(&stack, branch, &args, "down")
    });
    let Err(why) = by_compose else { return stop_strays(ctx, &engine, &branch.project).await };
    ctx.warn(format!("compose cannot stop {}: {why:#}", branch.project));
    ctx.say(format!("stopping {} by its engine labels instead", branch.project));
    let done = engine.teardown(&branch.project, volumes).await?;
    ctx.say(format!(
        "removed {} container(s), {} network(s), {} volume(s) of {}",
        done.containers.len(),
        done.networks.len(),
        done.volumes.len(),
        branch.project
    ));
    Ok(())
}

/// After `compose down`: removes what still carries the project's label — a container compose
/// does not count as its own (made by hand or another tool with the label) would otherwise
/// keep running, and keep its ports, after the branch is reported down. Volumes stay.
async fn stop_strays(ctx: &Context, engine: &Engine, project: &str) -> Result<()> {
    let left = engine.containers(&[project]).await?;
    if left.is_empty() {
        return Ok(());
    }
    let done = engine.teardown(project, false).await?;
    ctx.say(format!(
        "removed {} container(s) of {project} that compose left: {}",
        done.containers.len(),
        done.containers.join(", ")
    ));
    Ok(())
}

fn run_compose(stack: &StackHandle, branch: &BranchEnv, args: &[String], what: &str) -> Result<()> {
    let status =
        stack.tool.command(&stack.files.project(&branch.project), args).cwd(&branch.path).interactive()?;
    if !status.success() {
        return Err(UserError::new(format!("compose {what} failed ({status})"))
            .hint("its own messages above say why; `cfn compose config` shows what it ran")
            .into());
    }
    Ok(())
}

/// Tells `watch`, for each container, its last health-check output and its last log lines.
async fn report(engine: &Engine, containers: &[ContainerInfo], watch: &mut dyn Watch) {
    for c in containers {
        watch.detail(&format!("--- {} ({}): {}", c.service, c.name, describe(c)));
        if let Ok(Some(health)) = last_health_output(engine, &c.id).await {
            watch.detail(&format!("last health check: {health}"));
        }
        if let Ok(lines) = last_log_lines(engine, &c.id, LOG_LINES).await {
            for line in lines {
                watch.detail(&format!("  | {line}"));
            }
        }
    }
}
