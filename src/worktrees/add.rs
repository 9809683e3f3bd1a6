//! `worktree add`: branch, worktree, lease, rendered files and registry row — all or nothing.
//!
//! The lease and a registry row in state `creating` are committed first, in one IMMEDIATE
//! transaction, so concurrent adds (in this or any repository) never pick the same ports. Then
//! git creates the worktree and the files are rendered. If any step fails, everything done so
//! far is undone in reverse: the rendered files and the worktree directory (and any parent
//! directory the add created), the branch if the add created it, the row and its leases. A row
//! left in `creating` by a killed process is cleared by `prune`.

use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, NewBranch};
use crate::names;
use crate::ports;
use crate::stack_files;
use crate::state::WorktreeRow;
use crate::workspace::{BranchEnv, Workspace};
use anyhow::Result;
use std::path::{Path, PathBuf};

pub struct AddOptions {
    pub branch: String,
    pub base: Option<String>,
    pub path: Option<PathBuf>,
}

/// What to undo if a later step fails.
struct Undo {
    row: Option<i64>,
    created_dir: Option<PathBuf>,
    worktree: Option<PathBuf>,
    branch: Option<String>,
}

pub fn add(ctx: &Context, ws: &mut Workspace, opts: &AddOptions) -> Result<BranchEnv> {
    git::validate_branch_name(&opts.branch)?;
    if let Some(existing) = WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)? {
        return Err(UserError::new(format!(
            "branch {} already has a worktree at {}",
            opts.branch,
            existing.path.display()
        ))
        .hint("see `cfn worktree list`; remove it first with `cfn worktree remove`")
        .into());
    }
    let how = branch_source(ws, opts)?;

    let tx = ws.state.immediate()?;
    let alloc = ports::allocate(&tx, &ws.repo, &ws.config.ports, &opts.branch)?;
    let project = super::unique_project(&tx, &ws.repo.project, &opts.branch)?;
    let path = target_path(ctx, &ws.config, &ws.repo.project, &ws.checkout.main_root, opts, &project)?;
    stack_files::check_path_is_representable(&path)?;
    if path.exists() || path.symlink_metadata().is_ok() {
        return Err(UserError::new(format!("target path already exists: {}", path.display()))
            .hint("choose another --path, or move that directory away")
            .into());
    }
    let id = WorktreeRow::insert(&tx, ws.repo.id, &opts.branch, &path, &project, alloc.slot, &alloc.leases)?;
    tx.commit()?;

    let mut undo = Undo { row: Some(id), created_dir: None, worktree: None, branch: None };
    let result = create(ws, opts, &how, &path, &mut undo);
    match result {
        Ok(()) => {
            let row = WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)?
                .ok_or_else(|| anyhow::anyhow!("worktree row vanished during add"))?;
            Ok(ws.env_from_row(row))
        }
        Err(err) => {
            if let Err(undo_err) = rollback(ws, &undo) {
                ctx.warn(format!("could not undo every step of the failed add: {undo_err:#}"));
            }
            Err(err)
        }
    }
}

fn create(
    ws: &mut Workspace,
    opts: &AddOptions,
    how: &NewBranch,
    path: &Path,
    undo: &mut Undo,
) -> Result<()> {
    undo.created_dir = first_missing_ancestor(path);
    git::worktree_add(ws.main_root(), path, &opts.branch, how)?;
    undo.worktree = Some(path.to_path_buf());
    if matches!(how, NewBranch::From(_)) {
        undo.branch = Some(opts.branch.clone());
    }
    let row = WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)?
        .ok_or_else(|| anyhow::anyhow!("worktree row vanished during add"))?;
    let env = ws.env_from_row(row);
    copy_files(ws, &env)?;
    stack_files::render(ws, &env)?;
    WorktreeRow::mark_ready(ws.state.conn(), undo.row.unwrap_or_default())?;
    Ok(())
}

/// Git-ignored files the project asked for, their main-checkout ports made the branch's.
fn copy_files(ws: &Workspace, env: &BranchEnv) -> Result<()> {
    let main = ws.main_env();
    let ports = main.ports.iter().filter_map(|(k, base)| Some((*base, *env.ports.get(k)?))).collect();
    super::copy::copy_ignored(ws.main_root(), &env.path, &ws.config.copy, &ports)?;
    Ok(())
}

fn rollback(ws: &mut Workspace, undo: &Undo) -> Result<()> {
    if let Some(path) = &undo.worktree {
        if git::remove_worktree(ws.main_root(), path, true).is_err() && path.exists() {
            std::fs::remove_dir_all(path)?;
        }
        git::prune_worktrees(ws.main_root())?;
    }
    if let Some(dir) = &undo.created_dir {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
    }
    if let Some(branch) = &undo.branch {
        git::delete_branch(ws.main_root(), branch, true)?;
    }
    if let Some(id) = undo.row {
        WorktreeRow::delete(ws.state.conn(), id)?;
    }
    Ok(())
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

/// `--path` (relative to the current directory), else `project.worktree_dir` rendered and taken
/// relative to the repository root (default `../<project>-<branch-slug>`).
fn target_path(
    ctx: &Context,
    config: &Config,
    main_project: &str,
    main_root: &Path,
    opts: &AddOptions,
    project: &str,
) -> Result<PathBuf> {
    let raw = match &opts.path {
        Some(p) => ctx.cwd.join(p),
        None => {
            let template = config.project.worktree_dir_template();
            let vars = serde_json::json!({
                "project": main_project, "project_name": project,
                "branch": opts.branch, "branch_slug": names::slug(&opts.branch),
            });
            let rendered = stack_files::renderer_for(config, main_root).render_str(
                "project.worktree_dir",
                template,
                &vars,
            )?;
            main_root.join(rendered.trim())
        }
    };
    Ok(normalize(&raw))
}

/// Removes `.` and `..` components without touching the file system (the path may not exist).
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The outermost directory that `path` needs and that does not exist yet (what add creates).
fn first_missing_ancestor(path: &Path) -> Option<PathBuf> {
    let mut missing = None;
    let mut cur = Some(path);
    while let Some(p) = cur {
        if p.exists() {
            break;
        }
        missing = Some(p.to_path_buf());
        cur = p.parent();
    }
    missing
}
