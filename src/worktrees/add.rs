//! `worktree add`: branch, worktree, lease, rendered files and registry row — all or nothing.
//!
//! The operation first takes its own lock (`state::OpLock`), held until the row is settled.
//! The lease and a registry row in state `creating`, naming that lock as its owner, are
//! committed in one IMMEDIATE transaction, so concurrent adds (in this or any repository) never
//! pick the same ports and only one of several adds of one branch gets a row. Then git creates
//! the worktree and the files are rendered. If any step fails, or SIGINT, SIGHUP or SIGTERM
//! arrives, everything done so far is undone in reverse: the worktree directory (and any parent
//! directory the add created), git's entry for it, the branch if the add created it, the row
//! and its leases. If the process is killed outright, its lock goes with it, and the next
//! `prune`, `doctor --fix` or add of the branch settles the row at once (`super::recover`).

use super::recover;
use super::register::{register, Parts, Place, Registered, Registration};
use crate::branch;
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::crash_point;
use crate::error::UserError;
use crate::git::{self, NewBranch};
use crate::interrupt;
use crate::state::{OpLock, Operation, WorktreeRow, ADD_STEP_RENDERED};
use anyhow::Result;
use std::path::{Path, PathBuf};

pub struct AddOptions {
    pub branch: String,
    pub base: Option<String>,
    pub path: Option<PathBuf>,
    /// The branch or snapshot whose data the new branch starts with.
    pub data_from: Option<String>,
    /// With `data_from`: stop the source's services for the copy, and start them again after.
    pub stop_source: bool,
    /// Approve the project's post_create hooks without asking.
    pub approve_hooks: bool,
    /// The engine the branch's stack runs on (`--engine`), instead of the repository's.
    pub engine: Option<String>,
}

/// A worktree just added, and what plain `docker compose` in it runs (found while rendering).
pub struct Added {
    pub env: BranchEnv,
    pub plain: crate::branch::plain_compose::Plain,
}

/// Creates and registers the worktree (the atomic part of an add; `super::provision` runs
/// what follows).
pub(super) async fn add_checkout(ctx: &Context, ws: &mut Workspace, opts: &AddOptions) -> Result<Added> {
    git::validate_branch_name(&opts.branch)?;
    branch::env_file::check_branch_is_representable(&opts.branch)?;
    // before anything exists: git would fill the folder with the branch's files
    super::target::require_trusted(ctx, ws, opts)?;
    if let Some(existing) = WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)? {
        // An earlier add or remove of this branch whose process died is settled first.
        match recover::recover_if_abandoned(&ws.state, ws.main_root(), &existing).await? {
            None => return Err(already_added(&opts.branch, &existing)),
            Some(done) => done.notes.iter().for_each(|n| ctx.warn(n)),
        }
    }
    let how = branch_source(ws, opts)?;
    let _interrupts = interrupt::guard();
    let lock = OpLock::take(ws.state.home())?;
    let engine = super::engine::spec_for(ws, opts.engine.as_deref()).map(str::to_string);
    if let (Some(engine), Some(_)) = (&engine, &opts.data_from) {
        // refused before anything exists, rather than after the worktree is made
        return Err(UserError::new(format!(
            "--data-from is not available for a branch on the engine {}",
            crate::names::printable(engine)
        ))
        .hint("add it without --data-from; branch data on remote engines is not built yet (docs/remote.md)")
        .into());
    }
    let mut engine_host = super::engine::prepare(ws, engine.as_deref(), lock.token()).await?;

    let reg = Registration {
        operation: Operation::Add,
        branch: &opts.branch,
        owner: lock.token(),
        created_branch: matches!(how, NewBranch::From(_)),
    };
    // Checked again under the write lock: of several adds of one branch, one gets the row.
    let taken = |existing: &WorktreeRow| already_added(&opts.branch, existing);
    let place = |project: &str| -> Result<Place> {
        let path = super::target::target_path(
            ctx,
            &ws.config,
            &ws.repo.project,
            &ws.checkout.main_root,
            opts,
            project,
        )?;
        branch::env_file::check_path_is_representable(&path)?;
        if path.exists() || path.symlink_metadata().is_ok() {
            return Err(UserError::new(format!("target path already exists: {}", path.display()))
                .hint("choose another --path, or move that directory away")
                .into());
        }
        Ok(Place { created_dir: super::target::first_missing_ancestor(&path), path })
    };
    let host = match engine_host.as_mut() {
        Some(host) => crate::ports::PortHost::Engine(host),
        None => crate::ports::PortHost::Local,
    };
    let parts = Parts {
        state: &mut ws.state,
        repo: &ws.repo,
        ports: &ws.config.ports,
        host,
        engine: engine.as_deref(),
    };
    let registered = register(parts, &reg, taken, place);
    let Registered { id, path } = match registered {
        Ok(r) => r,
        Err(e) => {
            release_claims(ctx, engine_host.as_ref()).await;
            return Err(e);
        }
    };
    crash_point::reached("add", 1);

    match create(ctx, ws, opts, &how, &path, id, &lock) {
        Ok(added) => {
            lock.finish();
            Ok(added)
        }
        Err(err) => {
            match roll_back(ws, id, &lock) {
                Ok(notes) => notes.iter().for_each(|n| ctx.warn(n)),
                Err(undo_err) => ctx.warn(format!(
                    "could not undo every step of the failed add yet (`cfn doctor --fix` finishes it): {undo_err:#}"
                )),
            }
            release_claims(ctx, engine_host.as_ref()).await;
            lock.finish();
            // A Ctrl-C also reaches git, whose failure is then only a consequence.
            Err(interrupt::check().err().unwrap_or(err))
        }
    }
}

