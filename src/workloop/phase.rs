//! One phase of an iteration: every agent of a role started at once, each with its own
//! deadline inside the phase's; then their reports read from the bus. The phase's confidence
//! is the mean over ALL its agents, an agent without an ok report counting 0.

use super::verify::{accept, Refused};
use crate::agents::adapters::PromptVia;
use crate::agents::report_token::{AgentToken, TOKEN_VAR};
use crate::agents::{
    self, AdapterRun, AgentContext, AgentKind, AgentOutcome, AgentProfile, AgentRun, ProviderConfig, Role,
    Started,
};
use crate::bus::{Bus, Report, Status};
use crate::engine::Engine;
use crate::error::UserError;
use crate::render::Renderer;
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What every agent of a run shares.
pub struct RunContext {
    pub task: String,
    pub epic: String,
    pub mode: &'static str,
    pub gate: f64,
    pub consensus: f64,
    pub max_iterations: u32,
    pub phase_timeout: Duration,
    pub bus: Bus,
    /// How agents reach the same bus: `CFN_REDIS_URL` or `CFN_BUS_PATH`.
    pub bus_env: (String, String),
    /// The Redis URL a container agent uses (service name on the stack's network).
    pub container_redis_url: Option<String>,
    pub engine: Option<Engine>,
    pub renderer: Renderer,
    pub worktree: PathBuf,
    pub branch: String,
    pub project: String,
    /// The repository's id (`dev.cfn.repository` on container agents).
    pub repository: Option<String>,
    pub run_dir: PathBuf,
    /// cfn's environment (provider credentials already taken out into `keyring`), from which
    /// each agent gets only the allowlisted part; and the branch's variables.
    pub base_env: Vec<(String, String)>,
    pub keyring: agents::Keyring,
    pub branch_env: IndexMap<String, String>,
    pub endpoints: serde_json::Value,
    pub providers: IndexMap<String, ProviderConfig>,
    pub default_provider: Option<String>,
    pub high_complexity: bool,
    pub cost_sensitive: bool,
    /// When the run started, for the wall-time budget.
    pub started: std::time::Instant,
    /// When the wall-time budget runs out: no agent's or check's timeout goes past it.
    pub deadline: Option<std::time::Instant>,
    /// `--keep`: implementers' worktrees whose merge was refused stay (`lanes`).
    pub keep: bool,
    /// The team's skills: each agent's MCP tokens and URLs.
    pub mcp: crate::branch::mcp_access::McpAccess,
}

/// What validators and the product owner are shown besides the epic and feedback: the
/// checks' results and (product owner) the validators' confidences. Empty for implementers.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub checks: serde_json::Value,
    pub confidences: serde_json::Value,
}

impl Default for Evidence {
    fn default() -> Self {
        Evidence { checks: serde_json::json!([]), confidences: serde_json::json!([]) }
    }
}

/// A phase's result, as iterations use it; kept by the run's journal (without the outcomes and
/// refused reports, which are recorded as events when the phase ends).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PhaseResult {
    #[serde(skip)]
    pub outcomes: Vec<AgentOutcome>,
    pub reports: IndexMap<String, Option<Report>>,
    pub mean: f64,
    /// Why agents count as failed: no report, failed report, timeout, crash.
    pub problems: Vec<String>,
    /// What the agents themselves said (`feedback` in their payloads).
    pub said: Vec<String>,
    /// Reports under the id of one of the phase's agents that were not that agent's.
    #[serde(skip)]
    pub refused: Vec<Refused>,
}

/// How one agent's turn ended: its outcome, its report once checked against its token, and —
/// for a CLI agent without a valid report block — why cfn reported it failed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AgentTurn {
    pub outcome: AgentOutcome,
    pub report: Option<Report>,
    pub missing: Option<String>,
}

