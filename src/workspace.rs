//! The repository a command acts on: its checkout, configuration, state and registry entry,
//! and the branch environments (main checkout or linked worktree) inside it.

use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, Checkout};
use crate::identity::{self, Attachment};
use crate::state::{self, RepoRow, State, WorktreeRow};
use crate::worktrees;
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

    pub fn with_config(ctx: &Context, checkout: Checkout, config: Config) -> Result<Workspace> {
        let mut state = State::open(&ctx.home)?;
        let repo = register(ctx, &mut state, &checkout, &config)?;
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
                .hint(
                    "create worktrees with `cfn worktree add`, or name a branch; a worktree moved by \
                     hand is re-attached by `git worktree repair <its path>` and `cfn doctor --fix` \
                     in the main checkout",
                )
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

/// Finds the repository's registry entry, creating it or refreshing its base ports only when
/// they differ (a repository seen before costs look-ups, no write). A main checkout that was moved, copied or
/// cloned into a place another repository left is told apart by its id ([`identity`]) and said
/// so loudly: a moved one is re-attached to its own entry, with its worktrees.
fn register(ctx: &Context, state: &mut State, checkout: &Checkout, config: &Config) -> Result<RepoRow> {
    let root = &checkout.main_root;
    let base: Vec<(String, u16)> = config.ports.keys.iter().map(|(k, v)| (k.clone(), v.base)).collect();
    if let Some(repo) = state::find_repository(state.conn(), root)? {
        let same = repo.uid.is_some() && repo.uid == identity::read_id(&checkout.common_dir)?;
        if same && state::base_ports_of(state.conn(), repo.id)? == base {
            return Ok(repo);
        }
    }
    let tx = state.immediate()?;
    let attached = identity::attach(&tx, root, &checkout.common_dir, &config.project_name(root), &base)?;
    let relocated = match &attached.how {
        // Best effort: the repository is re-attached even when git cannot list its worktrees
        // now; `cfn doctor --fix` tries again.
        Attachment::Moved { .. } => worktrees::relocate(&tx, attached.repo.id, root).unwrap_or_else(|e| {
            ctx.warn(format!("could not look for worktrees that moved with it: {e:#}"));
            Vec::new()
        }),
        _ => Vec::new(),
    };
    tx.commit()?;
    tell(ctx, root, &attached, &relocated);
    Ok(attached.repo)
}

/// Says how a checkout that is not where its registry entry was came to its entry.
fn tell(ctx: &Context, root: &Path, attached: &identity::Attached, relocated: &[worktrees::Relocated]) {
    let project = &attached.repo.project;
    if let Some(why) = &attached.not_stored {
        ctx.warn(format!(
            "{why}; cfn works as before here, but if this checkout is moved or renamed it is \
             registered anew instead of keeping its project {project}"
        ));
    }
    match &attached.how {
        Attachment::Known | Attachment::New => {}
        Attachment::Moved { from } => {
            ctx.warn(format!(
                "this repository moved from {} to {}: re-attached to its registration \
                 (project {project}; its worktrees, ports and volumes stay its own)",
                from.display(),
                root.display()
            ));
            for r in relocated {
                ctx.warn(format!(
                    "worktree {} moved from {} to {}: re-attached",
                    r.branch,
                    r.from.display(),
                    r.to.display()
                ));
            }
        }
        Attachment::Copy { of } => ctx.warn(format!(
            "{} is a copy of the checkout at {}: registered as a repository of its own \
             (project {project}), with stacks and volumes apart from the original's",
            root.display(),
            of.display()
        )),
        Attachment::TookPlaceOf { project: other } => ctx.warn(format!(
            "the repository registered at {} (project {other}) is not this checkout: it was moved \
             away or replaced; registered this one as a repository of its own (project {project}). \
             The other is re-attached when it is next used where it went; `cfn worktree prune --all` \
             forgets it if it is gone for good",
            root.display()
        )),
    }
}
