//! The tools only `cfn mcp --repo` offers: worktrees for parallel work, and the files two
//! worktrees both change.

use super::outcome;
use super::params::{NoArgs, WorktreeAddArgs, WorktreeRemoveArgs};
use super::results::WorktreeList;
use super::schemas::output;
use super::server::CfnServer;
use crate::branch::Workspace;
use crate::cli::commands::view::WorktreeView;
use crate::worktrees::conflicts::Report;
use crate::worktrees::{self, AddOptions, RemoveOptions, Removed};
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::CallToolResult;
use rmcp::{tool, tool_router};

#[tool_router(router = repo_router, vis = "pub(super)")]
impl CfnServer {
    #[tool(
        description = "Create a worktree for a branch (created from `base` when new) with its own ports and rendered files. Refused when the project's post_create hooks, or a project.worktree_dir other than the default, are not trusted.",
        output_schema = output::<WorktreeView>()
    )]
    async fn worktree_add(&self, Parameters(a): Parameters<WorktreeAddArgs>) -> CallToolResult {
        let ctx = self.scope.repo_ctx(&self.ctx);
        outcome::run_async(move || async move {
            let mut ws = Workspace::open(&ctx)?;
            let opts = AddOptions {
                branch: a.branch,
                base: a.base,
                path: None,
                data_from: None,
                stop_source: false,
                approve_hooks: false,
                // An agent never picks where a stack runs: the repository's engine (approved).
                engine: None,
            };
            let added = worktrees::add(&ctx, &mut ws, &opts).await?;
            Ok(WorktreeView::from(&added.env))
        })
        .await
    }

    #[tool(
        description = "Every worktree of the repository with its slot, ports and state (`cfn worktree list --json`).",
        output_schema = output::<WorktreeList>()
    )]
    async fn worktree_list(&self, Parameters(_): Parameters<NoArgs>) -> CallToolResult {
        let ctx = self.scope.repo_ctx(&self.ctx);
        outcome::run_blocking(move || {
            let listed = crate::cli::commands::worktree::list::listed(&Workspace::open(&ctx)?)?;
            Ok(WorktreeList { worktrees: listed })
        })
        .await
    }

    #[tool(
        description = "Remove a branch's worktree and release its ports; volumes are kept. Refused with uncommitted changes unless `force` is true.",
        output_schema = output::<Removed>()
    )]
    async fn worktree_remove(&self, Parameters(a): Parameters<WorktreeRemoveArgs>) -> CallToolResult {
        let ctx = self.scope.repo_ctx(&self.ctx);
        outcome::run_async(move || async move {
            let mut ws = Workspace::open(&ctx)?;
            let opts = RemoveOptions {
                branch: a.branch,
                force: a.force,
                delete_branch: a.delete_branch,
                volumes: false,
                yes: false,
            };
            worktrees::remove(&ctx, &mut ws, &opts).await.map_err(force_as_argument)
        })
        .await
    }

    #[tool(
        description = "Files changed in more than one worktree, relative to each one's merge base with the main branch, uncommitted and untracked changes included: merge conflicts seen coming.",
        output_schema = output::<Report>()
    )]
    async fn conflicts(&self, Parameters(_): Parameters<NoArgs>) -> CallToolResult {
        let ctx = self.scope.repo_ctx(&self.ctx);
        outcome::run_blocking(move || worktrees::conflicts::conflicts(&Workspace::open(&ctx)?)).await
    }
}

/// The CLI's hints name `--force`; through MCP it is the tool's `force` argument.
fn force_as_argument(err: anyhow::Error) -> anyhow::Error {
    match crate::error::user_error(&err) {
        Some(user) if user.hint.as_deref().is_some_and(|h| h.contains("--force")) => {
            let hint = user.hint.as_deref().unwrap_or_default().replace("--force", "`\"force\": true`");
            let user = user.clone().hint(hint);
            err.context(user)
        }
        _ => err,
    }
}