/// Prepares one agent, to run in `workdir` (the branch's worktree, or an implementer's own):
/// routing, context file, environment. Returns the run spec and the provider it was routed to
/// (for the spawn event).
pub fn prepare(
    rc: &RunContext,
    id: &str,
    workdir: &Path,
    profile: &AgentProfile,
    iteration: u32,
    feedback: &[String],
    evidence: &Evidence,
) -> Result<(AgentRun, agents::Routing)> {
    let env_lookup = |k: &str| std::env::var(k).ok();
    let routing = agents::route_provider(
        profile,
        rc.high_complexity,
        rc.cost_sensitive,
        rc.default_provider.as_deref(),
        &env_lookup,
    );
    let provider = routing.provider.clone();
    let model =
        profile.model.clone().or_else(|| provider.as_ref().and_then(|p| rc.providers.get(p)?.model.clone()));
    let dir = rc.run_dir.join(format!("iter-{iteration}"));
    crate::workloop::files::private_dir(&dir)?;
    let slug = crate::workloop::files::folder_name(id);
    let context_path = dir.join(format!("{slug}.json"));
    let container = profile.image.is_some();
    let redis_url = if container { rc.container_redis_url.clone() } else { None }
        .or_else(|| (rc.bus_env.0 == "CFN_REDIS_URL").then(|| rc.bus_env.1.clone()));
    let ctx = AgentContext {
        task_id: rc.task.clone(),
        agent_id: id.to_string(),
        role: profile.role.as_str(),
        iteration,
        max_iterations: rc.max_iterations,
        mode: rc.mode,
        epic: rc.epic.clone(),
        gate_threshold: rc.gate,
        consensus_threshold: rc.consensus,
        feedback: feedback.to_vec(),
        endpoints: rc.endpoints.clone(),
        provider: provider.clone(),
        model: model.clone(),
        temperature: profile.temperature,
        max_tokens: profile.max_tokens,
        redis_url: redis_url.clone(),
        branch: rc.branch.clone(),
        worktree: workdir.to_string_lossy().into_owned(),
        checks: evidence.checks.clone(),
        confidences: evidence.confidences.clone(),
    };
    agents::write_context_file(&rc.renderer, &ctx, &context_path)?;
    let credentials = agents::all_credentials(&rc.providers);
    let own_credentials = rc.keyring.credentials(provider.as_deref(), &rc.providers);
    let mut env = agents::allowlisted(rc.base_env.clone(), &profile.env, &credentials, container);
    env.extend(
        rc.branch_env
            .iter()
            .filter(|(k, _)| k.as_str() != "CFN_REDIS_URL" && !credentials.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    env.extend(own_credentials.iter().cloned());
    if profile.kind != AgentKind::Command {
        let routed = agents::adapters::routing::cli_env(
            profile.kind,
            provider.as_deref(),
            &rc.providers,
            &own_credentials,
        )
        .map_err(|why| routing_error(id, profile, &why))?;
        env.retain(|(k, _)| !routed.iter().any(|(r, _)| r == k));
        env.extend(routed);
    }
    let token = AgentToken::random()?;
    // A container sees the worktree at /workspace: paths inside it are given as it sees them.
    let as_agent_sees = |path: &Path| -> PathBuf {
        match path.strip_prefix(&rc.worktree) {
            Ok(rel) if container => PathBuf::from("/workspace").join(rel),
            _ => path.to_path_buf(),
        }
    };
    let context_in_agent = as_agent_sees(&context_path);
    let bus_env = match (&redis_url, container) {
        (Some(url), true) => ("CFN_REDIS_URL".to_string(), url.clone()),
        _ if rc.bus_env.0 == crate::bus::BUS_PATH_VAR => {
            (rc.bus_env.0.clone(), as_agent_sees(Path::new(&rc.bus_env.1)).to_string_lossy().into_owned())
        }
        _ => rc.bus_env.clone(),
    };
    env.extend([
        ("CFN_TASK_ID".to_string(), rc.task.clone()),
        ("CFN_AGENT_ID".to_string(), id.to_string()),
        ("CFN_ITERATION".to_string(), iteration.to_string()),
        ("CFN_ROLE".to_string(), profile.role.as_str().to_string()),
        ("CFN_CONTEXT_FILE".to_string(), context_in_agent.to_string_lossy().into_owned()),
        ("CFN_PROVIDER".to_string(), provider.unwrap_or_default()),
        ("CFN_MODEL".to_string(), model.clone().unwrap_or_default()),
        ("CFN_TEMPERATURE".to_string(), profile.temperature.map(|t| t.to_string()).unwrap_or_default()),
        ("CFN_MAX_TOKENS".to_string(), profile.max_tokens.map(|t| t.to_string()).unwrap_or_default()),
        bus_env,
        (TOKEN_VAR.to_string(), token.as_str().to_string()),
        // The agent's own bus commands (its report) ride out a restart of the run's Redis.
        (
            crate::bus::redis_conn::RECONNECT_VAR.to_string(),
            crate::bus::redis_conn::reconnect_window().as_secs_f64().to_string(),
        ),
    ]);
    let (command, adapter) = match profile.kind {
        AgentKind::Command => (profile.command.clone(), None),
        kind => {
            let prompt_path = dir.join(format!("{slug}.prompt.md"));
            let prompt = super::prompt::render(rc, profile, &ctx, &context_in_agent, &prompt_path)?;
            let argv = agents::adapters::argv(profile, model.as_deref(), &prompt_path.to_string_lossy());
            let stdin = (agents::adapters::prompt_via(kind) == PromptVia::Stdin).then_some(prompt);
            (Some(argv), Some(AdapterRun { kind, stdin }))
        }
    };
    let timeout = profile.timeout.unwrap_or(super::settings::DEFAULT_AGENT_TIMEOUT);
    let mut timeout = Duration::try_from_secs_f64(timeout).unwrap_or(rc.phase_timeout).min(rc.phase_timeout);
    if let Some(deadline) = rc.deadline {
        timeout = timeout.min(deadline.saturating_duration_since(std::time::Instant::now()));
    }
    let granted = rc.mcp.grant(id, container, profile, &rc.task, iteration, timeout)?;
    crate::branch::mcp_access::add_without_hiding(&mut env, granted, id)?;
    let spec = AgentRun {
        agent_id: id.to_string(),
        command,
        image: profile.image.clone(),
        workdir: workdir.to_path_buf(),
        env,
        timeout,
        log: dir.join(format!("{slug}.log")),
        memory: profile.memory.clone(),
        cpus: profile.cpus,
        pids: profile.pids,
        user: (rustix::process::getuid().as_raw(), rustix::process::getgid().as_raw()),
        project: rc.project.clone(),
        repository: rc.repository.clone(),
        token: Some(token),
        adapter,
    };
    Ok((spec, routing))
}

/// Why an agent of a CLI kind cannot be routed to its provider.
pub fn routing_error(id: &str, profile: &AgentProfile, why: &str) -> anyhow::Error {
    UserError::usage(format!("agent {id} ({}) cannot be routed: {why}", profile.kind.as_str()))
        .hint("set the provider's base_url / api_key_env in [providers.<name>], or route the agent to another provider (docs/agents.md)")
        .into()
}

/// Runs prepared agents concurrently, except those whose turn already ended (`done`, from a
/// run that is resumed): each one's report is checked against its token the moment it ends, and
/// its turn recorded, so that an agent that finished is never run again.
pub async fn run(
    conn: &Connection,
    rc: &RunContext,
    role: Role,
    iteration: u32,
    specs: &[AgentRun],
    done: &IndexMap<String, AgentTurn>,
) -> Result<PhaseResult> {
    let to_run: Vec<&AgentRun> = specs.iter().filter(|s| !done.contains_key(&s.agent_id)).collect();
    let max_payload = crate::bus::limits::max_payload()?;
    let running = std::cell::Cell::new(0usize);
    let unrecorded = std::cell::RefCell::new(None);
    let runs = to_run.iter().map(|spec| {
        let (running, unrecorded) = (&running, &unrecorded);
        let count = to_run.len();
        async move {
            let started = |how: Started| {
                if let Err(e) = super::journal::turn_started(conn, &rc.task, iteration, &spec.agent_id, &how)
                {
                    unrecorded.borrow_mut().get_or_insert(e);
                }
                running.set(running.get() + 1);
                if running.get() == count {
                    crate::crash_point::reached("loop", super::journal::AGENTS_RUNNING);
                }
            };
            let outcome = agents::run_agent(spec, rc.engine.as_ref(), &started).await?;
            let turn = finish_turn(rc, iteration, spec, outcome, max_payload).await?;
            super::journal::turn_finished(conn, &rc.task, iteration, &spec.agent_id, &turn)?;
            Ok::<_, anyhow::Error>(turn)
        }
    });
    // Kills asked for while they run are carried out here (control_watch.rs).
    let all = futures_util::future::join_all(runs);
    let ran = super::control_watch::while_watching(conn, rc, iteration, all).await;
    let ran: Vec<AgentTurn> = ran.into_iter().collect::<Result<_>>()?;
    // Whatever left its process group must not live into the next phase (agents/strays.rs).
    agents::kill_strays();
    if let Some(e) = unrecorded.into_inner() {
        return Err(e.context("cannot record an agent's start"));
    }
    // Reports under these agents' ids that were not theirs, for the record.
    let tokens: IndexMap<String, AgentToken> =
        to_run.iter().filter_map(|s| Some((s.agent_id.clone(), s.token.clone()?))).collect();
    let arrived = rc.bus.iteration_reports(&rc.task, iteration).await?;
    let (_, refused) = accept(&rc.task, arrived, &tokens, max_payload);
    let mut fresh = to_run.iter().map(|s| s.agent_id.clone()).zip(ran).collect::<IndexMap<_, _>>();
    let turns: Vec<(String, AgentTurn)> = specs
        .iter()
        .filter_map(|s| {
            let turn = fresh.swap_remove(&s.agent_id).or_else(|| done.get(&s.agent_id).cloned())?;
            Some((s.agent_id.clone(), turn))
        })
        .collect();
    Ok(summarize(role, turns, refused))
}

/// A phase's result from its agents' turns, in the order of the team.
fn summarize(role: Role, turns: Vec<(String, AgentTurn)>, refused: Vec<Refused>) -> PhaseResult {
    let outcomes: Vec<AgentOutcome> = turns.iter().map(|(_, t)| t.outcome.clone()).collect();
    let mut problems: Vec<String> = outcomes.iter().filter_map(AgentOutcome::problem).collect();
    let mut said = Vec::new();
    let mut total = 0.0;
    for (agent, turn) in &turns {
        if let Some(why) = &turn.missing {
            problems.push(format!("{} {agent} exited without reporting: {why}", role.as_str()));
            continue;
        }
        match &turn.report {
            None => problems.push(format!("{} {agent} exited without reporting", role.as_str())),
            Some(r) if r.status == Status::Failed => {
                problems.push(format!("{} {agent} reported failure", role.as_str()))
            }
            Some(r) => total += r.confidence,
        }
        if let Some(text) = turn.report.as_ref().and_then(|r| feedback_of(r.payload.as_ref())) {
            said.push(format!("{agent}: {text}"));
        }
    }
    let mean = if turns.is_empty() { 0.0 } else { total / turns.len() as f64 };
    let reports = turns.into_iter().map(|(agent, t)| (agent, t.report)).collect();
    PhaseResult { outcomes, reports, mean, problems, said, refused }
}

/// One agent's turn once it ended: its own signed report, or — a CLI agent — the one cfn puts on
/// the bus for it from the `cfn-report` block of its final message, signed with the agent's own
/// token, unless it reported itself (`cfn agent report`: the first report counts). A CLI agent
/// that wrote no valid block is reported as failed, with the reason (`missing`).
async fn finish_turn(
    rc: &RunContext,
    iteration: u32,
    spec: &AgentRun,
    outcome: AgentOutcome,
    max_payload: usize,
) -> Result<AgentTurn> {
    let id = &spec.agent_id;
    let Some(token) = &spec.token else { return Ok(AgentTurn { outcome, report: None, missing: None }) };
    let tokens = IndexMap::from([(id.clone(), token.clone())]);
    let own = |arrived| accept(&rc.task, arrived, &tokens, max_payload).0.swap_remove(id).flatten();
    let report = own(rc.bus.iteration_reports(&rc.task, iteration).await?);
    let Some(result) = outcome.result.as_ref().filter(|_| report.is_none()) else {
        return Ok(AgentTurn { outcome, report, missing: None });
    };
    let (made, missing) = match (&result.report, result.missing_report()) {
        (Some(block), _) => {
            let status = if block.status == "failed" { Status::Failed } else { Status::Ok };
            (Report::new(id, iteration, block.confidence, status, block.payload.clone())?, None)
        }
        (None, why) => {
            let mut why = why.unwrap_or_else(|| "no report".into());
            if let Some(problem) = outcome.problem() {
                why = format!("{why} ({problem})");
            }
            let payload = serde_json::json!({ "reason": why, "reported_by": "cfn" });
            (Report::new(id, iteration, 0.0, Status::Failed, Some(payload))?, Some(why))
        }
    };
    rc.bus.put_report(&rc.task, &token.sign(&rc.task, made)).await?;
    let report = own(rc.bus.iteration_reports(&rc.task, iteration).await?);
    Ok(AgentTurn { outcome, report, missing })
}

/// The `feedback` (or `reason`) an agent put in its payload: a string or a list of strings.
fn feedback_of(payload: Option<&serde_json::Value>) -> Option<String> {
    let value = payload?.get("feedback").or_else(|| payload?.get("reason"))?;
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => {
            Some(items.iter().filter_map(|i| i.as_str()).collect::<Vec<_>>().join("; "))
        }
        _ => None,
    }
}
