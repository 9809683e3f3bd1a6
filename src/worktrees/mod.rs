//! The worktree lifecycle: add (atomic), remove (never loses uncommitted work), prune, and the
//! recovery of an add or remove whose process died.

mod add;
mod adopt;
pub mod conflicts;
pub mod copy;
mod engine;
mod provision;
mod prune;
mod prune_stack;
mod recover;
mod register;
mod remove;
mod target;

pub use add::{AddOptions, Added};
pub use engine::release_left_overs_on;
pub use provision::add;

use crate::state::WorktreeRow;
use anyhow::Result;
use rusqlite::Connection;

/// The compose project name of a new branch: `<project>-<slug>`, with a short hash of the branch
/// appended when another repository or worktree on the machine already uses it.
fn unique_project(conn: &Connection, main_project: &str, branch: &str) -> Result<String> {
    let project = crate::names::project_name(main_project, branch);
    if WorktreeRow::project_taken(conn, &project)? {
        return Ok(crate::names::disambiguated(&project, branch));
    }
    Ok(project)
}
pub use adopt::adopt;
pub use prune::{prune, PruneOptions, Pruned, UNSETTLED};
pub use prune_stack::StackFate;
pub use remove::{remove, RemoveOptions, Removed};
