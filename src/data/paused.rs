//! A journal of the source containers a copy stopped (`--stop-source`, `snapshot --stop`): one
//! 0600 file per copy under `$CFN_HOME/data/paused/`, written before the first container is
//! stopped and removed once they run again. A copy killed in between leaves its entry, and with
//! it the names of the containers to start again: `cfn doctor` reports them, `--fix` starts them.

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One copy's stopped containers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PausedEntry {
    /// The cfn process that stopped them; its entry is a leftover once it is gone.
    pub pid: u32,
    pub branch: String,
    /// (container id, name)
    pub containers: Vec<(String, String)>,
}

fn dir(home: &Path) -> PathBuf {
    home.join("data").join("paused")
}

/// Records `entry` before its containers are stopped; the file's path.
pub fn record(home: &Path, entry: &PausedEntry) -> Result<PathBuf> {
    let dir = dir(home);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let path = dir.join(format!("{}-{nanos}.json", entry.pid));
    crate::render::write_atomic(&path, &serde_json::to_string(entry)?, 0o600)?;
    Ok(path)
}

/// Forgets an entry whose containers run again.
pub fn forget(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Entries whose process is gone: (file, entry).
pub fn abandoned(home: &Path) -> Vec<(PathBuf, PausedEntry)> {
    all(home).into_iter().filter(|(_, entry)| !entry.copy_alive()).collect()
}

/// Every entry: (file, entry), in file order.
pub fn all(home: &Path) -> Vec<(PathBuf, PausedEntry)> {
    let mut out = Vec::new();
    for file in std::fs::read_dir(dir(home)).into_iter().flatten().flatten() {
        let path = file.path();
        let Some(entry) =
            std::fs::read(&path).ok().and_then(|b| serde_json::from_slice::<PausedEntry>(&b).ok())
        else {
            continue;
        };
        out.push((path, entry));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

impl PausedEntry {
    /// Whether the copy that stopped these containers still runs.
    pub fn copy_alive(&self) -> bool {
        i32::try_from(self.pid).is_ok_and(super::leftovers::alive)
    }

    /// Whether it names the container `id`.
    pub fn names(&self, id: &str) -> bool {
        self.containers.iter().any(|(c, _)| c == id)
    }
}
