//! `worktree remove`: refuses to lose uncommitted or untracked work unless forced; releases the
//! lease only once the worktree is really gone; deletes the branch only when asked.
//!
//! One walk and one removal: cfn's own status check is the only pass over the worktree's
//! files, and git then deletes them without checking again. The remove is recorded in the row
//! (with whether the branch goes too) and owned by this process's lock, so a remove killed
//! half-way is finished by the next `prune`, `doctor --fix` or `remove` of the branch.

use super::recover;
use crate::branch::Workspace;
use crate::context::Context;
use crate::crash_point;
use crate::error::UserError;
use crate::git::{self, Force};
use crate::state::{OpLock, Operation, WorktreeRow};
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

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Removed {
    pub branch: String,
    pub path: String,
    pub released_ports: Vec<u16>,
    pub branch_deleted: bool,
    /// What of the stack was removed; none (null) when no engine was reachable.
    pub stack: Option<crate::engine::Teardown>,
    /// An interrupted add or remove of the branch that this command settled instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovered: Option<String>,
}

pub async fn remove(ctx: &Context, ws: &mut Workspace, opts: &RemoveOptions) -> Result<Removed> {
    let find = |ws: &Workspace| {
        WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &opts.branch)?.ok_or_else(|| {
            anyhow::Error::from(
                UserError::new(format!("no worktree for branch {}", opts.branch))
                    .hint("see `cfn worktree list`"),
            )
        })
    };
    let row = find(ws)?;
    let _lock = crate::branch::lock::acquire(ctx, &row.project, "worktree remove")?;
    let mut row = crate::branch::lock::reread(ws, row)?;
    if let Some(op) = row.operation {
        match recover::recover_if_abandoned(&ws.state, ws.main_root(), &row).await? {
            None => return Err(busy(&row)),
            // An add that only lacked its last step is now an ordinary worktree to remove.
            Some(done) if done.outcome == recover::Outcome::Finished && op != Operation::Remove => {
                row = find(ws)?;
            }
            Some(done) => return settled(ctx, done, opts.volumes).await,
        }
    }
    if ctx.cwd.starts_with(&row.path) {
        return Err(UserError::new(format!(
            "cannot remove the worktree you are standing in: {}",
            row.path.display()
        ))
        .hint("cd to the main checkout, or pass -C <dir>")
        .into());
    }
    // `git branch -d` would refuse an unmerged branch after the worktree is gone: refuse first.
    if opts.delete_branch && !opts.force && matches!(git::is_merged(ws.main_root(), &row.branch), Ok(false)) {
        return Err(UserError::new(format!("branch {} is not merged; nothing was removed", row.branch))
            .hint(
                "merge it first, drop --delete-branch to keep the branch, or add --force to delete it anyway",
            )
            .into());
    }
    let exists = row.path.exists();
    // The engine is asked whether the branch has a stack while git walks the worktree, so its
    // round trips hide behind the walk.
    let probe = (!opts.volumes).then(|| {
        let (project, engine) = (row.project.clone(), row.engine.clone());
        tokio::spawn(async move { stack_present(&project, engine.as_deref()).await })
    });
    if exists {
        if let Err(e) = check_clean(ctx, &row, opts) {
            // Another command may have started removing it meanwhile: say that, not git's error.
            return Err(match find(ws)? {
                now if now.operation.is_some() => busy(&now),
                _ => e,
            });
        }
        let env = ws.env_from_row(row.clone());
        crate::branch::project_hooks::run(
            ctx,
            ws,
            &env,
            crate::branch::project_hooks::HookPoint::PreRemove,
            opts.yes,
        )?;
    }
    let lock = OpLock::take(ws.state.home())?;
    let delete_branch = match (opts.delete_branch, opts.force) {
        (false, _) => 0,
        (true, false) => 1,
        (true, true) => 2,
    };
    if !WorktreeRow::begin_remove(ws.state.conn(), row.id, lock.token(), delete_branch)? {
        return Err(UserError::new(format!("branch {} is busy: another command changes it", row.branch))
            .hint("wait for it to finish, then run the command again")
            .into());
    }
    crash_point::reached("remove", 1);
    let present = match probe {
        Some(p) => Some(p.await.unwrap_or_else(|_| Err(anyhow::anyhow!("engine probe failed")))),
        None => None,
    };
    let stack = match present {
        // Nothing of it exists: nothing to stop.
        Some(Ok(false)) => Some(crate::engine::Teardown::default()),
        _ => stop_stack(ctx, &row.project, row.engine.as_deref(), opts.volumes).await?,
    };
    crash_point::reached("remove", 2);
    if exists {
        // Checked above (or the user forced): git deletes without a second walk.
        let force = if opts.force { Force::Locked } else { Force::Unchecked };
        git::remove_worktree(ws.main_root(), &row.path, force, Some(lock.inheritable()?))?;
    } else {
        // Deleted by hand: let git forget it too.
        git::prune_worktrees(ws.main_root())?;
    }
    crash_point::reached("remove", 3);
    let mut branch_kept = None;
    if opts.delete_branch {
        let owner = Some(lock.inheritable()?);
        branch_kept = git::delete_branch(ws.main_root(), &row.branch, opts.force, owner).err();
        if opts.force {
            if let Some(e) = branch_kept {
                // Forced, only a passing failure (a git lock) can stop it: the remove stays
                // recorded, unowned once this process exits, and the next repair finishes it.
                return Err(e.context(format!(
                    "the worktree was removed, but branch {} was not deleted yet; `cfn doctor --fix` finishes it",
                    row.branch
                )));
            }
        }
        crash_point::reached("remove", 4);
    }
    WorktreeRow::delete(ws.state.conn(), row.id)?;
    lock.finish();
    if row.engine.is_some() {
        // The ports' claims on the remote engine go with the leases (a failure here leaves them
        // to the next add on that engine, or `cfn doctor --fix`).
        if let Err(e) = super::engine::release_left_overs(ws, row.engine.as_deref()).await {
            ctx.warn(format!(
                "could not release the port claims on {} yet: {e:#}",
                row.engine.as_deref().unwrap_or("")
            ));
        }
    }
    if let Some(e) = branch_kept {
        return Err(e.context(format!("the worktree was removed, but branch {} was kept", row.branch)));
    }
    Ok(Removed {
        released_ports: row.ports.values().copied().collect(),
        branch: row.branch,
        path: row.path.to_string_lossy().into_owned(),
        branch_deleted: opts.delete_branch,
        stack,
        recovered: None,
    })
}

