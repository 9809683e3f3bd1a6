//! Operations on one branch exclude each other: `up`, `down`, `worktree remove`, `migrate` and
//! the `data` commands each hold the branch's lock for their whole life (and `worktree prune`
//! while it forgets a gone worktree), so a removal can never release the ports of a stack that
//! an `up` is still starting. A data copy holds its source's lock as well as its target's, so
//! the source is not started, stopped or copied into while it is read.
//!
//! The lock is an OS file lock (`flock`) on `$CFN_HOME/locks/<project>.lock` (the compose
//! project name is unique per branch on the machine). The operating system releases it the
//! moment its holder exits, however it dies, so a killed `cfn up` never leaves a stale lock and
//! no age or PID check is needed to break one. The holder writes its PID and operation into the
//! file, only so that the one waiting can say who it waits for. The file is never deleted:
//! deleting a lock file lets two processes lock two different files of the same name.

use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::error::UserError;
use crate::state::WorktreeRow;
use anyhow::{Context as _, Result};
use std::fs::{File, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a second operation waits for the first by default; `CFN_LOCK_WAIT` (seconds)
/// changes it, `0` fails at once.
const DEFAULT_WAIT: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// A held branch lock; dropping it releases the lock.
#[derive(Debug)]
pub struct BranchLock {
    _file: File,
}

/// The lock file of the compose project `project`.
pub fn lock_path(home: &Path, project: &str) -> PathBuf {
    home.join("locks").join(format!("{project}.lock"))
}

/// Takes the lock of the branch whose compose project is `project` for operation `op`
/// (`"up"`, `"worktree remove"`…), waiting up to `CFN_LOCK_WAIT` seconds for another holder;
/// then fails with "branch busy: <op> by pid N".
pub fn acquire(ctx: &Context, project: &str, op: &str) -> Result<BranchLock> {
    acquire_within(ctx, project, op, wait_limit()?)
}

/// Takes the lock of the branch whose data `op` copies (its compose project `project`) into
/// branch `target`, waiting as [`acquire`] does: while the copy runs, an `up`, `down` or copy
/// of the source waits for it or is refused, told "branch busy: a copy of its data into
/// <target> (data clone) by pid N". The copy already holds the target's lock; two copies in
/// opposite directions at once each wait for the other until the first wait runs out: that one
/// is refused, having copied nothing, and the other goes on.
pub fn acquire_source(ctx: &Context, project: &str, op: &str, target: &str) -> Result<BranchLock> {
    let holder = format!("a copy of its data into {target} ({op})");
    acquire_as(ctx, project, op, &holder, wait_limit()?)
}

/// Takes the lock of `project` only if nobody holds it (a busy lock is an error at once): for
/// repairs that must leave a live operation alone.
pub fn try_acquire(ctx: &Context, project: &str, op: &str) -> Result<BranchLock> {
    acquire_within(ctx, project, op, Duration::ZERO)
}

/// Resolves the branch (`name`, or the checkout the command stands in), takes its lock, and
/// resolves it again: an operation that waited for a `worktree remove` must not act on a
/// branch that no longer exists.
pub fn lock_branch(
    ctx: &Context,
    ws: &Workspace,
    name: Option<&str>,
    op: &str,
) -> Result<(BranchLock, BranchEnv)> {
    lock_branch_with(ctx, ws, name, op, Workspace::branch_env)
}

/// [`lock_branch`], the branch's environment found by `resolve` (before and after the wait).
pub fn lock_branch_with(
    ctx: &Context,
    ws: &Workspace,
    name: Option<&str>,
    op: &str,
    resolve: impl Fn(&Workspace, Option<&str>) -> Result<BranchEnv>,
) -> Result<(BranchLock, BranchEnv)> {
    let before = resolve(ws, name)?;
    let lock = acquire(ctx, &before.project, op)?;
    if before.is_main {
        // The main checkout is never removed (and may have a detached HEAD, no branch name).
        return Ok((lock, before));
    }
    let after = resolve(ws, Some(&before.branch))
        .map_err(|e| e.context(format!("branch {} changed while {op} waited for it", before.branch)))?;
    if after.project != before.project || after.path != before.path {
        return Err(UserError::new(format!("branch {} changed while {op} waited for it", before.branch))
            .hint(format!("run `cfn {op}` again"))
            .into());
    }
    Ok((lock, after))
}

/// The registry row of a worktree again, once its lock is held: what the lock waited for may
/// have removed it.
pub fn reread(ws: &Workspace, row: WorktreeRow) -> Result<WorktreeRow> {
    WorktreeRow::find_by_branch(ws.state.conn(), ws.repo.id, &row.branch)?.ok_or_else(|| {
        UserError::new(format!("no worktree for branch {} (removed while waiting for it)", row.branch))
            .hint("see `cfn worktree list`")
            .into()
    })
}

fn acquire_within(ctx: &Context, project: &str, op: &str, wait: Duration) -> Result<BranchLock> {
    acquire_as(ctx, project, op, op, wait)
}

/// Takes the lock for `op` (the command the hint repeats), telling a waiter that the holder is
/// `holder` ("up", "a copy of its data into b2 (data clone)").
fn acquire_as(ctx: &Context, project: &str, op: &str, holder: &str, wait: Duration) -> Result<BranchLock> {
    let path = lock_path(&ctx.home, project);
    let mut file = crate::lock_file::open(&path)?;
    let start = Instant::now();
    let mut announced = false;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                let held_by = held_by(&mut file);
                if start.elapsed() >= wait {
                    return Err(UserError::new(format!("branch busy: {held_by}"))
                        .kind(crate::error::Kind::Busy)
                        .hint(format!(
                            "wait for it to finish (or stop it), then run `cfn {op}` again; \
                         CFN_LOCK_WAIT=<seconds> waits longer"
                        ))
                        .into());
                }
                if !announced {
                    ctx.say(format!("waiting for {held_by} to finish with {project}"));
                    announced = true;
                }
                std::thread::sleep(POLL.min(wait.saturating_sub(start.elapsed())));
            }
            Err(TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
    }
    // Who holds it, for the next one's message. Failing to write it only makes that vaguer.
    let _ = file.set_len(0).and_then(|()| file.rewind()).and_then(|()| {
        writeln!(file, "{} {holder}", std::process::id())?;
        file.flush()
    });
    Ok(BranchLock { _file: file })
}

