//! Who coordinates a run: one process at a time. `cfn loop run` and `cfn loop resume` hold an
//! OS file lock (`flock`) on `$CFN_HOME/locks/loop-<task>.lock` for their whole life, so a second
//! resume of the same task is refused while the first runs, and the lock is free the moment its
//! holder dies, however it dies. The run's row records the coordinator's pid and start time:
//! a `running` run whose coordinator is gone reads as `interrupted`.

use crate::error::{Kind, UserError};
use anyhow::{Context as _, Result};
use std::fs::{File, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::Path;

/// The held lock of a task; dropping it releases it.
#[derive(Debug)]
pub struct Coordinating {
    _file: File,
}

/// Takes the task's lock, or says which process holds it.
pub fn take(home: &Path, task: &str) -> Result<Coordinating> {
    let path = home.join("locks").join(format!("loop-{}.lock", crate::workloop::files::folder_name(task)));
    let mut file = crate::lock_file::open(&path)?;
    match file.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            let holder = holder.trim();
            let who = if holder.is_empty() { "another cfn".to_string() } else { format!("pid {holder}") };
            return Err(UserError::new(format!("loop {task} is being coordinated by {who}"))
                .kind(Kind::Busy)
                .hint(format!("wait for it to end (`cfn loop status {task} --follow`), or stop it first"))
                .into());
        }
        Err(TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()))
        }
    }
    // The pid is written only so that the one refused can say who holds the lock.
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())?;
    Ok(Coordinating { _file: file })
}

/// This process's pid and start time, recorded with the run it coordinates.
pub fn me() -> (u32, Option<u64>) {
    let pid = std::process::id();
    (pid, crate::process::start_time(pid))
}

/// Whether the coordinator recorded with a run is gone (a run recorded before cfn kept its
/// coordinator, `None`, is taken as alive).
pub fn gone(pid: Option<u32>, started: Option<i64>) -> bool {
    match (pid, started) {
        (Some(pid), Some(started)) => !crate::process::still_running(pid, started as u64),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_coordinator_is_refused_until_the_first_lets_go() {
        let home = tempfile::tempdir().unwrap();
        let first = take(home.path(), "t-1").unwrap();
        let err = take(home.path(), "t-1").unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert_eq!(user.message, format!("loop t-1 is being coordinated by pid {}", std::process::id()));
        assert!(take(home.path(), "t-2").is_ok(), "another task is free");
        drop(first);
        assert!(take(home.path(), "t-1").is_ok());
        let (pid, started) = me();
        assert!(!gone(Some(pid), started.map(|s| s as i64)));
        assert!(gone(Some(pid), started.map(|s| s as i64 + 1)), "a reused pid is another process");
    }
}
