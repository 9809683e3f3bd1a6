//! The remote engines the repository's branches run on (docs/remote.md): each reachable, its
//! version, its clock against this machine's (TLS and expiring tokens go wrong when they
//! disagree), and this state's port claims there that no lease stands behind any more (`cfn
//! doctor --fix` releases them). The local engine is the `docker` check's.

use super::survey::Survey;
use super::Check;
use crate::branch::Workspace;
use crate::engine::{Engine, Target};
use std::time::{Duration, SystemTime};

/// Clock differences up to this are the network's delay, not a wrong clock.
const SKEW_ALLOWED: Duration = Duration::from_secs(5);

pub async fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let mut out = Vec::new();
    let images: Vec<String> = survey.images.keys().cloned().collect();
    let used_now: Vec<&str> = survey.envs.iter().filter_map(|e| e.engine.as_deref()).collect();
    for (spec, target) in in_use(ws, &survey.envs) {
        let mut found = check(ws, &spec, target, &images).await;
        // An engine no worktree uses any more that does not answer: its left-overs cannot be
        // looked at, which is worth a warning, not a failure.
        if !used_now.contains(&spec.as_str()) {
            for c in found.iter_mut().filter(|c| c.status == super::Status::Fail) {
                *c = Check::warn(
                    "engine",
                    format!("{} (no worktree uses it now)", c.message),
                    "`cfn doctor --fix` forgets it while it does not answer",
                );
            }
        }
        out.extend(found);
    }
    out
}

/// Every remote engine of the repository: those its checkouts run on (an unapproved repository
/// engine as the error reaching it is), then those its worktrees were ever added on.
pub fn in_use(ws: &Workspace, envs: &[crate::branch::BranchEnv]) -> Vec<(String, anyhow::Result<Target>)> {
    let mut out: Vec<(String, anyhow::Result<Target>)> = Vec::new();
    for env in envs {
        if let Some(spec) = env.engine.as_deref().filter(|s| !out.iter().any(|(o, _)| o == s)) {
            out.push((spec.to_string(), env.engine_target()));
        }
    }
    for spec in crate::state::engines_used(ws.state.conn(), ws.repo.id).unwrap_or_default() {
        if !out.iter().any(|(o, _)| *o == spec) {
            let target = Target::resolve(Some(&spec));
            out.push((spec, target));
        }
    }
    out.retain(|(_, t)| t.as_ref().map_or(true, |t| !t.is_local_socket()));
    out
}

async fn check(ws: &Workspace, spec: &str, target: anyhow::Result<Target>, images: &[String]) -> Vec<Check> {
    let copy = target.as_ref().map_err(|e| anyhow::anyhow!("{e:#}")).cloned();
    let mut out = vec![engine_check(ws, spec, copy, images).await];
    if let Ok(target) = target {
        out.extend(orphans_on(ws, spec, &target).await);
    }
    out
}

/// This repository's containers and networks on the engine that no registered worktree owns
/// (a remove that could not reach the engine left them running).
async fn orphans_on(ws: &Workspace, spec: &str, target: &Target) -> Option<Check> {
    let engine = Engine::connect_to(target).await.ok()?;
    let snapshot = super::snapshot::read(&engine, &[]).await.ok()?;
    let found = super::orphans::find(ws.state.conn(), ws, &snapshot).ok()?;
    let (containers, networks, volumes) = (found.containers.len(), found.networks.len(), found.volumes.len());
    if containers + networks + volumes == 0 {
        return None;
    }
    let projects: Vec<String> = found.projects().into_iter().collect();
    Some(Check::warn(
        "engine",
        format!(
            "{spec}: {containers} container(s), {networks} network(s), {volumes} volume(s) of removed worktrees ({})",
            projects.join(", ")
        ),
        format!(
            "`cfn doctor --fix` stops them (volumes are kept; `{} volume rm …` deletes one)",
            crate::engine::docker_command(Some(spec))
        ),
    ))
}

/// Below this much free disk on an engine host, a build or a copy is likely to fail.
const LOW_DISK_KIB: u64 = 2 * 1024 * 1024;

