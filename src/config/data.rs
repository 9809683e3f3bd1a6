//! `[data]` of cfn.toml: what a branch's data is.

use serde::{Deserialize, Serialize};

/// A branch's data: its per-branch named volumes (all but `exclude`) and, unless `sqlite` is
/// off, the SQLite migration target (`DB_PATH`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Compose volume keys never copied or snapshotted (caches).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Copy the SQLite migration target with the volumes (when migrations.target = "sqlite").
    #[serde(default = "sqlite_by_default")]
    pub sqlite: bool,
    /// Image for the short-lived copy containers (needs `cp`, `find` and `rm`); by default the image of
    /// the service that mounts the volume.
    #[serde(default)]
    pub helper_image: Option<String>,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig { exclude: Vec::new(), sqlite: true, helper_image: None }
    }
}

fn sqlite_by_default() -> bool {
    true
}
