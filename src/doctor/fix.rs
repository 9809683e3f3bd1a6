//! `doctor --fix`: repairs what is safe to repair, in an order where each step sees the result
//! of the one before: worktrees that moved are re-attached to their rows (a main checkout that
//! moved already was, on opening the workspace: [`crate::state::repository_id`]), then stale registry rows
//! and their leases are pruned (so a gone worktree's still-running stack then shows up as
//! orphaned), worktrees the registry lost are registered again on the ports they had
//! (`rebuild`), other unregistered worktrees are registered, leases follow each worktree's
//! configuration, rendered files are written again where stale, hooks installed, and orphaned
//! containers and networks removed by their labels with their volumes kept, and the temporary
//! volumes of an interrupted data copy finished or deleted.
//!
//! Volumes hold data: they are deleted only when `confirm` (a prompt on a terminal, or `--yes`)
//! says yes; without it they are only reported. Processes are never touched.

use super::orphans::{self, Orphans};
use super::snapshot::{self, Snapshot};
use super::{git_hooks, scratch};
use crate::branch::Workspace;
use crate::config::Config;
use crate::context::Context;
use crate::engine::Engine;
use crate::git;
use crate::git::same_path;
use crate::state::WorktreeRow;
use crate::worktrees;
use anyhow::{Context as _, Result};
use bollard::query_parameters::RemoveContainerOptionsBuilder;
use std::collections::BTreeMap;

/// Asks a yes/no question; `Ok(true)` means go ahead.
pub type Confirm<'a> = &'a mut dyn FnMut(&str) -> Result<bool>;

/// One thing `fix` did, or tried and could not do.
#[derive(Debug, Clone)]
pub struct Repair {
    pub done: bool,
    pub message: String,
}

impl Repair {
    fn done(message: impl Into<String>) -> Repair {
        Repair { done: true, message: message.into() }
    }

    fn failed(message: impl Into<String>, e: &anyhow::Error) -> Repair {
        Repair { done: false, message: format!("{}: {e:#}", message.into()) }
    }
}

pub async fn fix(ctx: &Context, confirm: Option<Confirm<'_>>) -> Result<Vec<Repair>> {
    let checkout = git::discover(&ctx.cwd)?;
    let mut out = Vec::new();
    if let Ok(config) = Config::load(&checkout.main_root) {
        let mut ws = Workspace::with_config(ctx, checkout.clone(), config)?;
        relocate(&ws, &mut out);
        prune(ctx, &ws, &mut out).await;
        super::rebuilt::repair(&mut ws, &mut out);
        adopt(ctx, &mut ws, &mut out)?;
        follow_config(&ws, &mut out)?;
        render(&ws, &mut out)?;
        remove_orphans(&ws, confirm, &mut out).await?;
        data_leftovers(ctx, &mut out).await;
        engine_claims(&ws, &mut out).await;
        for cleaned in crate::data::leftovers::clean(ctx, &ws).await {
            out.push(match cleaned {
                Ok(message) => Repair::done(message),
                Err(e) => Repair::failed("could not clean up after an interrupted data operation", &e),
            });
        }
    }
    if git_hooks::need_install(&checkout.main_root) {
        let installed = std::env::current_exe()
            .context("cannot find cfn's own path")
            .and_then(|exe| crate::git_hooks::install(&checkout.main_root, &exe));
        match installed {
            Ok(_) => out.push(Repair::done("installed the git hooks")),
            Err(e) => out.push(Repair::failed("could not install the git hooks", &e)),
        }
    }
    Ok(out)
}

