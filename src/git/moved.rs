//! Where a linked worktree moved by hand went (`mv` without `git worktree repair`): git still
//! lists it at its old place, and the moved folder's `.git` file still names git's entry for
//! it. Found by a look into the old place's folder and the main checkout's folder, one level
//! deep: a hint, not a repair.

use std::path::{Path, PathBuf};

/// Most folders looked at in each place.
const LOOKED_AT: usize = 2000;

/// The folder, beside `old` or beside the main checkout, whose `.git` file names the entry
/// git keeps for the worktree that was at `old`.
pub fn find_moved_worktree(main_root: &Path, old: &Path) -> Option<PathBuf> {
    let common = git2::Repository::open(main_root).ok()?.commondir().to_path_buf();
    let entry = entry_of(&common, old)?;
    let mut places: Vec<&Path> = [old.parent(), main_root.parent()].into_iter().flatten().collect();
    places.dedup();
    places.into_iter().find_map(|place| {
        let listed = std::fs::read_dir(place).ok()?;
        listed.flatten().take(LOOKED_AT).map(|e| e.path()).find(|dir| names_entry(dir, &entry))
    })
}

/// git's entry (`<common>/worktrees/<name>`) whose `gitdir` file points at `old`'s `.git`.
fn entry_of(common: &Path, old: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(common.join("worktrees")).ok()?;
    entries.flatten().map(|e| e.path()).find(|entry| {
        std::fs::read_to_string(entry.join("gitdir"))
            .is_ok_and(|text| Path::new(text.trim()) == old.join(".git"))
    })
}

/// Whether `dir` holds a `.git` file naming `entry`.
fn names_entry(dir: &Path, entry: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join(".git")) else { return false };
    let Some(named) = text.trim().strip_prefix("gitdir:") else { return false };
    let named = Path::new(named.trim());
    named == entry || named.canonicalize().ok() == entry.canonicalize().ok()
}
