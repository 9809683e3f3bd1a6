//! The worktree lifecycle: add (atomic), remove (never loses uncommitted work), prune.

mod add;
mod adopt;
pub mod copy;
mod prune;
mod remove;

pub use add::{add, AddOptions};
pub use adopt::adopt;
pub use prune::{prune, Pruned};
pub use remove::{remove, RemoveOptions, Removed};