/// On each remote engine of the repository: the containers and networks of removed worktrees
/// (volumes are kept), and this state's claims that no lease stands behind any more. An engine
/// the repository names but the user has not approved is never reached.
async fn engine_claims(ws: &Workspace, out: &mut Vec<Repair>) {
    let Ok(envs) = ws.all_envs() else { return };
    let used_now: Vec<String> = envs.iter().filter_map(|e| e.engine.clone()).collect();
    for (spec, target) in super::engines::in_use(ws, &envs) {
        let unused = !used_now.contains(&spec);
        let reached = match &target {
            Ok(target) => Engine::connect_to(target).await.ok(),
            Err(_) => None,
        };
        if unused && reached.is_none() {
            // Nothing of this state can be seen there from here, and no worktree needs it.
            if crate::state::forget_engine_used(ws.state.conn(), ws.repo.id, &spec).is_ok() {
                out.push(Repair::done(format!(
                    "forgot the engine {}, which no worktree uses and which does not answer",
                    crate::names::printable(&spec)
                )));
            }
            continue;
        }
        let Ok(target) = target else { continue };
        let spec = crate::names::printable(&spec);
        if let Some(engine) = reached {
            if let Ok(snapshot) = snapshot::read(&engine, &[]).await {
                if let Ok(found) = orphans::find(ws.state.conn(), ws, &snapshot) {
                    let kept = BTreeMap::new();
                    out.extend(remove(&engine, &snapshot, &found, &kept, ws.repo.uid.as_deref()).await);
                }
            }
        }
        match crate::worktrees::release_left_overs_on(ws, &target).await {
            Ok(0) => {}
            Ok(n) => out.push(Repair::done(format!(
                "released {n} claim{} on {spec} that no worktree held",
                if n == 1 { "" } else { "s" }
            ))),
            Err(e) => out.push(Repair::failed(format!("could not release the claims on {spec}"), &e)),
        }
    }
}

/// Temporary volumes of a killed data copy: a complete one is swapped into its target, an
/// incomplete one deleted (its target was never touched); see `data::swap`.
async fn data_leftovers(ctx: &Context, out: &mut Vec<Repair>) {
    let cleaned = async {
        let engine = Engine::connect().await?;
        crate::data::swap::clean_leftovers(ctx, &engine).await
    };
    // No engine: nothing of it to repair (the diagnosis reports that).
    let Ok(cleaned) = cleaned.await else { return };
    for c in cleaned {
        out.push(match c {
            Ok(crate::data::swap::Cleaned::Deleted(tmp)) => {
                Repair::done(format!("deleted {tmp}, the temporary volume of an interrupted data copy"))
            }
            Ok(crate::data::swap::Cleaned::DeletedFresh(volume)) => Repair::done(format!(
                "deleted {volume}, a volume an interrupted data copy had created and not filled"
            )),
            Ok(crate::data::swap::Cleaned::Finished { tmp, target }) => {
                Repair::done(format!("finished an interrupted data copy: {tmp} swapped into {target}"))
            }
            Err(e) => Repair::failed("could not clean up an interrupted data copy", &e),
        });
    }
}

/// Re-attaches worktrees that moved (with their repository, then `git worktree repair`) before
/// prune would forget them and adopt would register them anew on other ports.
fn relocate(ws: &Workspace, out: &mut Vec<Repair>) {
    match crate::branch::relocate::relocate(ws.state.conn(), ws.repo.id, ws.main_root()) {
        Ok(moved) => out.extend(moved.iter().map(|m| {
            Repair::done(format!(
                "re-attached worktree {} moved from {} to {} (same ports and project)",
                m.branch,
                m.from.display(),
                m.to.display()
            ))
        })),
        Err(e) => out.push(Repair::failed("could not re-attach moved worktrees", &e)),
    }
}

async fn prune(ctx: &Context, ws: &Workspace, out: &mut Vec<Repair>) {
    match worktrees::prune(ctx, &ws.state, Some(ws.repo.id), worktrees::PruneOptions::default()).await {
        Ok(pruned) => out.extend(pruned.iter().flat_map(|p| {
            let notes = p.notes.iter().map(|n| Repair { done: false, message: n.clone() });
            std::iter::once(pruned_repair(p)).chain(notes)
        })),
        Err(e) => out.push(Repair::failed("could not prune the registry", &e)),
    }
}

