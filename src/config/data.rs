//! `[data]` of cfn.toml: what a branch's data is, and how each volume of it is copied.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A branch's data: its per-branch named volumes (all but `exclude` and those whose strategy
/// is `skip`), the SQLite migration target (`DB_PATH`) unless `sqlite` is off, and the
/// PostgreSQL migration database unless `postgres` is off.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Compose volume keys never copied or snapshotted (caches).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Copy the SQLite migration target with the volumes (when migrations.target = "sqlite").
    #[serde(default = "on_by_default")]
    pub sqlite: bool,
    /// Copy the PostgreSQL migration database (migrations.url) with SQL — `CREATE DATABASE …
    /// TEMPLATE` within one server, a streamed `pg_dump | psql` across two — when
    /// migrations.target = "postgres".
    #[serde(default = "on_by_default")]
    pub postgres: bool,
    /// Image for the short-lived copy containers (needs `cp`, `find` and `rm`); by default the image of
    /// the service that mounts the volume.
    #[serde(default)]
    pub helper_image: Option<String>,
    /// Per compose volume key: how it is copied.
    #[serde(default)]
    pub volumes: BTreeMap<String, VolumeData>,
}

/// `[data.volumes.<key>]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeData {
    /// Unset: `postgres` for a volume a service mounts at PostgreSQL's data folder
    /// (`/var/lib/postgresql…`) when migrations.target = "postgres", else `volume`.
    #[serde(default)]
    pub strategy: Option<Strategy>,
}

/// How one volume of a branch's data is copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strategy {
    /// Its files, through a helper container, with the services that write to it stopped.
    Volume,
    /// The data folder of the PostgreSQL server holding the migration database: `data clone`
    /// copies that database with SQL while the servers run, not the files; snapshots save the
    /// files (server stopped).
    Postgres,
    /// Never copied (as `exclude`).
    Skip,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            exclude: Vec::new(),
            sqlite: true,
            postgres: true,
            helper_image: None,
            volumes: BTreeMap::new(),
        }
    }
}

impl DataConfig {
    /// The strategy the configuration sets for volume `key`, if any (`exclude` is `skip`).
    pub fn strategy_of(&self, key: &str) -> Option<Strategy> {
        if self.exclude.iter().any(|e| e == key) {
            return Some(Strategy::Skip);
        }
        self.volumes.get(key).and_then(|v| v.strategy)
    }
}

fn on_by_default() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_parse_and_exclude_means_skip() {
        let config: DataConfig = toml::from_str(
            "exclude = [\"cache\"]\npostgres = false\n[volumes.pg]\nstrategy = \"postgres\"\n[volumes.tmp]\nstrategy = \"skip\"\n",
        )
        .unwrap();
        assert!(!config.postgres && config.sqlite);
        assert_eq!(config.strategy_of("pg"), Some(Strategy::Postgres));
        assert_eq!(config.strategy_of("tmp"), Some(Strategy::Skip));
        assert_eq!(config.strategy_of("cache"), Some(Strategy::Skip));
        assert_eq!(config.strategy_of("other"), None);
        let bad = toml::from_str::<DataConfig>("[volumes.pg]\nstrategy = \"rsync\"\n").unwrap_err();
        assert!(bad.to_string().contains("unknown variant `rsync`"), "{bad}");
    }
}
