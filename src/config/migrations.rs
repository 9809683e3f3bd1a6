//! `[migrations]` of cfn.toml: where a branch's migrations live and which database they apply to.

use super::default_true;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MigrationTarget {
    /// A per-branch SQLite file under `.cfn/data/`, exported as `DB_PATH`.
    #[default]
    Sqlite,
    /// The branch's PostgreSQL, reached through `url`.
    Postgres,
}

/// The branch's own database and the migrations applied to it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationsConfig {
    /// Folder of `NNNN_name.up.sql` / `.down.sql` files, relative to each checkout.
    #[serde(default = "default_migrations_dir")]
    pub dir: String,
    #[serde(default)]
    pub target: MigrationTarget,
    /// File name of the SQLite database under `.cfn/data/`.
    #[serde(default = "default_sqlite_file")]
    pub sqlite_file: String,
    /// PostgreSQL connection string, a template (`{{ ports.postgres }}`, `{{ env.PGPASSWORD }}`).
    pub url: Option<String>,
    /// Whether `cfn up` applies pending migrations after the stack is ready.
    #[serde(default = "default_true")]
    pub on_up: bool,
    /// After `git merge`/`git pull` brings new migrations: `announce` them or `apply` them.
    #[serde(default)]
    pub on_merge: OnMerge,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnMerge {
    #[default]
    Announce,
    Apply,
}

impl Default for MigrationsConfig {
    fn default() -> Self {
        MigrationsConfig {
            dir: default_migrations_dir(),
            target: MigrationTarget::default(),
            sqlite_file: default_sqlite_file(),
            url: None,
            on_up: true,
            on_merge: OnMerge::default(),
        }
    }
}

fn default_migrations_dir() -> String {
    "migrations".into()
}
fn default_sqlite_file() -> String {
    "app.db".into()
}