/// What pruning one worktree did, as a repair: done, or kept with its ports (its stack could
/// not be checked or stopped, or an interrupted operation could not be settled).
fn pruned_repair(p: &worktrees::Pruned) -> Repair {
    let what = p.branch.as_deref().map(|b| format!("worktree {b}")).unwrap_or("the repository".into());
    if p.reason == worktrees::UNSETTLED {
        return Repair { done: false, message: format!("{what}: {}", p.reason) };
    }
    let list = |ports: &[u16]| ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ");
    if let Some(worktrees::StackFate::Unsettled { error }) = &p.stack {
        let kept =
            if p.kept_ports.is_empty() { String::new() } else { format!(", ports {}", list(&p.kept_ports)) };
        return Repair {
            done: false,
            message: format!(
                "kept {what} ({}) with its registration{kept}: its stack could not be checked or stopped: {error}",
                p.reason
            ),
        };
    }
    let released = if p.released_ports.is_empty() {
        String::new()
    } else {
        format!(", released ports {}", list(&p.released_ports))
    };
    let stopped = match &p.stack {
        Some(worktrees::StackFate::Stopped { containers, .. }) => {
            format!(
                ", stopped its stack ({} container{}, volumes kept)",
                containers.len(),
                super::docker::plural(containers.len())
            )
        }
        _ => String::new(),
    };
    let verb = if p.reason.contains("interrupted") { "settled" } else { "forgot" };
    Repair::done(format!("{verb} {what} ({}){stopped}{released}", p.reason))
}

/// Registers linked worktrees git knows and cfn does not (what the post-checkout hook does).
fn adopt(ctx: &Context, ws: &mut Workspace, out: &mut Vec<Repair>) -> Result<()> {
    let Ok(list) = git::list_worktrees(ws.main_root()) else { return Ok(()) };
    let rows = WorktreeRow::list(ws.state.conn(), ws.repo.id)?;
    // A checkout git never finished is not a worktree to provision (the diagnosis says so).
    let real =
        |w: &&git::GitWorktree| !w.bare && w.branch.is_some() && w.path.is_dir() && !w.is_half_created();
    for wt in list.iter().skip(1).filter(real) {
        if rows.iter().any(|r| same_path(&r.path, &wt.path)) {
            continue;
        }
        let adopted = git::discover(&wt.path).and_then(|checkout| worktrees::adopt(ctx, ws, &checkout));
        match adopted {
            Ok(Some(env)) => out.push(Repair::done(format!(
                "registered worktree {} at {} (slot {})",
                env.branch,
                env.path.display(),
                env.slot
            ))),
            Ok(None) => {}
            Err(e) => out.push(Repair::failed(format!("could not register {}", wt.path.display()), &e)),
        }
    }
    Ok(())
}

/// Brings each worktree's leases in line with the cfn.toml governing it (the rendered files
/// are written again by the next step, since they are then stale).
fn follow_config(ws: &Workspace, out: &mut Vec<Repair>) -> Result<()> {
    for row in WorktreeRow::list(ws.state.conn(), ws.repo.id)? {
        let branch = row.branch.clone();
        match ws.reconcile_row(row) {
            Ok((_, changes)) if changes.is_empty() => {}
            Ok((_, changes)) => out.push(Repair::done(crate::ports::reconcile::describe(&changes, &branch))),
            Err(e) => out.push(Repair::failed(format!("could not bring the leases of {branch} in line"), &e)),
        }
    }
    Ok(())
}

/// Writes the rendered files again of every checkout whose files are missing or stale.
fn render(ws: &Workspace, out: &mut Vec<Repair>) -> Result<()> {
    for env in ws.all_envs()?.iter().filter(|e| e.path.is_dir()) {
        let Ok(stale) = scratch::stale_files(ws, env) else { continue };
        if stale.is_empty() {
            continue;
        }
        match crate::branch::files::render(ws, env) {
            Ok(_) => out.push(Repair::done(format!("rendered {} of {} again", stale.join(", "), env.branch))),
            Err(e) => out.push(Repair::failed(format!("could not render the files of {}", env.branch), &e)),
        }
    }
    Ok(())
}

