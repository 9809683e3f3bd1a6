//! One branch's environment, the layer between the primitives and the features: the
//! [`Workspace`] a command acts on (the repository's checkout, configuration, state and registry
//! entry, and the branch environments — main checkout or linked worktree — inside it), and the
//! per-branch services built on it: the rendered files (`files`, `plain_compose`), the
//! migrations (`migrations`), health checks (`health`), agent bus (`bus`), project hooks
//! (`hooks`), which cfn.toml governs (`config`) and the per-branch operation lock (`lock`).
//!
//! Which cfn.toml governs a worktree ([`Workspace::config_of`]): its own, when the branch has
//! one (it is what that branch's compose files match), else the main checkout's. Resolving a
//! worktree's environment brings its leases in line with that file first
//! ([`crate::ports::reconcile`]).

pub mod bus;
pub mod compose_files;
mod engine;
pub mod env_file;
pub mod files;
pub mod governing;
pub mod health;
pub mod hostnames;
pub mod lock;
pub mod mcp_access;
pub mod mcp_servers;
pub mod migrations;
pub mod plain_compose;
pub mod project_hooks;
pub mod rebuild;
pub mod relocate;
pub mod trust;

use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, Checkout};
use crate::ports::reconcile::{self, Change};
use crate::ports::still_published::{self, Publishers};
use crate::state::repository_id::{self, Attachment};
use crate::state::{self, RepoRow, State, WorktreeRow};
use anyhow::Result;
use indexmap::IndexMap;
use std::borrow::Cow;
use std::path::{Path, PathBuf};

pub struct Workspace {
    pub checkout: Checkout,
    /// The main checkout's cfn.toml: the repository's settings, and the configuration of every
    /// worktree without a cfn.toml of its own.
    pub config: Config,
    pub state: State,
    pub repo: RepoRow,
    /// Where lease changes are announced.
    ctx: Context,
    /// Leases kept this run and already said so: a command resolves its branch more than once.
    told_kept: std::cell::RefCell<std::collections::HashSet<String>>,
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
    /// The engine the stack runs on, as named (`None`: the local engine).
    pub engine: Option<String>,
    /// The main checkout's engine is the repository's `[engine]`, not approved yet: nothing may
    /// reach it (see [`BranchEnv::engine_target`]).
    pub engine_unapproved: bool,
}

impl BranchEnv {
    /// The branch's slug in its hostnames and the `branch_slug` template variable (see
    /// [`crate::names::branch_slug`]); `None` for the main checkout.
    pub fn slug(&self, repo_project: &str) -> Option<String> {
        (!self.is_main).then(|| crate::names::branch_slug(repo_project, &self.project, &self.branch))
    }
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
        let repo = register(ctx, &mut state, &checkout, &config)?;
        Ok(Workspace { checkout, config, state, repo, ctx: ctx.clone(), told_kept: Default::default() })
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
            engine: self.config.engine.spec().map(str::to_string),
            engine_unapproved: !self.engine_trusted(),
        }
    }

    /// The environment of branch `name`, or of the checkout the command stands in.
    pub fn branch_env(&self, name: Option<&str>) -> Result<BranchEnv> {
        match self.branch_row(name)? {
            Some(row) => self.follow_config(row),
            None => Ok(self.main_env()),
        }
    }

    /// [`Workspace::branch_env`] for a command that must work however the branch's own
    /// cfn.toml is (`down`: a stack keeps running until it is stopped): a worktree whose
    /// cfn.toml cannot be read has the environment it is registered with, its leases as they
    /// are. The caller tells the user ([`Workspace::config_of`] fails for it).
    pub fn branch_env_as_registered(&self, name: Option<&str>) -> Result<BranchEnv> {
        let Some(row) = self.branch_row(name)? else { return Ok(self.main_env()) };
        let registered = row.clone();
        match self.follow_config(row) {
            Err(_) if self.config_at(&registered.path).is_err() => Ok(self.env_from_row(registered)),
            other => other,
        }
    }

    /// The registry row of the branch `name` (else of the checkout the command runs in), or
    /// `None` for the main checkout.
    fn branch_row(&self, name: Option<&str>) -> Result<Option<WorktreeRow>> {
        let conn = self.state.conn();
        let row = match name {
            Some(name) => {
                if let Some(row) = WorktreeRow::find_by_branch(conn, self.repo.id, name)? {
                    row
                } else if self.checkout.is_main() && self.checkout.branch.as_deref() == Some(name)
                    || git::discover(self.main_root())?.branch.as_deref() == Some(name)
                {
                    return Ok(None);
                } else {
                    return Err(UserError::new(format!("no worktree for branch {name}"))
                        .hint(format!(
                            "create one with `cfn worktree add {name}`, or see `cfn worktree list`"
                        ))
                        .into());
                }
            }
            None if self.checkout.is_main() => return Ok(None),
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
        Ok(Some(row))
    }

    /// Every environment of the repository: the main checkout first, then worktrees by slot.
    /// A worktree whose cfn.toml is broken is listed with the leases it has, and a warning.
    pub fn all_envs(&self) -> Result<Vec<BranchEnv>> {
        let mut envs = vec![self.main_env()];
        for row in WorktreeRow::list(self.state.conn(), self.repo.id)? {
            let fallback = row.clone();
            match self.follow_config(row) {
                Ok(env) => envs.push(env),
                Err(e) => {
                    let hint =
                        e.chain().find_map(|c| c.downcast_ref::<UserError>()).and_then(|u| u.hint.clone());
                    let hint = hint.map(|h| format!(" ({h})")).unwrap_or_default();
                    self.ctx.warn(format!("worktree {}: {e:#}{hint}", fallback.branch));
                    envs.push(self.env_from_row(fallback));
                }
            }
        }
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
            engine: row.engine,
            // approved when the worktree was added (or named by the user with --engine)
            engine_unapproved: false,
        }
    }
}

