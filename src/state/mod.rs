//! The machine-wide state database, `$CFN_HOME/state.db`: the one module that owns it.
//!
//! One SQLite file per user and machine, because host ports are a machine-wide resource. WAL
//! mode lets readers run beside a writer; a busy timeout makes concurrent cfn processes wait for
//! each other instead of failing; every allocation runs in one `BEGIN IMMEDIATE` transaction.
//! The schema lives in `migrations/` and is applied by the same engine as a project's migrations.

mod events;
mod instance;
mod leases;
mod owner;
mod ownership;
mod repos;
pub mod repository_id;
mod schema;
mod set_aside;
mod worktrees;

pub use events::{last_rebuilt, last_set_aside, record_rebuilt, RegistryEvent};
pub use instance::instance_id;
pub use leases::{
    engine_id_of, engines_used, forget_engine_used, insert_leases, is_base_port, lease_holder, leases_of,
    leases_on_remote_engines, next_free_slot, record_engine_used, release_lease, slot_taken,
    slots_taken_between, Lease,
};
pub use owner::{private_dir, sweep as sweep_op_locks, OpLock};
pub use repos::base_ports_of;
pub use repos::{
    ensure_repository, find_repository, find_repository_by_uid, list_repositories, move_repository,
    set_repository_uid, unplace_repository, RepoRow,
};
pub use worktrees::{owner_tokens, NewRow, Operation, WorktreeRow, WorktreeState, ADD_STEP_RENDERED};

use crate::error::UserError;
use anyhow::{Context as _, Result};
use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};
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
    /// A damaged file (not an SQLite database), or another program's database
    /// ([`ownership`]), is moved aside, never overwritten, and a new database takes its place (a warning says where the old one went). A file that
    /// cannot be opened is a user error naming the file and what to do, never a bare SQLite
    /// message.
    pub fn open(home: &Path) -> Result<State> {
        create_private_dir(home)?;
        let path = home.join("state.db");
        refuse_links(&path)?;
        let conn = match connect(&path) {
            Ok(conn) => conn,
            Err(e)
                if sqlite_error(&e).is_some_and(set_aside::is_damage)
                    || e.is::<ownership::ForeignDatabase>() =>
            {
                let what = if e.is::<ownership::ForeignDatabase>() {
                    "another program's database, not cfn's"
                } else {
                    "damaged"
                };
                let aside = set_aside::set_aside(home, &path).map_err(|moving| {
                    anyhow::Error::new(
                        UserError::new(format!(
                            "the state database {} is {what} and could not be moved aside: {moving:#}",
                            path.display()
                        ))
                        .hint(format!(
                            "move it aside yourself (`mv {0} {0}.corrupt`) and run cfn again: it rebuilds \
                             the registry from your worktrees (docs/troubleshooting.md, \"Lost or corrupt \
                             state database\")",
                            path.display()
                        )),
                    )
                })?;
                let conn = connect(&path).map_err(|e| explain(&path, e))?;
                if let Some(aside) = &aside {
                    events::record_set_aside(&conn, aside)?;
                    // Said here, so that every command that opens the database says it.
                    crate::context::warn(format!(
                        "the state database was {what}: it is kept as {} and a new one was started",
                        aside.display()
                    ));
                }
                conn
            }
            Err(e) => return Err(explain(&path, e)),
        };
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

/// Refuses a state database whose file or journal is a symbolic link: cfn would write
/// wherever it points.
fn refuse_links(path: &Path) -> Result<()> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if std::fs::symlink_metadata(&file).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(UserError::new(format!(
                "the state database file {} is a symbolic link; cfn opens its database only as a plain file",
                file.display()
            ))
            .hint("put the file the link points to in its place (`mv`), or remove the link: cfn then rebuilds the registry from your worktrees")
            .into());
        }
    }
    Ok(())
}

