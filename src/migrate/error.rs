//! The one error type of the migration engine.
//!
//! Every message is a single lower-case line that names its subject (a file, a version, the
//! lock file). Failures that come from the database carry it as their `source`, so the place
//! that prints errors shows it as a `Caused by:` line instead of repeating it in the message.

use std::path::PathBuf;
use std::time::Duration;

/// A database driver's error, boxed so that other targets (PostgreSQL) fit the same enum.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("cannot read {}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("migration file is not valid UTF-8: {file}")]
    NotUtf8 { file: String },

    #[error(
        "not a migration file name: {file} (expected NNNN_name.up.sql or NNNN_name.down.sql: \
         NNNN a version number from 1, name made of letters, digits, '_' and '-')"
    )]
    BadFileName { file: String },

    #[error("duplicate migration version {version}: {first} and {second}")]
    DuplicateVersion { version: i64, first: String, second: String },

    #[error("down migration without an up migration: {file} (expected {expected} next to it)")]
    DownWithoutUp { file: String, expected: String },

    #[error(
        "migration {version} ({name}) was changed after it was applied: its checksum no longer \
         matches the recorded one; restore the file, or revert it and apply it again"
    )]
    ChecksumMismatch { version: i64, name: String },

    #[error(
        "migration {version} ({name}) is pending but migration {highest} is already applied: \
         migrations must be applied in order, so renumber it above {highest}"
    )]
    OutOfOrder { version: i64, name: String, highest: i64 },

    #[error("migration {version} ({name}) has no down script and cannot be reverted")]
    NoDownScript { version: i64, name: String },

    #[error(
        "{script} contains a transaction-control statement ({statement}) on line {line}: remove \
         it, or make `-- cfn:no-transaction` its first line to run it outside cfn's transaction"
    )]
    TransactionControl { script: String, statement: String, line: usize },

    #[error("no migration with version {version}")]
    UnknownVersion { version: i64 },

    #[error("migration {version} ({name}) failed in {script}")]
    Script {
        version: i64,
        name: String,
        script: String,
        #[source]
        source: BoxError,
    },

    #[error("migration {version} ({name}) is already recorded as applied by another migrator")]
    AlreadyApplied { version: i64, name: String },

    #[error(
        "migration {version} ({name}) is no longer recorded as applied: another migrator \
         reverted it"
    )]
    NotApplied { version: i64, name: String },

    #[error(
        "timed out after {waited:?} waiting for another migrator to release {}",
        path.display()
    )]
    LockTimeout { path: PathBuf, waited: Duration },

    #[error("migration bookkeeping failed while {action}")]
    Database {
        action: String,
        #[source]
        source: BoxError,
    },
}

impl MigrateError {
    /// Wraps a driver error met while doing `action` ("reading applied migrations").
    pub fn database(action: &str, source: impl Into<BoxError>) -> Self {
        MigrateError::Database { action: action.to_string(), source: source.into() }
    }
}

/// A migration error as the user sees it: the error and its causes on one line (said once: the
/// message already holds the causes), with what to do next.
impl From<MigrateError> for crate::error::UserError {
    fn from(e: MigrateError) -> Self {
        let hint = match &e {
            // mostly a database that does not answer: the branch's stack is down
            MigrateError::Database { .. } => {
                "is the branch's database up? `cfn up` starts its stack; `cfn migrate status` then \
                 shows every migration's state"
            }
            _ => "`cfn migrate status` shows every migration's state",
        };
        let message = format!("{:#}", anyhow::Error::new(e));
        // The fence of migrate::sqlite_guard refused a statement.
        let hint = if message.contains("not authorized") || message.contains("authorization denied") {
            "a migration reaches only the branch's own database: ATTACH, DETACH, VACUUM INTO and \
             load_extension() are refused"
        } else if message.contains("database \"") && message.contains("does not exist") {
            // the server answered: it is up, only the database named in [migrations] url is missing
            "the server is up but has no such database: create it (e.g. the service's POSTGRES_DB) \
             or point [migrations] url at one that exists"
        } else {
            hint
        };
        crate::error::UserError::new(message).hint(hint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::UserError;

    #[test]
    fn a_missing_database_is_told_apart_from_a_server_that_is_down() {
        let missing =
            MigrateError::database("connecting", "db error: FATAL: database \"shop_main\" does not exist");
        let hint = UserError::from(missing).hint.unwrap();
        assert!(hint.starts_with("the server is up but has no such database"), "{hint}");
        let down = MigrateError::database("connecting", "error connecting to server: Connection refused");
        let hint = UserError::from(down).hint.unwrap();
        assert!(hint.starts_with("is the branch's database up?"), "{hint}");
    }
}
