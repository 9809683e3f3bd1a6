//! The engine a new worktree's stack runs on, made ready for its registration: reached, its
//! ID read, this state's left-over port claims there released, and its ports and claims read
//! (see [`crate::ports::engine_host`]).

use crate::branch::Workspace;
use crate::engine::{Engine, Target};
use crate::ports::{engine_host, EngineHost};
use anyhow::Result;

/// `None` for the local engine; else the remote engine's host, for the operation `token`.
pub(super) async fn prepare(ws: &Workspace, spec: Option<&str>, token: &str) -> Result<Option<EngineHost>> {
    let target = Target::resolve(spec)?;
    if target.is_local() {
        return Ok(None);
    }
    // The local engine named by its socket (or a context leading there) is the local one: its
    // ports are this machine's, probed by binding.
    if target.is_local_socket() {
        return Ok(None);
    }
    let engine = Engine::connect_to(&target).await?;
    let engine_id = target.key();
    let (owner, _) = release_on(ws, &engine).await?;
    Ok(Some(EngineHost::read(engine, engine_id, owner, token).await?))
}

/// Releases this state's port claims on the engine `spec` names that no lease stands behind
/// any more (a removed worktree's, an add killed before it committed); the number released.
pub async fn release_left_overs(ws: &Workspace, spec: Option<&str>) -> Result<usize> {
    release_left_overs_on(ws, &Target::resolve(spec)?).await
}

/// [`release_left_overs`] on a resolved engine.
pub async fn release_left_overs_on(ws: &Workspace, target: &Target) -> Result<usize> {
    if target.is_local() || target.is_local_socket() {
        return Ok(0);
    }
    let engine = Engine::connect_to(target).await?;
    Ok(release_on(ws, &engine).await?.1)
}

/// This state's instance id and how many claims were released, after releasing its left-over
/// claims on `engine`: those no lease of this state on any remote engine covers (one engine
/// may be named by two addresses, which key their leases apart).
async fn release_on(ws: &Workspace, engine: &Engine) -> Result<(String, usize)> {
    let home = ws.state.home();
    let owner = crate::state::instance_id(home)?;
    // Stale claims first, then the registry: see `engine_host::stale_claims`.
    let stale = engine_host::stale_claims(engine, home, &owner).await?;
    let stale_projects = engine_host::stale_project_claims(engine, home, &owner).await?;
    let leased = crate::state::leases_on_remote_engines(ws.state.conn())?;
    let mut released = engine_host::release_uncovered(engine, &owner, &stale, &leased).await?;
    for claim in stale_projects {
        if !crate::state::WorktreeRow::project_taken(ws.state.conn(), &claim.project)? {
            engine.release_project(&claim, &owner).await?;
            released += 1;
        }
    }
    Ok((owner, released))
}

/// The engine a new worktree runs on: `--engine`, else the repository's `[engine]`.
pub(super) fn spec_for<'a>(ws: &'a Workspace, flag: Option<&'a str>) -> Option<&'a str> {
    flag.or(ws.config.engine.spec())
}
