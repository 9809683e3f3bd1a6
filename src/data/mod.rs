//! A branch's data — its per-branch named volumes and SQLite migration target — copied from
//! another branch ([`clone`]), saved and restored ([`snapshot`]). Copies go through the Docker
//! engine with short-lived helper containers ([`helper`]), or on the host's filesystem when the
//! engine's volumes are there ([`direct`]), into temporary volumes that are swapped in only when
//! complete ([`swap`]); nothing is copied while a service writes to it ([`guard`]).
//! docs/data.md describes the commands and what a crash at each step leaves.

pub mod clone;
pub mod direct;
pub mod guard;
pub mod helper;
pub mod layout;
pub mod leftovers;
pub mod paused;
pub mod pg_clone;
pub mod pg_journal;
pub mod snapshot;
pub mod source;
pub mod space;
pub mod sqlite_copy;
pub mod swap;

use anyhow::Result;
use std::path::Path;

/// Creates `dir` (and parents) with mode 0700, tightening an existing one: it holds copies of
/// the branch's data.
pub fn private_dir(dir: &Path) -> Result<()> {
    crate::state::private_dir(dir)
}
