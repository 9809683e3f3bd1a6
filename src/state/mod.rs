//! The machine-wide state database, `$CFN_HOME/state.db`: the one module that owns it.
//!
//! One SQLite file per user and machine, because host ports are a machine-wide resource. WAL
//! mode lets readers run beside a writer; a busy timeout makes concurrent cfn processes wait for
//! each other instead of failing; every allocation runs in one `BEGIN IMMEDIATE` transaction.
//! The schema lives in `migrations/` and is applied by the same engine as a project's migrations.

mod owner;
mod repos;
mod schema;
mod worktrees;

pub use owner::{sweep as sweep_op_locks, OpLock};

pub use repos::base_ports_of;
pub use repos::{ensure_repository, find_repository, list_repositories, RepoRow};
pub use worktrees::{
    lease_holder, owner_tokens, taken_ports, taken_slots, NewRow, Operation, WorktreeRow, WorktreeState,
    ADD_STEP_RENDERED,
};

use anyhow::{Context as _, Result};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a cfn process waits for another one holding the write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open state database.
pub struct State {
    conn: Connection,
    home: PathBuf,
}

/// `$CFN_HOME`, else the XDG state directory (`~/.local/state/cfn`).
pub fn home_dir() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os("CFN_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    use etcetera::BaseStrategy as _;
    let strategy = etcetera::choose_base_strategy().context("cannot find the home directory")?;
    let base = strategy.state_dir().unwrap_or_else(|| strategy.data_dir());
    Ok(base.join("cfn"))
}

impl State {
    /// Opens (creating if needed) the state database in `home` and brings its schema up to date.
    pub fn open(home: &Path) -> Result<State> {
        create_private_dir(home)?;
        let path = home.join("state.db");
        let mut conn = Connection::open(&path)
            .with_context(|| format!("cannot open the state database {}", path.display()))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::apply(&mut conn)
            .with_context(|| format!("cannot migrate the state database {}", path.display()))?;
        Ok(State { conn, home: home.to_path_buf() })
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    /// `$CFN_HOME`, where the database and the operations' lock files live.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// A write transaction that takes the database lock at once, so that what it reads stays
    /// true until it commits (the allocator's guarantee of machine-wide uniqueness).
    pub fn immediate(&mut self) -> Result<Transaction<'_>> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}
