//! Files that hold an OS file lock (`flock`): opened here — created mode 0600 in a folder made
//! 0700, never truncated, readable and writable so that a holder can leave its pid in it — for
//! the callers that lock them (`branch::lock`, the loop's coordinator, the proxy's CA and the
//! token keyring). A lock is free the moment its holder dies, however it dies.

use anyhow::{Context as _, Result};
use std::fs::File;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::Path;

/// Opens (creating) the lock file at `path`, its folder first.
pub fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot open the lock file {}", path.display()))
}

/// Opens the lock file at `path` and waits until this process holds it exclusively.
pub fn hold(path: &Path) -> Result<File> {
    let file = open(path)?;
    file.lock().with_context(|| format!("cannot lock {}", path.display()))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn a_lock_file_is_private_and_held_by_one_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("locks/x.lock");
        let held = hold(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::metadata(path.parent().unwrap()).unwrap().permissions().mode() & 0o777, 0o700);
        let other = open(&path).unwrap();
        assert!(other.try_lock().is_err(), "held by the first");
        drop(held);
        assert!(other.try_lock().is_ok(), "free once the holder lets go");
    }
}