/// Gives back the port claims an undone add made on its remote engine; one left behind is
/// released by the next add on that engine or `cfn doctor --fix`.
async fn release_claims(ctx: &Context, host: Option<&crate::ports::EngineHost>) {
    if let Some(host) = host {
        if let Err(e) = host.release_own().await {
            ctx.warn(format!("could not release the port claims on the engine yet: {e:#}"));
        }
    }
}

fn already_added(branch: &str, existing: &WorktreeRow) -> anyhow::Error {
    let under_way = match (existing.operation, existing.owner_pid) {
        (Some(op), Some(pid)) => format!(" ({} under way by pid {pid})", op.as_str()),
        _ => String::new(),
    };
    UserError::new(format!(
        "branch {branch} already has a worktree at {}{under_way}",
        existing.path.display()
    ))
    .hint("see `cfn worktree list`; remove it first with `cfn worktree remove`")
    .into()
}

fn create(
    ctx: &Context,
    ws: &mut Workspace,
    opts: &AddOptions,
    how: &NewBranch,
    path: &Path,
    id: i64,
    lock: &OpLock,
) -> Result<Added> {
    interrupt::check()?;
    git::worktree_add(ws.main_root(), path, &opts.branch, how, lock.inheritable()?)?;
    crash_point::reached("add", 2);
    interrupt::check()?;
    let row = WorktreeRow::find(ws.state.conn(), id)?
        .ok_or_else(|| anyhow::anyhow!("worktree row vanished during add"))?;
    let env = ws.env_of_new_checkout(row)?;
    copy_files(ctx, ws, &env)?;
    crash_point::reached("add", 3);
    interrupt::check()?;
    let plain = branch::files::render(ws, &env)?.plain;
    WorktreeRow::record_step(ws.state.conn(), id, ADD_STEP_RENDERED)?;
    crash_point::reached("add", 4);
    interrupt::check()?;
    WorktreeRow::mark_ready(ws.state.conn(), id)?;
    crash_point::reached("add", 5);
    Ok(Added { env, plain })
}

/// Git-ignored files the project asked for, their main-checkout ports made the branch's. A file
/// that would be written through a link is skipped with a warning; the add goes on.
fn copy_files(ctx: &Context, ws: &Workspace, env: &BranchEnv) -> Result<()> {
    let main = ws.main_env();
    let ports = main.ports.iter().filter_map(|(k, base)| Some((*base, *env.ports.get(k)?))).collect();
    let done = super::copy::copy_ignored(ws.main_root(), &env.path, &ws.config.copy, &ports)?;
    for skipped in &done.skipped {
        ctx.warn(format!("not copied: {skipped}"));
    }
    Ok(())
}

/// Undoes the add; what it had to clear on the way comes back as notes. On an error the row
/// stays, recorded as this add's: once this process exits, the next repair finishes the undo.
fn roll_back(ws: &Workspace, id: i64, lock: &OpLock) -> Result<Vec<String>> {
    let Some(row) = WorktreeRow::find(ws.state.conn(), id)? else { return Ok(Vec::new()) };
    let mut notes = Vec::new();
    recover::roll_back_add(&ws.state, ws.main_root(), &row, Some(lock), &mut notes)?;
    Ok(notes)
}

/// Where the branch comes from: an existing local branch, the one remote that has it, or a new
/// branch from `--base` (default HEAD).
fn branch_source(ws: &Workspace, opts: &AddOptions) -> Result<NewBranch> {
    let root = ws.main_root();
    if git::branch_exists(root, &opts.branch)? {
        if opts.base.is_some() {
            return Err(UserError::usage(format!(
                "branch {} already exists; --base only applies to a new branch",
                opts.branch
            ))
            .hint("drop --base to check out the existing branch")
            .into());
        }
        return Ok(NewBranch::Existing);
    }
    if opts.base.is_none() && git::remote_branch_exists(root, &opts.branch)? {
        return Ok(NewBranch::Existing);
    }
    Ok(NewBranch::From(opts.base.clone().unwrap_or_else(|| "HEAD".into())))
}
