//! Registering a new worktree: its ports leased and its row inserted in ONE IMMEDIATE write
//! transaction — the step `worktree add` and adoption share. Under the write lock the branch is
//! checked again (of several registrations of one branch, one gets the row), then the slot and
//! ports are chosen, the compose project named, and the row (state `creating`, owned by the
//! caller's operation lock) inserted with its leases.

use crate::config::PortsConfig;
use crate::ports::{self, PortHost};
use crate::state::{NewRow, Operation, RepoRow, State, WorktreeRow};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// What is being registered.
pub(super) struct Registration<'a> {
    pub operation: Operation,
    pub branch: &'a str,
    /// The operation lock's token: the row's owner until it is ready.
    pub owner: &'a str,
    /// Whether the operation created the git branch (undone with the row).
    pub created_branch: bool,
}

/// Where the worktree lives, decided once the compose project is known: its path, and the
/// first folder the operation will create for it (undone with the row), if any.
pub(super) struct Place {
    pub path: PathBuf,
    pub created_dir: Option<PathBuf>,
}

/// The registered row.
pub(super) struct Registered {
    pub id: i64,
    pub path: PathBuf,
}

/// The parts of the workspace a registration uses (borrowed apart, so `place` may read the
/// rest of the workspace meanwhile).
pub(super) struct Parts<'a> {
    pub state: &'a mut State,
    pub repo: &'a RepoRow,
    pub ports: &'a PortsConfig,
    /// Where the ports are published: this machine, or a remote engine's host.
    pub host: PortHost<'a>,
    /// The engine the branch runs on, as given (`None`: the local one).
    pub engine: Option<&'a str>,
}

/// Leases and inserts in one transaction. `taken` is the error for a branch another row holds;
/// `place` decides the worktree's path from the project name (and may refuse it).
pub(super) fn register(
    mut ws: Parts<'_>,
    reg: &Registration<'_>,
    taken: impl FnOnce(&WorktreeRow) -> anyhow::Error,
    place: impl FnOnce(&str) -> Result<Place>,
) -> Result<Registered> {
    let tx = ws.state.immediate()?;
    if let Some(existing) = WorktreeRow::find_by_branch(&tx, ws.repo.id, reg.branch)? {
        return Err(taken(&existing));
    }
    let alloc = ports::allocate(&tx, ws.repo, ws.ports, reg.branch, &mut ws.host)?;
    let mut project = super::unique_project(&tx, &ws.repo.project, reg.branch)?;
    if let PortHost::Engine(host) = &ws.host {
        // Other people's cfn use the engine too, with the same repository and branch names.
        project = host.project_for(&project)?;
    }
    let Place { path, created_dir } = place(&project)?;
    let new = NewRow {
        operation: reg.operation,
        repo_id: ws.repo.id,
        branch: reg.branch,
        path: &path,
        project: &project,
        slot: alloc.slot,
        owner: reg.owner,
        created_branch: reg.created_branch,
        created_dir: created_dir.as_deref().map(Path::new),
        engine: ws.engine,
        engine_id: ws.host.engine_id(),
    };
    let id = WorktreeRow::insert(&tx, &new, &alloc.leases)?;
    if let (PortHost::Engine(_), Some(spec)) = (&ws.host, ws.engine) {
        crate::state::record_engine_used(&tx, ws.repo.id, spec)?;
    }
    tx.commit()?;
    Ok(Registered { id, path })
}
