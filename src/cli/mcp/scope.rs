//! What the server may act on: one checkout (the default), or every branch of the repository
//! (`--repo`). Every tool call resolves its target through here, so a bound server can never
//! reach another branch.

use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum Scope {
    /// Bound to the checkout at `path`, whose branch was `branch` when the server started.
    Checkout { path: PathBuf, branch: String },
    /// Any branch of the repository containing `dir`; `dir` is also the default checkout.
    Repo { dir: PathBuf },
}

/// The branch a tool call acts on: a context standing in its checkout, and how to name it.
pub struct Target {
    /// Stands in the branch's checkout (so the bus and compose choices are the branch's own).
    pub ctx: Context,
    /// `None`: the checkout `ctx` stands in.
    pub name: Option<String>,
}

impl Target {
    /// The workspace and the branch's environment.
    pub fn open(&self) -> Result<(Workspace, BranchEnv)> {
        let ws = Workspace::open(&self.ctx)?;
        let env = ws.branch_env(self.name.as_deref())?;
        Ok((ws, env))
    }
}

impl Scope {
    /// Resolves the scope at start-up: a bound server checks its checkout is one cfn knows.
    pub fn start(ctx: &Context, repo: bool, branch: Option<&str>) -> Result<Scope> {
        let ws = Workspace::open(ctx)?;
        if repo {
            return Ok(Scope::Repo { dir: ctx.cwd.clone() });
        }
        let env = ws.branch_env(branch)?;
        if !env.path.is_dir() {
            return Err(UserError::new(format!(
                "the worktree of {} is missing: {}",
                env.branch,
                env.path.display()
            ))
            .hint("`cfn doctor --fix` settles it; `cfn worktree list` shows the worktrees")
            .into());
        }
        Ok(Scope::Checkout { path: env.path, branch: env.branch })
    }

    pub fn is_repo(&self) -> bool {
        matches!(self, Scope::Repo { .. })
    }

    /// The target of a call naming `branch` (or none). A bound server refuses any branch but
    /// its own.
    pub fn target(&self, ctx: &Context, branch: Option<&str>) -> Result<Target> {
        match self {
            Scope::Checkout { path, branch: own } => {
                if let Some(asked) = branch.filter(|b| b != own) {
                    return Err(UserError::usage(format!(
                        "this server serves branch {own} only; it does not act on {asked}"
                    ))
                    .hint("drop the `branch` argument, or give an orchestrator `cfn mcp --repo`")
                    .into());
                }
                Ok(Target { ctx: Context { cwd: path.clone(), ..ctx.clone() }, name: None })
            }
            Scope::Repo { dir } => {
                let at_start = Context { cwd: dir.clone(), ..ctx.clone() };
                let Some(name) = branch else { return Ok(Target { ctx: at_start, name: None }) };
                // Stand in the branch's own checkout, so its bus and files are the ones used.
                let env = Workspace::open(&at_start)?.branch_env(Some(name))?;
                Ok(Target { ctx: Context { cwd: env.path, ..ctx.clone() }, name: Some(name.to_string()) })
            }
        }
    }

    /// A context standing where the server started (the main checkout's repository): for
    /// repository-wide tools.
    pub fn repo_ctx(&self, ctx: &Context) -> Context {
        let cwd = match self {
            Scope::Checkout { path, .. } => path.clone(),
            Scope::Repo { dir } => dir.clone(),
        };
        Context { cwd, ..ctx.clone() }
    }
}
