//! Where a branch's data comes from: another branch's checkout or a snapshot. Named by the user
//! (`worktree add --data-from`, `data clone --from`), resolved before anything is created, so an
//! unknown name leaves nothing behind.

use super::{clone, snapshot};
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use std::path::PathBuf;

/// The branch named `name` (`main` is the main checkout); unknown is one line with a hint.
pub fn branch_env(ws: &Workspace, name: &str) -> Result<BranchEnv> {
    let main = ws.main_env();
    if name == "main" || name == main.branch {
        return Ok(main);
    }
    ws.branch_env(Some(name)).map_err(|_| {
        UserError::new(format!("no worktree for branch {name} to copy data from"))
            .hint("name a branch listed by `cfn worktree list`, or `main`")
            .into()
    })
}

/// A branch's checkout, or a snapshot.
pub enum Source {
    Branch(BranchEnv),
    Snapshot { name: String, dir: PathBuf, meta: snapshot::Meta },
}

impl Source {
    /// A branch of that name, else a snapshot of that name, else the branch's error.
    pub fn resolve(ctx: &Context, ws: &Workspace, name: &str) -> Result<Source> {
        match branch_env(ws, name) {
            Ok(env) => Ok(Source::Branch(env)),
            Err(not_a_branch) => match snapshot::read(ctx, ws, name) {
                Ok((dir, meta)) => Ok(Source::Snapshot { name: name.to_string(), dir, meta }),
                Err(_) => {
                    Err(not_a_branch.context(format!("--data-from {name}: no such branch or snapshot")))
                }
            },
        }
    }

    /// How messages name it: the branch, or `snapshot NAME`.
    pub fn describe(&self) -> String {
        match self {
            Source::Branch(source) => source.branch.clone(),
            Source::Snapshot { name, .. } => format!("snapshot {name}"),
        }
    }

    /// Replaces `target`'s data with a copy of this source's; returns what was copied. Nothing
    /// half-copied is left on failure (copies are swapped in only when complete).
    pub async fn copy_into(
        &self,
        ctx: &Context,
        ws: &Workspace,
        target: &BranchEnv,
        stop_source: bool,
    ) -> Result<Vec<String>> {
        match self {
            Source::Branch(source) => clone::clone(ctx, ws, source, target, stop_source).await,
            Source::Snapshot { dir, meta, .. } => snapshot::restore(ctx, ws, target, dir, meta).await,
        }
    }

    /// The command that copies again into `target`, for a hint after a failed copy.
    pub fn retry_command(&self, target: &BranchEnv, stop_source: bool) -> String {
        match (self, stop_source) {
            (Source::Branch(source), true) => {
                format!("`cfn data clone --from {} -b {} --yes --stop-source`", source.branch, target.branch)
            }
            // a running source is the usual reason: the retry says how to copy from it
            (Source::Branch(source), false) => format!(
                "`cfn data clone --from {0} -b {1} --yes` (add --stop-source while {0} runs)",
                source.branch, target.branch
            ),
            (Source::Snapshot { name, .. }, _) => {
                format!("`cfn data restore {name} -b {} --yes`", target.branch)
            }
        }
    }
}
