//! Driving a run: settings, bus, then iterations of implementers → gate → validators →
//! consensus → product owner, until PROCEED, ABORT, or the iterations run out.

use super::decision::Decision;
use super::phase::RunContext;
use super::record;
use super::settings::Settings;
use super::status::RunStatus;
use crate::agents::Mode;
use crate::branch;
use crate::branch::{BranchEnv, Workspace};
use crate::bus::{self, Bus, BusTarget};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use serde::Serialize;

pub struct RunOptions {
    pub epic: String,
    pub task_id: Option<String>,
    pub mode: Option<Mode>,
    pub max_iterations: Option<u32>,
    pub high_complexity: bool,
    pub cost_sensitive: bool,
    /// The bus the task starts on (its password, if any, already in the URL).
    pub bus: bus::BusChoice,
    /// Trust the team's agent commands without asking (`--yes`).
    pub yes: bool,
    /// Keep implementers' worktrees whose merge was refused, and all of a failed run (`--keep`).
    pub keep: bool,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub task_id: String,
    /// `proceed`, `abort`, `exhausted`, `failed`, `budget` or `escalate`.
    pub status: RunStatus,
    pub decision: Option<Decision>,
    pub iterations: u32,
    pub reason: Option<String>,
    pub bus: String,
    pub gate: Option<f64>,
    pub consensus: Option<f64>,
    /// Tokens and cost the CLI agents reported (none for `command` agents).
    pub usage: Option<super::usage::RunUsage>,
}

pub async fn run(ctx: &Context, ws: &Workspace, branch: &BranchEnv, opts: RunOptions) -> Result<Summary> {
    let (settings, keyring) = team(ctx, ws, branch, &opts, opts.mode, opts.max_iterations)?;
    let task = opts.task_id.clone().unwrap_or_else(new_task_id);
    bus::keys::check("task id", &task).map_err(|e| crate::branch::bus::user_error(e, None))?;
    let _coordinating = super::coordinator::take(&ctx.home, &task)?;
    if record::run_row(ws.state.conn(), &task)?.is_some() {
        return Err(UserError::usage(format!("task {task} has already run"))
            .hint(format!("pick another --task-id, or `cfn loop resume {task}` to continue it"))
            .into());
    }
    if settings.isolation == crate::config::agents::Isolation::Worktrees {
        super::lanes::require_clean(&branch.path)?;
    }
    let choice = opts.bus.clone();
    let (bus, bus_env) = open_pinned(ctx, &choice).await?;
    ctx.say(format!("task {task} on {}", bus.describe()));
    let rc = run_context(ws, branch, &settings, &opts, (task.clone(), keyring), bus, bus_env, 0.0).await?;
    let stored = record::StoredOptions {
        max_iterations: settings.max_iterations,
        high_complexity: opts.high_complexity,
        cost_sensitive: opts.cost_sensitive,
    };
    record::start_run(
        ws.state.conn(),
        &task,
        ws.repo.id,
        &branch.branch,
        &opts.epic,
        settings.mode.as_str(),
        &rc.bus.describe(),
        &stored,
    )?;
    drive(ctx, (ws, branch), &rc, &settings).await
}

/// `cfn loop resume`: continues a run whose coordinator died (or that was interrupted or failed)
/// from its last finished step, on the same bus, with the same options. Agents still running
/// from the dead coordinator are killed and run again (their report token died with it).
pub async fn resume(
    ctx: &Context,
    ws: &Workspace,
    task: &str,
    choice: bus::BusChoice,
    yes: bool,
    keep: bool,
) -> Result<Summary> {
    let _coordinating = super::coordinator::take(&ctx.home, task)?;
    let conn = ws.state.conn();
    let row = record::run_row(conn, task)?.ok_or_else(|| {
        UserError::new(format!("no loop run {task}"))
            .kind(crate::error::Kind::NotFound)
            .hint("`cfn loop list` shows the runs")
    })?;
    if !matches!(row.status, RunStatus::Interrupted | RunStatus::Failed | RunStatus::Running) {
        return Err(UserError::usage(format!(
            "loop {task} ended as {}; there is nothing to resume",
            row.status
        ))
        .hint(format!("`cfn loop status {task}` shows how it ended; start a new run with `cfn loop run`"))
        .into());
    }
    let stored = record::stored_options(conn, task)?.ok_or_else(|| {
        UserError::new(format!("loop {task} was started by a cfn that did not record how to resume it"))
            .hint("start a new run with `cfn loop run`")
    })?;
    let branch = ws.branch_env(row.branch.as_deref())?;
    let mode = <Mode as clap::ValueEnum>::from_str(&row.mode, true)
        .map_err(|e| anyhow::anyhow!("loop {task} has an unknown mode {:?}: {e}", row.mode))?;
    let opts = RunOptions {
        epic: row.epic.clone(),
        task_id: Some(task.to_string()),
        mode: Some(mode),
        max_iterations: Some(stored.max_iterations),
        high_complexity: stored.high_complexity,
        cost_sensitive: stored.cost_sensitive,
        bus: choice.clone(),
        yes,
        keep,
    };
    let (settings, keyring) = team(ctx, ws, &branch, &opts, opts.mode, opts.max_iterations)?;
    let (bus, bus_env) = open_pinned(ctx, &choice).await?;
    if bus.describe() != row.bus {
        return Err(UserError::usage(format!("loop {task} ran on {}, not on {}", row.bus, bus.describe()))
            .hint(
                "resume it on the same bus: pass the same --redis-url / CFN_REDIS_URL as `cfn loop run` had",
            )
            .into());
    }
    let elapsed = record::seconds_since_start(conn, task)?;
    let rc = run_context(ws, &branch, &settings, &opts, (task.to_string(), keyring), bus, bus_env, elapsed)
        .await?;
    let from = super::journal::last_step(conn, task)?;
    let stopped = super::leftovers::stop(ctx, conn, &rc).await?;
    record::claim(conn, task)?;
    let after = from.as_ref().map(|(it, step)| format!("iteration {it}, step {step}"));
    ctx.say(format!(
        "resuming task {task} on {} after {}",
        rc.bus.describe(),
        after.as_deref().unwrap_or("no finished step")
    ));
    let data = serde_json::json!({ "after": from.as_ref().map(|(it, step)| serde_json::json!({"iteration": it, "step": step})), "killed": stopped });
    record::event(conn, &rc.bus, task, from.map_or(1, |(it, _)| it), "resume", data).await?;
    drive(ctx, (ws, &branch), &rc, &settings).await
}