impl Workspace {
    /// The configuration governing `branch`: the main checkout's for itself and for a worktree
    /// without a cfn.toml; a worktree's own cfn.toml otherwise, for what is the branch's own —
    /// its port keys and scheme (`[ports]` but `bind`) and compose files
    /// (`project.compose_files`). The rest (project name, bind address, worktree folder,
    /// templates, hooks, agents, loop, copy) stays the repository's. On a remote engine,
    /// `ports.bind` is where it publishes: see [`Workspace::publish_address`].
    pub fn config_of(&self, branch: &BranchEnv) -> Result<Cow<'_, Config>> {
        let config = if branch.is_main { Cow::Borrowed(&self.config) } else { self.config_at(&branch.path)? };
        let Some(address) = self.publish_address(branch)? else { return Ok(config) };
        let mut config = config.into_owned();
        config.ports.bind = address;
        Ok(Cow::Owned(config))
    }

    /// The configuration governing the checkout at `checkout` (see [`Workspace::config_of`]).
    pub fn config_at(&self, checkout: &Path) -> Result<Cow<'_, Config>> {
        crate::branch::governing::governing(&self.config, self.main_root(), checkout)
    }

    /// Brings a registered worktree's leases in line with its configuration, says what changed
    /// and renders its files again; its environment afterwards. A worktree that is being added or
    /// removed, or whose directory is gone, is left as it is.
    pub fn follow_config(&self, row: WorktreeRow) -> Result<BranchEnv> {
        let (env, changes) = self.reconcile_row(row)?;
        if changes.is_empty() {
            return Ok(env);
        }
        self.ctx.say(crate::ports::reconcile::describe(&changes, &env.branch));
        if let Err(e) = crate::branch::files::render(self, &env) {
            self.ctx.warn(format!("could not render the files of {} again: {e:#}", env.branch));
        }
        Ok(env)
    }

    /// What [`Workspace::follow_config`] does to the registry, without saying or rendering
    /// anything: the environment afterwards and the changes made.
    pub fn reconcile_row(&self, row: WorktreeRow) -> Result<(BranchEnv, Vec<Change>)> {
        if row.operation.is_some() || !row.path.is_dir() {
            return Ok((self.env_from_row(row), Vec::new()));
        }
        self.reconcile_leases(row, false)
    }

    /// The environment of a worktree this process is adding or adopting, once its checkout
    /// exists: the slot was allocated for the main checkout's keys, the branch's own cfn.toml
    /// may have more (or fewer).
    pub fn env_of_new_checkout(&self, row: WorktreeRow) -> Result<BranchEnv> {
        Ok(self.reconcile_leases(row, true)?.0)
    }

    /// `ours`: the row's operation is this process's own add or adoption.
    fn reconcile_leases(&self, row: WorktreeRow, ours: bool) -> Result<(BranchEnv, Vec<Change>)> {
        let config = self.config_at(&row.path)?;
        let conn = self.state.conn();
        let held = state::leases_of(conn, row.id)?;
        let first = reconcile::plan(&config.ports.keys, &held);
        if first.is_empty() {
            return Ok((self.env_from_row(row), Vec::new()));
        }
        // Asked before the write lock is taken, and only when something is to be released.
        let publishers = if first.release.is_empty() {
            Publishers::NotAsked
        } else {
            still_published::publishers(&row.project, row.engine.as_deref())
        };
        // One IMMEDIATE transaction, as for an allocation: planned again under the write lock,
        // since another command may have reconciled this worktree meanwhile.
        // A `worktree remove` may have begun meanwhile: its row is then left to it.
        let tx = rusqlite::Transaction::new_unchecked(conn, rusqlite::TransactionBehavior::Immediate)?;
        let current = match WorktreeRow::find(&tx, row.id)? {
            Some(current) if ours || current.operation.is_none() => current,
            _ => return Ok((self.env_from_row(row), Vec::new())),
        };
        let held = state::leases_of(&tx, current.id)?;
        let mut plan = reconcile::plan(&config.ports.keys, &held);
        let kept = still_published::keep_published(&mut plan, &publishers);
        let changes = reconcile::apply(&tx, &config.ports, current.id, current.slot, &held, &plan)?;
        tx.commit()?;
        for k in &kept {
            let line = format!("ports of {}: {k}", current.branch);
            if self.told_kept.borrow_mut().insert(line.clone()) {
                self.ctx.warn(line);
            }
        }
        let row = WorktreeRow::find(conn, row.id)?.unwrap_or(row);
        Ok((self.env_from_row(row), changes))
    }
}