fn busy(row: &WorktreeRow) -> anyhow::Error {
    let op = row.operation.map_or("another command", |op| op.as_str());
    let pid = row.owner_pid.map_or(String::new(), |p| format!(" by pid {p}"));
    UserError::new(format!("branch {} is busy: {op} under way{pid}", row.branch))
        .hint("wait for it to finish, then run the command again")
        .into()
}

/// Refuses to lose uncommitted or untracked work unless forced (and, on a terminal, confirmed);
/// a worktree with initialised submodules also needs `--force`, as git requires.
fn check_clean(ctx: &Context, row: &WorktreeRow, opts: &RemoveOptions) -> Result<()> {
    let dirty = git::dirty_paths(&row.path)?;
    if !opts.force && git::has_submodules(&row.path) {
        return Err(UserError::new(format!("worktree {} has initialised submodules", row.path.display()))
            .hint("pass --force to remove it with its submodules")
            .into());
    }
    if dirty.is_empty() {
        return Ok(());
    }
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
        && !ctx.confirm(&format!("Discard {} change(s) in {}?", dirty.len(), row.path.display()), false)?
    {
        return Err(UserError::new("removal cancelled; nothing was changed").into());
    }
    Ok(())
}

/// What `remove` reports when it found the branch's last operation abandoned and settled it.
/// Settling keeps volumes; with `--volumes` they are removed now, as this command asked.
async fn settled(ctx: &Context, done: recover::Recovered, volumes: bool) -> Result<Removed> {
    for note in &done.notes {
        ctx.warn(note);
    }
    let what = match done.outcome {
        recover::Outcome::RolledBack => format!("rolled back an interrupted {}", done.operation.as_str()),
        recover::Outcome::Finished => format!("finished an interrupted {}", done.operation.as_str()),
    };
    let stack = match volumes && done.outcome == recover::Outcome::Finished {
        true => Some(
            teardown(&done.row.project, done.row.engine.as_deref(), true)
                .await
                .map_err(|e| e.context(format!("the volumes of {} could not be removed", done.row.branch)))?,
        ),
        false => None,
    };
    Ok(Removed {
        released_ports: done.row.ports.values().copied().collect(),
        branch: done.row.branch,
        path: done.row.path.to_string_lossy().into_owned(),
        branch_deleted: false,
        stack,
        recovered: Some(what),
    })
}

/// Stops the branch's stack through the engine, by its project label. With no engine
/// reachable removal goes on (everything but compose works without Docker) and says that the
/// stack could not be checked; `--volumes` then cannot be honoured and says so rather than
/// pretending.
async fn stop_stack(
    ctx: &Context,
    project: &str,
    engine: Option<&str>,
    volumes: bool,
) -> Result<Option<crate::engine::Teardown>> {
    match teardown(project, engine, volumes).await {
        Ok(done) => Ok(Some(done)),
        Err(e) if volumes => Err(e.context("cannot delete the stack's volumes")),
        Err(e) => {
            // Said every time: a daemon that comes back restarts `restart: always` services,
            // and a remote engine may be out of reach only from here; the ports are released.
            ctx.warn(format!(
                "could not check the stack of {project} (the engine did not answer: {e:#}); its ports \
                 are released. If it still runs, stop it with `{} compose -p {project} down`",
                crate::engine::docker_command(engine)
            ));
            Ok(None)
        }
    }
}

/// Whether the engine has any container or network labelled with `project`; the inner error is
/// the engine's.
async fn stack_present(project: &str, engine: Option<&str>) -> Result<bool> {
    use bollard::query_parameters::ListNetworksOptionsBuilder;
    let engine = crate::engine::Engine::connect_named(engine).await?;
    if !engine.containers(&[project]).await?.is_empty() {
        return Ok(true);
    }
    let label = format!("{}={project}", crate::engine::PROJECT_LABEL);
    let filters = std::collections::HashMap::from([("label", vec![label])]);
    let options = ListNetworksOptionsBuilder::default().filters(&filters).build();
    Ok(!engine.docker.list_networks(Some(options)).await?.is_empty())
}

/// Removes the containers and networks (and with `volumes` the volumes) labelled with
/// `project`; the inner error is the engine's (unreachable, or a removal that failed).
pub(super) async fn teardown(
    project: &str,
    engine: Option<&str>,
    volumes: bool,
) -> Result<crate::engine::Teardown> {
    let engine = crate::engine::Engine::connect_named(engine).await?;
    engine.teardown(project, volumes).await
}
