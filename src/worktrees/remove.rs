//! `worktree remove`: refuses to lose uncommitted or untracked work unless forced; releases the
//! lease only once the worktree is really gone; deletes the branch only when asked.

use crate::context::Context;
use crate::error::UserError;
use crate::git;
use crate::state::WorktreeRow;
use crate::workspace::Workspace;
use anyhow::Result;
use serde::Serialize;

pub struct RemoveOptions {
    pub branch: String,
    pub force: bool,
    pub delete_branch: bool,
    /// Also delete the stack's volumes (the caller has confirmed).
    pub volumes: bool,
    pub yes: bool,
}

#[derive(Debug, Serialize)]
pub struct Removed {
    pub branch: String,
    pub path: String,
    pub released_ports: Vec<u16>,
    pub branch_deleted: bool,
    /// What of the stack was removed; `None` when no engine was reachable.
    pub stack: Option<crate::engine::Teardown>,
}

pub fn remove(ctx: &Context, ws: &mut Workspace, opts: &RemoveOptions) -> Result<Removed> {
    let row = WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)?.ok_or_else(|| {
        UserError::new(format!("no worktree for branch {}", opts.branch)).hint("see `cfn worktree list`")
    })?;
    let _lock = crate::branch_lock::acquire(ctx, &row.project, "worktree remove")?;
    let row = crate::branch_lock::reread(ws, row)?;
    if ctx.cwd.starts_with(&row.path) {
        return Err(UserError::new(format!(
            "cannot remove the worktree you are standing in: {}",
            row.path.display()
        ))
        .hint("cd to the main checkout, or pass -C <dir>")
        .into());
    }
    if row.path.exists() {
        let dirty = git::dirty_paths(&row.path)?;
        if !dirty.is_empty() {
            let shown: Vec<&str> = dirty.iter().take(3).map(String::as_str).collect();
            let more = if dirty.len() > 3 { ", …" } else { "" };
            if !opts.force {
                return Err(UserError::new(format!(
                    "worktree {} has {} uncommitted or untracked change(s): {}{more}",
                    row.path.display(),
                    dirty.len(),
                    shown.join(", ")
                ))
                .hint("commit or stash them first, or pass --force to discard them")
                .into());
            }
            if ctx.interactive()
                && !opts.yes
                && !confirm(&format!("Discard {} change(s) in {}?", dirty.len(), row.path.display()))?
            {
                return Err(UserError::new("removal cancelled; nothing was changed").into());
            }
        }
    }
    if row.path.exists() {
        let env = ws.env_from_row(row.clone());
        crate::lifecycle::run(ctx, ws, &env, crate::lifecycle::HookPoint::PreRemove, opts.yes)?;
    }
    let stack = stop_stack(ctx, &row.project, opts.volumes)?;
    if row.path.exists() {
        git::remove_worktree(ws.main_root(), &row.path, opts.force)?;
    } else {
        // Deleted by hand: let git forget it too.
        git::prune_worktrees(ws.main_root())?;
    }
    WorktreeRow::delete(ws.state.conn(), row.id)?;
    let released_ports = row.ports.values().copied().collect();
    let mut branch_deleted = false;
    if opts.delete_branch {
        git::delete_branch(ws.main_root(), &row.branch, opts.force).map_err(|e| {
            e.context(format!("the worktree was removed, but branch {} was kept", row.branch))
        })?;
        branch_deleted = true;
    }
    Ok(Removed {
        branch: row.branch,
        path: row.path.to_string_lossy().into_owned(),
        released_ports,
        branch_deleted,
        stack,
    })
}

/// Stops the branch's stack through the engine, by its project label. With no engine
/// reachable nothing can be running, so removal goes on; `--volumes` then cannot be honoured
/// and says so rather than pretending.
fn stop_stack(ctx: &Context, project: &str, volumes: bool) -> Result<Option<crate::engine::Teardown>> {
    let result = crate::runtime::block_on(async {
        let engine = crate::engine::Engine::connect().await?;
        engine.teardown(project, volumes).await
    })?;
    match result {
        Ok(done) => Ok(Some(done)),
        Err(e) if volumes => Err(e.context("cannot delete the stack's volumes")),
        Err(e) => {
            if ctx.verbose > 0 {
                ctx.warn(format!("stack not stopped: {e:#}"));
            }
            Ok(None)
        }
    }
}

fn confirm(prompt: &str) -> Result<bool> {
    Ok(dialoguer::Confirm::new().with_prompt(prompt).default(false).interact()?)
}