/// "up by pid 123", from what the holder wrote ("another cfn command" if nothing yet).
fn held_by(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file.rewind().and_then(|()| file.read_to_string(&mut text));
    match text.trim().split_once(' ') {
        Some((pid, op)) if pid.parse::<u32>().is_ok() => format!("{op} by pid {pid}"),
        _ => "another cfn command".to_string(),
    }
}

fn wait_limit() -> Result<Duration> {
    match std::env::var("CFN_LOCK_WAIT") {
        Ok(v) if !v.trim().is_empty() => {
            v.trim().parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok()).ok_or_else(|| {
                UserError::usage(format!("CFN_LOCK_WAIT={v:?} is not a number of seconds"))
                    .hint("e.g. CFN_LOCK_WAIT=60, or 0 to fail at once")
                    .into()
            })
        }
        _ => Ok(DEFAULT_WAIT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(home: &Path) -> Context {
        Context { cwd: home.to_path_buf(), home: home.to_path_buf(), quiet: true, verbose: 0 }
    }

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        let first = acquire_within(&ctx, "shop-a", "up", Duration::ZERO).unwrap();
        // A second open file description: flock excludes it even within one process.
        let err = acquire_within(&ctx, "shop-a", "down", Duration::from_millis(250)).unwrap_err();
        let busy = format!("branch busy: up by pid {}", std::process::id());
        assert_eq!(err.to_string(), busy);
        assert!(acquire_within(&ctx, "shop-b", "down", Duration::ZERO).is_ok(), "another branch is free");
        drop(first);
        // A moment's wait: a child another test forks at that instant shares the lock's open
        // file until it execs (the descriptor is close-on-exec), which a zero wait can meet.
        assert!(acquire_within(&ctx, "shop-a", "down", Duration::from_secs(2)).is_ok());
    }
}
