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
    // Before anything else runs: no agent may read cfn's memory or environment, and the keys
    // leave cfn's own environment (agents/credentials.rs).
    crate::agents::make_undumpable()?;
    crate::agents::adopt_orphans()?;
    let keyring = crate::agents::Keyring::take_from_env(&ws.config.providers);
    let settings = Settings::resolve(&ws.config, opts.mode, opts.max_iterations)?;
    // An agent's command comes from cfn.toml: it runs only once trusted, like any of the
    // repository's commands, and before the run leaves any trace.
    let team = settings.implementers.iter().chain(&settings.validators).chain([&settings.product_owner]);
    let agents: Vec<_> =
        team.map(|(id, p)| crate::branch::trust::inventory::agent(ws, branch, id, p)).collect();
    // The checks are the repository's commands too, run in the branch like health commands.
    let mut items = crate::branch::trust::inventory::loop_checks(ws, branch);
    items.extend(agents);
    crate::branch::trust::require(ctx, ws, &items, opts.yes)?;
    super::preflight::check_routing(ws, &settings, &opts, &keyring)?;
    let task = opts.task_id.clone().unwrap_or_else(new_task_id);
    bus::keys::check("task id", &task).map_err(|e| crate::branch::bus::user_error(e, None))?;
    if record::run_row(ws.state.conn(), &task)?.is_some() {
        return Err(UserError::usage(format!("task {task} has already run"))
            .hint("pick another --task-id")
            .into());
    }
    let choice = opts.bus.clone();
    let (bus, bus_env) = open_pinned(ctx, &choice).await?;
    ctx.say(format!("task {task} on {}", bus.describe()));
    let rc = run_context(ws, branch, &settings, &opts, (task.clone(), keyring), bus, bus_env).await?;
    let conn = ws.state.conn();
    record::start_run(
        conn,
        &task,
        ws.repo.id,
        &branch.branch,
        &opts.epic,
        settings.mode.as_str(),
        &rc.bus.describe(),
    )?;
    let result = super::iterate::iterate(ctx, conn, &rc, &settings).await;
    let summary = match result {
        Ok(mut summary) => {
            summary.usage = super::usage::from_events(&record::run_events(conn, &task, 0)?);
            if let Some(usage) = &summary.usage {
                ctx.say(format!("usage: {}", super::usage::describe(&usage.total)));
            }
            summary
        }
        Err(e) => {
            let reason = format!("{e:#}");
            record::finish_run(conn, &task, RunStatus::Failed, Some(&reason), 0)?;
            return Err(e.context(UserError::new(format!("loop {task} failed")).hint(format!(
                "`cfn loop status {task}` shows what happened; agents' logs are in {}",
                rc.run_dir.display()
            ))));
        }
    };
    record::finish_run(conn, &task, summary.status, summary.reason.as_deref(), summary.iterations)?;
    Ok(summary)
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
            Ok((bus, ("CFN_BUS_PATH".into(), path.to_string_lossy().into_owned())))
        }
    }
}

async fn run_context(
    ws: &Workspace,
    branch: &BranchEnv,
    s: &Settings,
    opts: &RunOptions,
    (task, keyring): (String, crate::agents::Keyring),
    bus: Bus,
    bus_env: (String, String),
) -> Result<RunContext> {
    // The wall-time budget counts from here: the bus is open, the run is about to start.
    let started = std::time::Instant::now();
    let containers =
        s.implementers.iter().chain(&s.validators).chain([&s.product_owner]).any(|(_, p)| p.image.is_some());
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
        task,
    })
}

/// `t-20261128T190102-a1b2c3`: sortable and unique.
fn new_task_id() -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let noise = crate::names::short_hash(&format!("{}-{}", now.as_nanos(), std::process::id()));
    format!("t-{}-{noise}", now.as_secs())
}
