//! Git: finding the checkout you stand in, and the worktree and branch operations cfn needs.
//!
//! Reads go through libgit2 (fast, in process). Changes to worktrees and branches go through the
//! `git` program, so that git's own locking, hooks and configuration apply exactly as they do for
//! a user typing the command; its machine-readable `--porcelain -z` output is parsed, never its
//! messages.

mod branch;
mod checkout;
pub mod lane;
mod lock;
mod moved;
mod snapshot;
mod status;
mod worktree;

pub use branch::{
    branch_exists, clear_stale_ref_locks, delete_branch, is_merged, remote_branch_exists,
    validate_branch_name,
};
pub use checkout::{discover, Checkout};
pub use moved::find_moved_worktree;
pub use snapshot::{changed_lines, snapshot_tree, LineChanges};
pub use status::{dirty_paths, has_submodules};
pub use worktree::{
    forget_unfinished_entries, forget_worktree, list_worktrees, prune_worktrees, remove_worktree,
    worktree_add, Force, GitWorktree, NewBranch,
};

use crate::process::Cmd;
use std::path::Path;

/// Whether two paths name the same place: equal, or equal once resolved. A path that cannot be
/// resolved (it is gone) equals only itself.
pub fn same_path(a: &Path, b: &Path) -> bool {
    a == b || std::fs::canonicalize(a).ok().is_some_and(|ca| std::fs::canonicalize(b).ok() == Some(ca))
}

/// A `git` command run in `dir`, with the variable set that tells cfn's own hooks that cfn is
/// the caller (so a post-checkout hook does not provision a worktree twice).
pub fn git(dir: &Path) -> Cmd {
    Cmd::new("git").arg("-C").arg(dir).env("CFN_INTERNAL", "1")
}

/// The variables a `git` run on an agent's checkout keeps: what git and the programs it starts
/// need, nothing of cfn's own.
const AGENT_CHECKOUT_ENV: &[&str] =
    &["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ"];

/// A `git` command on a checkout an agent has worked in (the loop's snapshots, lanes, merges).
/// git reads that checkout's configuration and attributes, which the agent could write: a
/// `core.fsmonitor`, a filter or a merge driver there runs a program. So the file-system monitor
/// is off and git runs with only [`AGENT_CHECKOUT_ENV`]: whatever such a program is, it never
/// gets the variables cfn keeps from agents (other providers' keys, tokens).
pub fn git_on_agents_work(dir: &Path) -> Cmd {
    let mut cmd = git(dir).env_clear();
    for name in AGENT_CHECKOUT_ENV {
        if let Some(value) = std::env::var_os(name) {
            cmd = cmd.env(name, value);
        }
    }
    cmd.args(["-c", "core.fsmonitor=false"])
}
