//! Finding a path among many by place, not by spelling: two paths are the same place when they
//! are equal or resolve to the same file ([`crate::git::same_path`]). Doctor matches every
//! registered worktree against every worktree git lists; resolving both sides of each pair
//! again (each `canonicalize` a `readlink` per path component) made that quadratic — 320,000
//! system calls at 200 worktrees. Here each path is resolved once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Paths, each spelled as given and resolved, mapped to the index of the item it belongs to.
pub struct PathIndex {
    by_path: HashMap<PathBuf, usize>,
}

impl PathIndex {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a Path>) -> PathIndex {
        let mut by_path = HashMap::new();
        for (i, path) in paths.into_iter().enumerate() {
            by_path.entry(path.to_path_buf()).or_insert(i);
            // A path that cannot be resolved (it is gone) is found only as spelled.
            if let Ok(resolved) = std::fs::canonicalize(path) {
                by_path.entry(resolved).or_insert(i);
            }
        }
        PathIndex { by_path }
    }

    /// The index of the first item at the same place as `path`.
    pub fn find(&self, path: &Path) -> Option<usize> {
        if let Some(&i) = self.by_path.get(path) {
            return Some(i);
        }
        let resolved = std::fs::canonicalize(path).ok()?;
        self.by_path.get(&resolved).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_place_by_any_spelling_and_a_gone_path_only_as_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        std::fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let gone = dir.path().join("gone");
        let index = PathIndex::new([gone.as_path(), link.as_path()]);
        assert_eq!(index.find(&real), Some(1), "resolved");
        assert_eq!(index.find(&link), Some(1), "as spelled");
        assert_eq!(index.find(&dir.path().join("real/../link")), Some(1));
        assert_eq!(index.find(&gone), Some(0));
        assert_eq!(index.find(&dir.path().join("other")), None);
    }
}
