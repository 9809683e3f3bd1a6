//! The repository files an argument vector names, with the SHA-256 of their bytes.
//!
//! Approving `["./setup.sh"]` must not approve whatever `setup.sh` a branch carries later: the
//! program (when it is a path) and every argument that names a file inside the checkout are
//! hashed as they are in the checkout where the command will run. An argument counts when it
//! is, as a whole, a path (relative to the checkout, or absolute below it) that stays inside
//! the checkout and names a file; a file named inside a longer argument (`--config=x`, a
//! `sh -c` script) is not followed, but that text is part of the approved command itself.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileHash {
    /// The path relative to the checkout, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// The hash of a file's bytes, or `None` when it cannot be read as a file.
pub fn hash_file(path: &Path) -> Option<String> {
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(crate::names::hex(&Sha256::digest(&bytes)))
}

/// The files of `checkout` that `argv` names, each once, in argument order.
pub fn referenced(argv: &[String], checkout: &Path) -> Vec<FileHash> {
    let mut found: Vec<FileHash> = Vec::new();
    for arg in argv {
        let Some(relative) = inside(arg, checkout) else { continue };
        let shown = relative.to_string_lossy().replace('\\', "/");
        if found.iter().any(|f| f.path == shown) {
            continue;
        }
        if let Some(sha256) = hash_file(&checkout.join(&relative)) {
            found.push(FileHash { path: shown, sha256 });
        }
    }
    found
}

/// `arg` as a path relative to `checkout`, when it names something inside it (judged on the
/// text: no `..` that climbs out; an absolute path must start with the checkout).
fn inside(arg: &str, checkout: &Path) -> Option<PathBuf> {
    if arg.is_empty() || arg.starts_with('-') {
        return None;
    }
    let path = Path::new(arg);
    let relative = if path.is_absolute() { path.strip_prefix(checkout).ok()? } else { path };
    let mut normal = PathBuf::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!normal.as_os_str().is_empty()).then_some(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hashes_the_program_and_file_arguments_inside_the_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("setup.sh"), "echo one").unwrap();
        std::fs::create_dir(root.join("db")).unwrap();
        std::fs::write(root.join("db/seed.sql"), "select 1").unwrap();
        let abs = root.join("db/seed.sql").to_string_lossy().into_owned();
        let files = referenced(&argv(&["./setup.sh", "-x", "db/seed.sql", &abs, "missing.txt", "sh"]), root);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["setup.sh", "db/seed.sql"]);
        assert_eq!(files[0].sha256, hash_file(&root.join("setup.sh")).unwrap());
    }

    #[test]
    fn a_changed_file_changes_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("setup.sh"), "echo one").unwrap();
        let before = referenced(&argv(&["./setup.sh"]), dir.path());
        std::fs::write(dir.path().join("setup.sh"), "echo two").unwrap();
        assert_ne!(before, referenced(&argv(&["./setup.sh"]), dir.path()));
    }

    #[test]
    fn paths_that_leave_the_checkout_are_not_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("outside.sh"), "x").unwrap();
        assert!(referenced(&argv(&["../outside.sh", "/etc/hostname"]), &root).is_empty());
    }
}
