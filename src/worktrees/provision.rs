//! What a new worktree gets once git and the registry have it: its data copied from a source
//! (`--data-from`), then the project's post_create hooks — in that order, so the hooks see the
//! data. Worktrees cfn adds and worktrees it adopts (a plain `git worktree add`) both get it, so
//! the four project hooks all run from the features layer.

use super::add::{add_checkout, AddOptions, Added};
use crate::branch::project_hooks::{self, HookPoint};
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::data::source::Source;
use crate::error::UserError;
use anyhow::Result;

/// `worktree add`: the worktree (all or nothing), then its data and post_create hooks. An
/// unknown data source is refused before anything is created; a failed copy keeps the
/// worktree, with empty data, and says how to copy again.
pub async fn add(ctx: &Context, ws: &mut Workspace, opts: &AddOptions) -> Result<Added> {
    let source = match &opts.data_from {
        Some(name) => Some(Source::resolve(ctx, ws, name)?),
        None => None,
    };
    let added = add_checkout(ctx, ws, opts).await?;
    if let Some(source) = &source {
        copy_data(ctx, ws, &added.env, source, opts.stop_source).await?;
    }
    project_hooks::run(ctx, ws, &added.env, HookPoint::PostCreate, opts.approve_hooks)?;
    Ok(added)
}

/// The post_create hooks of a worktree cfn adopted; unapproved ones are asked for on a terminal
/// and skipped with a hint otherwise. The adoption stands whatever they do: a failure is told.
pub(super) fn adopted(ctx: &Context, ws: &Workspace, env: &BranchEnv) {
    if let Err(e) = project_hooks::run(ctx, ws, env, HookPoint::PostCreate, false) {
        ctx.warn(format!("post_create hooks of {}: {e:#}", env.branch));
    }
}

async fn copy_data(
    ctx: &Context,
    ws: &Workspace,
    env: &BranchEnv,
    source: &Source,
    stop_source: bool,
) -> Result<()> {
    let _lock = crate::branch::lock::acquire(ctx, &env.project, "worktree add")?;
    let what = source.describe();
    match source.copy_into(ctx, ws, env, stop_source).await {
        Ok(items) if items.is_empty() => ctx.say(format!("{what} has no data to copy")),
        Ok(items) => ctx.say(format!("copied the data of {what}: {}", items.join(", "))),
        Err(e) => {
            return Err(UserError::new(format!(
                "created {} at {}, but copying the data of {what} failed: {e:#}",
                env.branch,
                env.path.display()
            ))
            .hint(format!(
                "the branch keeps empty data and its post_create hooks did not run; {} copies again",
                source.retry_command(env, stop_source)
            ))
            .into())
        }
    }
    Ok(())
}