/// The team's settings, once every agent and check is trusted and routed, and the providers'
/// keys taken out of cfn's environment.
fn team(
    ctx: &Context,
    ws: &Workspace,
    branch: &BranchEnv,
    opts: &RunOptions,
    mode: Option<Mode>,
    max_iterations: Option<u32>,
) -> Result<(Settings, crate::agents::Keyring)> {
    // Before anything else runs: no agent may read cfn's memory or environment, and the keys
    // leave cfn's own environment (agents/credentials.rs).
    crate::agents::make_undumpable()?;
    crate::agents::adopt_orphans()?;
    let keyring = crate::agents::Keyring::take_from_env(&ws.config.providers);
    let settings = Settings::resolve(&ws.config, mode, max_iterations)?;
    // An agent's command comes from cfn.toml: it runs only once trusted, like any of the
    // repository's commands, and before the run leaves any trace.
    let team = settings.implementers.iter().chain(&settings.validators).chain([&settings.product_owner]);
    // A person runs nothing.
    let agents: Vec<_> = team
        .filter(|(_, p)| p.kind != crate::agents::AgentKind::Person)
        .map(|(id, p)| crate::branch::trust::inventory::agent(ws, branch, id, p))
        .collect();
    // The checks are the repository's commands too, run in the branch like health commands.
    let mut items = crate::branch::trust::inventory::loop_checks(ws, branch);
    items.extend(agents);
    crate::branch::trust::require(ctx, ws, &items, opts.yes)?;
    super::preflight::check_routing(ws, &settings, opts, &keyring)?;
    let team = settings.implementers.iter().chain(&settings.validators).chain([&settings.product_owner]);
    let processes =
        team.filter(|(_, p)| p.image.is_none() && p.kind != crate::agents::AgentKind::Person).count();
    if let (true, Err(why)) = (processes > 1, crate::agents::namespace::available()) {
        ctx.warn(format!(
            "agents running at the same time can read each other's environment (tokens, keys): {why}; see docs/security.md"
        ));
    }
    Ok((settings, keyring))
}

/// Runs (or replays, then runs) the iterations and records how the run ended. A bus that stays
/// unreachable past its reconnect window interrupts the run (exit 124, resumable); any other
/// error fails it.
async fn drive(
    ctx: &Context,
    (ws, branch): (&Workspace, &BranchEnv),
    rc: &RunContext,
    settings: &Settings,
) -> Result<Summary> {
    let conn = ws.state.conn();
    let task = &rc.task;
    let ended = super::iterate::iterate(ctx, (ws, branch), rc, settings).await;
    // Lanes are removed as they are merged; what a failed or interrupted run left goes too,
    // unless asked to keep it (`--keep` keeps refused merges and a failed run's lanes).
    if settings.isolation == crate::config::agents::Isolation::Worktrees && !rc.keep {
        super::lanes::remove_left(rc);
    }
    let summary = match ended {
        Ok(mut summary) => {
            summary.usage = super::usage::from_events(&record::run_events(conn, task, 0)?);
            if let Some(usage) = &summary.usage {
                ctx.say(format!("usage: {}", super::usage::describe(&usage.total)));
            }
            summary
        }
        Err(e) if bus_lost(&e) => {
            let reason = format!("the bus was unreachable for longer than its reconnect window: {e:#}");
            record::finish_run(conn, task, RunStatus::Interrupted, Some(&reason), 0)?;
            return Err(e.context(
                UserError::new(format!("loop {task} interrupted: its bus is gone"))
                    .code(crate::error::exit::TIMEOUT)
                    .hint(format!("once the bus is back, `cfn loop resume {task}` continues the run")),
            ));
        }
        Err(e) => {
            let reason = format!("{e:#}");
            record::finish_run(conn, task, RunStatus::Failed, Some(&reason), 0)?;
            return Err(e.context(UserError::new(format!("loop {task} failed")).hint(format!(
                "`cfn loop status {task}` shows what happened (`cfn loop resume {task}` tries again); agents' logs are in {}",
                rc.run_dir.display()
            ))));
        }
    };
    record::finish_run(conn, task, summary.status, summary.reason.as_deref(), summary.iterations)?;
    Ok(summary)
}