/// Rebuilds the registry of a repository it lost (see [`crate::branch::rebuild`]), saying so.
fn rebuild_if_lost(ctx: &Context, state: &mut State, root: &Path, config: &Config) -> Result<()> {
    if crate::branch::rebuild::needed(state.conn(), root, config)? {
        let rebuilt = crate::branch::rebuild::rebuild(state, root, config)?;
        for line in rebuilt.warnings(root) {
            ctx.warn(line);
        }
    }
    Ok(())
}

/// Finds the repository's registry entry, creating it or refreshing its base ports only when
/// they differ (a repository seen before costs look-ups, no write). A main checkout that was moved, copied or
/// cloned into a place another repository left is told apart by its id ([`identity`]) and said
/// so loudly: a moved one is re-attached to its own entry, with its worktrees.
fn register(ctx: &Context, state: &mut State, checkout: &Checkout, config: &Config) -> Result<RepoRow> {
    let root = &checkout.main_root;
    let base: Vec<(String, u16)> = config.ports.keys.iter().map(|(k, v)| (k.clone(), v.base)).collect();
    if let Some(repo) = state::find_repository(state.conn(), root)? {
        let same = repo.uid.is_some() && repo.uid == repository_id::read_id(&checkout.common_dir)?;
        if same && state::base_ports_of(state.conn(), repo.id)? == base {
            return Ok(repo);
        }
    }
    let tx = state.immediate()?;
    let listed =
        || git::list_worktrees(root).map(|l| l.into_iter().map(|w| w.path).collect()).unwrap_or_default();
    let attached =
        repository_id::attach(&tx, root, &checkout.common_dir, &config.project_name(root), &base, listed)?;
    let relocated = match &attached.how {
        // Best effort: the repository is re-attached even when git cannot list its worktrees
        // now; `cfn doctor --fix` tries again.
        Attachment::Moved { .. } => relocate::relocate(&tx, attached.repo.id, root).unwrap_or_else(|e| {
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
fn tell(ctx: &Context, root: &Path, attached: &repository_id::Attached, relocated: &[relocate::Relocated]) {
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
        Attachment::IdRestored { proof } => ctx.warn(format!(
            "{} had lost its repository id ({}); git here lists its registered worktree {}, so it is \
             the repository registered at this place: wrote the id again and kept project {project}",
            root.display(),
            repository_id::ID_FILE,
            proof.display()
        )),
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
