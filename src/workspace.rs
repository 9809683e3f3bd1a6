//! The repository a command acts on: its checkout, configuration, state and registry entry,
//! and the branch environments (main checkout or linked worktree) inside it.

use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, Checkout};
use crate::state::{self, RepoRow, State, WorktreeRow};
use anyhow::Result;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

pub struct Workspace {
    pub checkout: Checkout,
    pub config: Config,
    pub state: State,
    pub repo: RepoRow,
}

/// One branch's environment: the main checkout (slot 0, base ports) or a registered worktree.
#[derive(Debug, Clone)]
pub struct BranchEnv {
    pub branch: String,
    pub path: PathBuf,
    pub project: String,
    pub slot: u32,
    pub ports: IndexMap<String, u16>,
    pub is_main: bool,
}

impl Workspace {
    /// Opens the repository containing `ctx.cwd`; it must have a `cfn.toml`.
    pub fn open(ctx: &Context) -> Result<Workspace> {
        let checkout = git::discover(&ctx.cwd)?;
        let config = Config::load(&checkout.main_root)?;
        Self::with_config(ctx, checkout, config)
    }

    /// Opens the state database and finds (or registers) the repository. A registry that lost
    /// the repository while its worktrees still carry cfn's files is rebuilt from them first,
    /// and said on stderr.
    pub fn with_config(ctx: &Context, checkout: Checkout, config: Config) -> Result<Workspace> {
        let mut state = State::open(&ctx.home)?;
        rebuild_if_lost(ctx, &mut state, &checkout.main_root, &config)?;
        let repo = register(&mut state, &checkout.main_root, &config)?;
        Ok(Workspace { checkout, config, state, repo })
    }

    pub fn main_root(&self) -> &Path {
        &self.checkout.main_root
    }

    /// The main checkout's environment.
    pub fn main_env(&self) -> BranchEnv {
        let ports = self.config.ports.keys.iter().map(|(k, v)| (k.clone(), v.base)).collect();
        BranchEnv {
            branch: git::discover(self.main_root())
                .ok()
                .and_then(|c| c.branch)
                .unwrap_or_else(|| "HEAD".into()),
            path: self.main_root().to_path_buf(),
            project: self.repo.project.clone(),
            slot: 0,
            ports,
            is_main: true,
        }
    }

    /// The environment of branch `name`, or of the checkout the command stands in.
    pub fn branch_env(&self, name: Option<&str>) -> Result<BranchEnv> {
        let conn = self.state.conn();
        let row = match name {
            Some(name) => {
                if let Some(row) = WorktreeRow::find_by_branch(conn, self.repo.id, name)? {
                    row
                } else if self.checkout.is_main() && self.checkout.branch.as_deref() == Some(name)
                    || git::discover(self.main_root())?.branch.as_deref() == Some(name)
                {
                    return Ok(self.main_env());
                } else {
                    return Err(UserError::new(format!("no worktree for branch {name}"))
                        .hint(format!(
                            "create one with `cfn worktree add {name}`, or see `cfn worktree list`"
                        ))
                        .into());
                }
            }
            None if self.checkout.is_main() => return Ok(self.main_env()),
            None => WorktreeRow::find_by_path(conn, &self.checkout.root)?.ok_or_else(|| {
                UserError::new(format!(
                    "this worktree is not registered with cfn: {}",
                    self.checkout.root.display()
                ))
                .hint("create worktrees with `cfn worktree add`, or name a branch")
            })?,
        };
        Ok(self.env_from_row(row))
    }

    /// Every environment of the repository: the main checkout first, then worktrees by slot.
    pub fn all_envs(&self) -> Result<Vec<BranchEnv>> {
        let mut envs = vec![self.main_env()];
        envs.extend(
            WorktreeRow::list(self.state.conn(), self.repo.id)?.into_iter().map(|r| self.env_from_row(r)),
        );
        Ok(envs)
    }
}

impl Workspace {
    /// A registered worktree's environment, its ports in the order of the port keys.
    pub fn env_from_row(&self, mut row: WorktreeRow) -> BranchEnv {
        let keys = &self.config.ports.keys;
        row.ports.sort_by_key(|key, _| keys.get_index_of(key).unwrap_or(usize::MAX));
        BranchEnv {
            branch: row.branch,
            path: row.path,
            project: row.project,
            slot: row.slot,
            ports: row.ports,
            is_main: false,
        }
    }
}

/// Rebuilds the registry of a repository it lost (see [`crate::rebuild`]), saying so.
fn rebuild_if_lost(ctx: &Context, state: &mut State, root: &Path, config: &Config) -> Result<()> {
    if crate::rebuild::needed(state.conn(), root, config)? {
        let rebuilt = crate::rebuild::rebuild(state, root, config)?;
        for line in rebuilt.warnings(root) {
            ctx.warn(line);
        }
    }
    Ok(())
}

/// Finds the repository's registry entry, creating it or refreshing its base ports only when
/// they differ (read-only commands stay read-only).
fn register(state: &mut State, root: &Path, config: &Config) -> Result<RepoRow> {
    let base: Vec<(String, u16)> = config.ports.keys.iter().map(|(k, v)| (k.clone(), v.base)).collect();
    if let Some(repo) = state::find_repository(state.conn(), root)? {
        if state::base_ports_of(state.conn(), repo.id)? == base {
            return Ok(repo);
        }
    }
    let tx = state.immediate()?;
    let repo = state::ensure_repository(&tx, root, &config.project_name(root), &base)?;
    tx.commit()?;
    Ok(repo)
}