/// Whether the error is the Redis bus's connection lost for good (not a refused command).
fn bus_lost(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<bus::BusError>().is_some_and(bus::BusError::is_connection_lost))
}

/// Opens the bus the task is pinned to; the fallback is tried only here, at the start.
async fn open_pinned(ctx: &Context, choice: &bus::BusChoice) -> Result<(Bus, (String, String))> {
    match &choice.target {
        BusTarget::Redis(url) => {
            let fallback = std::env::var("REDIS_FALLBACK_1").ok();
            let connected = bus::connect_with_fallback(url, fallback.as_deref())
                .await
                .map_err(|e| crate::branch::bus::user_error(e, Some(choice)))?;
            if connected.used_fallback {
                ctx.warn(format!(
                    "primary redis unreachable; this task uses {}",
                    bus::redact(&connected.url)
                ));
            }
            Ok((connected.bus, ("CFN_REDIS_URL".into(), connected.url)))
        }
        BusTarget::Embedded(path) => {
            let bus = crate::branch::bus::open(ctx, choice).await?;
            Ok((bus, (crate::bus::BUS_PATH_VAR.into(), path.to_string_lossy().into_owned())))
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn run_context(
    ws: &Workspace,
    branch: &BranchEnv,
    s: &Settings,
    opts: &RunOptions,
    (task, keyring): (String, crate::agents::Keyring),
    bus: Bus,
    bus_env: (String, String),
    elapsed: f64,
) -> Result<RunContext> {
    // The wall-time budget counts from here: the bus is open, the run is about to start (a
    // resumed run counts the time since its start as spent).
    let now = std::time::Instant::now();
    let spent = std::time::Duration::try_from_secs_f64(elapsed).unwrap_or_default();
    let started = now.checked_sub(spent).unwrap_or(now);
    let containers = team_of(s).any(|(_, p)| p.image.is_some());
    super::files::private_dir(&branch::files::cfn_dir(&branch.path))?;
    let engine = if containers { Some(crate::engine::Engine::connect().await?) } else { None };
    let redis_service = ws.config.ports.keys.values().find(|k| k.target == 6379).map(|k| k.service.clone());
    let container_redis_url = match (&bus_env.0[..], redis_service) {
        ("CFN_REDIS_URL", Some(service)) => Some(format!("redis://{service}:6379")),
        _ => None,
    };
    Ok(RunContext {
        epic: opts.epic.clone(),
        mode: s.mode.as_str(),
        gate: s.gate,
        consensus: s.consensus,
        max_iterations: s.max_iterations,
        phase_timeout: s.phase_timeout,
        bus,
        bus_env,
        container_redis_url,
        engine,
        renderer: branch::files::renderer(ws),
        worktree: branch.path.clone(),
        branch: branch.branch.clone(),
        project: branch.project.clone(),
        repository: ws.repo.uid.clone(),
        run_dir: branch::files::cfn_dir(&branch.path).join("loop").join(super::files::folder_name(&task)),
        base_env: std::env::vars().collect(),
        keyring,
        branch_env: branch::files::env_vars(ws, branch)?,
        endpoints: serde_json::to_value(crate::stack::endpoints(&*ws.config_of(branch)?, branch))?,
        providers: ws.config.providers.clone(),
        default_provider: ws.config.work_loop.default_provider.clone(),
        high_complexity: opts.high_complexity,
        cost_sensitive: opts.cost_sensitive,
        started,
        deadline: s.budget.deadline(started),
        keep: opts.keep,
        mcp: branch::mcp_servers::access(ws, branch, team_of(s).map(|(_, p)| p))?,
        task,
    })
}

fn team_of(s: &Settings) -> impl Iterator<Item = &(String, crate::agents::AgentProfile)> {
    s.implementers.iter().chain(&s.validators).chain([&s.product_owner])
}

/// `t-20261128T190102-a1b2c3`: sortable and unique.
pub(super) fn new_task_id() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let noise = crate::names::short_hash(&format!("{}-{}", now.as_nanos(), std::process::id()));
    format!("t-{}-{noise}", now.as_secs())
}