async fn remove_orphans(ws: &Workspace, confirm: Option<Confirm<'_>>, out: &mut Vec<Repair>) -> Result<()> {
    // No engine: nothing of it to repair (the diagnosis reports that).
    let Ok(snapshot) = snapshot::take(&[]).await else { return Ok(()) };
    let found = orphans::find(ws.state.conn(), ws, &snapshot)?;
    let volumes = volumes_to_delete(&found, confirm, out)?;
    let engine = Engine::connect().await?;
    let done = remove(&engine, &snapshot, &found, &volumes, ws.repo.uid.as_deref()).await;
    out.extend(done);
    Ok(())
}

/// The orphaned volumes a person agreed to delete, by project; the rest are reported as kept.
fn volumes_to_delete(
    found: &Orphans,
    mut confirm: Option<Confirm>,
    out: &mut Vec<Repair>,
) -> Result<BTreeMap<String, Vec<String>>> {
    let mut by_project: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for v in &found.volumes {
        by_project.entry(v.project.clone()).or_default().push(v.name.clone());
    }
    let mut agreed = BTreeMap::new();
    for (project, names) in by_project {
        let question = format!(
            "Delete the volumes of orphaned project {project} ({}), with all their data?",
            names.join(", ")
        );
        let yes = match confirm.as_mut() {
            Some(ask) => ask(&question)?,
            None => false,
        };
        if yes {
            agreed.insert(project, names);
        } else {
            let why =
                if confirm.is_some() { "as you chose" } else { "no terminal to ask on; --yes deletes them" };
            out.push(Repair {
                done: false,
                message: format!("kept the volumes of {project} ({why}): {}", names.join(", ")),
            });
        }
    }
    Ok(agreed)
}

async fn remove(
    engine: &Engine,
    snapshot: &Snapshot,
    found: &Orphans,
    volumes: &BTreeMap<String, Vec<String>>,
    uid: Option<&str>,
) -> Vec<Repair> {
    let mut out = Vec::new();
    for project in found.projects() {
        // A project that also holds containers without this repository's id is not provably
        // ours as a whole: only the containers carrying the id go.
        let foreign = snapshot
            .containers
            .iter()
            .any(|c| c.project() == Some(project.as_str()) && !orphans::labelled_by(c, uid));
        if foreign {
            for c in found.containers.iter().filter(|c| c.project() == Some(project.as_str())) {
                out.push(remove_container(engine, &c.id, &c.name).await);
            }
            continue;
        }
        match engine.teardown(&project, false).await {
            Ok(t) => out.push(Repair::done(format!(
                "removed orphaned project {project}: {} container{}, {} network{} (volumes kept)",
                t.containers.len(),
                super::docker::plural(t.containers.len()),
                t.networks.len(),
                super::docker::plural(t.networks.len())
            ))),
            Err(e) => out.push(Repair::failed(format!("could not remove orphaned project {project}"), &e)),
        }
    }
    for c in found.containers.iter().filter(|c| c.project().is_none()) {
        out.push(remove_container(engine, &c.id, &c.name).await);
    }
    for (project, names) in volumes {
        for name in names {
            let removed =
                engine.docker.remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>);
            match removed.await {
                Ok(()) => {
                    out.push(Repair::done(format!("deleted volume {name} of orphaned project {project}")))
                }
                Err(e) => out.push(Repair::failed(format!("could not delete volume {name}"), &e.into())),
            }
        }
    }
    out
}

async fn remove_container(engine: &Engine, id: &str, name: &str) -> Repair {
    let options = RemoveContainerOptionsBuilder::default().force(true).build();
    match engine.docker.remove_container(id, Some(options)).await {
        Ok(()) => Repair::done(format!("removed orphaned container {name}")),
        Err(e) => Repair::failed(format!("could not remove container {name}"), &e.into()),
    }
}