/// Opens the file and applies the schema; a failure keeps SQLite's error in its chain.
fn connect(path: &Path) -> Result<Connection> {
    // Never through a link (checked in `open`; the flag closes the race).
    let flags = rusqlite::OpenFlags::default() | rusqlite::OpenFlags::SQLITE_OPEN_NOFOLLOW;
    let mut conn = Connection::open_with_flags(path, flags)?;
    tighten(path, 0o600)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Checked before anything is written: another program's database is left as it is.
    if ownership::is_foreign(&conn)? {
        return Err(ownership::ForeignDatabase.into());
    }
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get::<_, String>(0))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    schema::apply(&mut conn)?;
    ownership::claim(&conn)?;
    Ok(conn)
}

fn sqlite_error(e: &anyhow::Error) -> Option<&rusqlite::Error> {
    e.chain().find_map(|c| c.downcast_ref::<rusqlite::Error>())
}

/// The state database cannot be used: what is wrong with the file, and what to do about it.
fn explain(path: &Path, e: anyhow::Error) -> anyhow::Error {
    match sqlite_error(&e).and_then(|s| unusable_kind(path, s)) {
        // SQLite's own words add nothing to the message, which names the file and the problem.
        Some(user) => user.into(),
        None => e.context(format!("cannot open the state database {}", path.display())),
    }
}

fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(|e| {
        anyhow::Error::from(
            UserError::new(format!("cannot create the state directory {}: {e}", dir.display()))
                .hint("point CFN_HOME at a directory you can write, or fix that path"),
        )
    })?;
    // An existing `$CFN_HOME` made by hand or an older cfn is tightened too.
    tighten(dir, 0o700)
}

fn unusable_kind(path: &Path, e: &rusqlite::Error) -> Option<UserError> {
    let shown = path.display();
    let dir = path.parent().unwrap_or(path).display();
    let writable = format!(
        "make {dir} a directory you can write (and {shown} a file you can write), \
         or point CFN_HOME at one"
    );
    match e.sqlite_error_code()? {
        ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Some(
            UserError::new(format!("the state database {shown} is damaged (not an SQLite database)")).hint(
                format!(
                    "move it aside (`mv {shown} {shown}.corrupt`) and run cfn again: it rebuilds the \
                     registry from your worktrees (docs/troubleshooting.md, \"Lost or corrupt state \
                     database\")"
                ),
            ),
        ),
        ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
            Some(UserError::new(format!("cannot open the state database {shown} for writing")).hint(writable))
        }
        ErrorCode::ReadOnly => {
            Some(UserError::new(format!("the state database {shown} is read-only")).hint(writable))
        }
        _ => None,
    }
}

/// Takes group and other permissions away from `path` when it has any — only from what the
/// caller owns, and never from a shared sticky folder such as `/tmp`. Best effort: a file on a
/// read-only file system cannot be changed, and opening it then says what is wrong with it.
fn tighten(path: &Path, mode: u32) -> Result<()> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let meta = std::fs::metadata(path)?;
    let current = meta.permissions().mode() & 0o7777;
    let ours = meta.uid() == rustix::process::geteuid().as_raw();
    if ours && current & 0o1000 == 0 && current & 0o077 != 0 {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            Err(e) if e.kind() == std::io::ErrorKind::ReadOnlyFilesystem => {}
            other => other.with_context(|| format!("cannot make {} private", path.display()))?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_linked_state_database_is_refused_and_nothing_is_written_through_it() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        std::fs::create_dir(&home).unwrap();
        for suffix in ["", "-wal"] {
            let victim = dir.path().join(format!("victim{suffix}"));
            let link = home.join(format!("state.db{suffix}"));
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            let err = State::open(&home).err().expect("refused");
            assert!(format!("{err:#}").contains("is a symbolic link"), "{err:#}");
            assert!(!victim.exists(), "nothing was created through the link");
            std::fs::remove_file(&link).unwrap();
        }
        State::open(&home).expect("a plain file opens");
    }
}
