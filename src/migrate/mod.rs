//! cfn's migration engine: versioned SQL files applied to a database, one transaction each.
//!
//! Used for a project's branch databases (`cfn migrate status|up|down [--to N] [--dry-run]`)
//! and for cfn's own state database, whose migrations are embedded in the binary.
//!
//! - [`source`] finds migrations (`NNNN_name.up.sql` / `.down.sql`, ordered numerically) in a
//!   directory or in embedded strings, and checksums them.
//! - [`script`] decides whether a script can run inside cfn's transaction
//!   (`-- cfn:no-transaction` opts out).
//! - [`target`] is the interface to a database; [`sqlite`] implements it (with [`lockfile`]
//!   keeping migrators apart); PostgreSQL can be added as another implementation.
//! - [`plan`] decides what a run will do and refuses changed, out-of-order or irreversible
//!   runs before anything executes; [`engine`] carries a plan out under the lock.
//!
//! ```text
//! let available = migrate::load_dir(&dir)?;
//! let mut target = migrate::SqliteTarget::new(&mut conn);
//! let report = migrate::up(&mut target, &available, None, false)?;
//! ```

pub mod apply;
pub mod error;
pub mod lockfile;
pub mod plan;
pub mod script;
pub mod source;
pub mod sqlite;
pub mod sqlite_guard;
pub mod target;

#[cfg(test)]
mod tests;

pub use apply::{down, status, up, Report, State, StatusRow};
pub use error::MigrateError;
pub use plan::Direction;
pub use source::{from_embedded, load_dir, Migration};
pub use sqlite::SqliteTarget;
pub use target::{Applied, Target};