/// Free disk where the engine keeps its containers, read with `df` in a short-lived helper from
/// an image already on the engine (the data helper image, else one of the stack's), never
/// pulled; `None` when no such image has `df`.
async fn free_disk_kib(ws: &Workspace, engine: &Engine, stack_images: &[String]) -> Option<u64> {
    let mut images: Vec<String> = ws.config.data.helper_image.iter().cloned().collect();
    images.extend(stack_images.iter().cloned());
    for image in images {
        if crate::data::helper::image_present(engine, &image).await {
            if let Some(free) = crate::data::space::engine_free_kib(engine, &image).await {
                return Some(free);
            }
        }
    }
    None
}

async fn engine_check(
    ws: &Workspace,
    spec: &str,
    target: anyhow::Result<Target>,
    images: &[String],
) -> Check {
    let spec = &crate::names::printable(spec);
    let connected = match target {
        Ok(target) => Engine::connect_to(&target).await,
        Err(e) => Err(e),
    };
    let engine = match connected {
        Ok(engine) => engine,
        Err(e) => {
            let problem = super::survey::Problem::from_error(&e);
            let hint = problem.hint.unwrap_or_else(|| "see docs/remote.md".into());
            return Check::fail("engine", format!("{spec}: {}", problem.message), hint);
        }
    };
    let asked_at = SystemTime::now();
    let info = match engine.docker.info().await {
        Ok(info) => info,
        Err(e) => {
            return Check::fail("engine", format!("{spec}: docker info failed: {e}"), "see docs/remote.md")
        }
    };
    let version = info.server_version.clone().unwrap_or_else(|| "unknown version".into());
    let mut notes = vec![format!("Docker {version}")];
    let skew = info
        .system_time
        .as_deref()
        .and_then(|t| time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .map(|remote| {
            let local = time::OffsetDateTime::from(asked_at);
            (remote - local).unsigned_abs()
        });
    if let Some(skew) = skew {
        if skew > SKEW_ALLOWED {
            return Check::warn(
                "engine",
                format!("{spec}: Docker {version}, its clock is {} s off this machine's", skew.as_secs()),
                "synchronise both clocks (NTP): expiry of tokens and certificates depends on them",
            );
        }
        notes.push(format!("clock within {} s", SKEW_ALLOWED.as_secs()));
    }
    match free_disk_kib(ws, &engine, images).await {
        Some(free) if free < LOW_DISK_KIB => {
            return Check::warn(
                "engine",
                format!("{spec}: Docker {version}, only {} MiB of disk free for its containers", free / 1024),
                "free space on the engine host (`docker system prune`, old volumes) before builds and copies fail",
            )
        }
        Some(free) => notes.push(format!("{:.1} GiB free", free as f64 / (1024.0 * 1024.0))),
        None => notes.push("free disk unknown (no image with df on it)".into()),
    }
    match left_over_claims(ws, &engine).await {
        Ok(0) => {}
        Ok(n) => {
            return Check::warn(
                "engine",
                format!(
                    "{spec}: {n} port claim{} of this cfn with no worktree behind",
                    if n == 1 { "" } else { "s" }
                ),
                "`cfn doctor --fix` releases them",
            )
        }
        Err(e) => notes.push(format!("port claims not read ({e:#})")),
    }
    Check::ok("engine", format!("{spec}: {}", notes.join(", ")))
}

/// How many of this state's claims on `engine` no lease stands behind.
async fn left_over_claims(ws: &Workspace, engine: &Engine) -> anyhow::Result<usize> {
    let home = ws.state.home();
    let owner = crate::state::instance_id(home)?;
    let stale = crate::ports::engine_host::stale_claims(engine, home, &owner).await?;
    let leased = crate::state::leases_on_remote_engines(ws.state.conn())?;
    let covered = |c: &crate::engine::PortClaim| {
        leased.iter().any(|&(port, p)| port == c.port && p.is_none_or(|p| p == c.protocol))
    };
    Ok(stale.iter().filter(|c| !covered(c)).count())
}
