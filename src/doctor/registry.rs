//! git and the worktree registry agree: every registered worktree's directory exists, git knows
//! it and has its branch checked out there; every linked worktree git knows is registered; and a
//! worktree whose directory is gone has no stack left running.

use super::docker::plural;
use super::survey::Survey;
use super::Check;
use crate::branch::Workspace;
use crate::git::GitWorktree;
use crate::state::{Operation, WorktreeRow};
use anyhow::Result;

const PRUNE: &str = "`cfn doctor --fix` (or `cfn worktree prune`) forgets it and releases its ports";

pub fn checks(survey: &Survey, ws: &Workspace) -> Result<Vec<Check>> {
    let git = match &survey.git_worktrees {
        Ok(list) => list,
        Err(e) => {
            let message = format!("cannot list git's worktrees: {e}");
            return Ok(vec![Check::fail("registry", message, "check that `git worktree list` works here")]);
        }
    };
    let mut out = Vec::new();
    for row in &survey.rows {
        if let Some(check) = row_check(survey, ws, row)? {
            out.push(check);
        }
    }
    for wt in git.iter().skip(1).filter(|w| !w.bare) {
        if !survey.is_registered(&wt.path) && moved_from(survey, wt).is_none() {
            match WorktreeRow::find_by_path(ws.state.conn(), &wt.path)? {
                Some(other) => out.push(of_another_repository(wt, &other)),
                None => out.push(unregistered(wt)),
            }
        }
    }
    if out.is_empty() {
        let n = survey.rows.len();
        out.push(Check::ok(
            "registry",
            format!("{n} registered worktree{}, in agreement with git and the directories", plural(n)),
        ));
    }
    Ok(out)
}

fn row_check(survey: &Survey, ws: &Workspace, row: &WorktreeRow) -> Result<Option<Check>> {
    let name = format!("worktree {}", row.branch);
    if let Some(op) = row.operation {
        if row.is_owned(ws.state.home())? {
            let pid = row.owner_pid.map_or(String::new(), |p| format!(" by pid {p}"));
            return Ok(Some(Check::ok("registry", format!("{name}: {} under way{pid}", op.as_str()))));
        }
        let pid = row.owner_pid.map_or(String::new(), |p| format!(" (pid {p} is gone)"));
        let message = format!("{name}: its {} was interrupted{pid}", op.as_str());
        let hint = match op {
            Operation::Remove => "`cfn doctor --fix` (or `cfn worktree prune`) finishes the removal",
            _ => "`cfn doctor --fix` (or `cfn worktree prune`) rolls it back, or finishes it if only its last step is missing",
        };
        return Ok(Some(Check::fail("registry", message, hint)));
    }
    if let Some(to) = moved_to(survey, row) {
        let message = format!("{name}: moved from {} to {}", row.path.display(), to.path.display());
        return Ok(Some(Check::warn(
            "registry",
            message,
            "`cfn doctor --fix` re-attaches it there, with its ports and compose project",
        )));
    }
    if !row.path.is_dir() {
        let running = running_containers(survey, &row.project);
        let stack = if running > 0 {
            format!("; its stack still runs ({running} container{})", plural(running))
        } else {
            String::new()
        };
        let message = format!("{name}: directory {} is gone{stack}", row.path.display());
        let forget = if running > 0 {
            "`cfn doctor --fix` forgets it, releases its ports and removes its containers (volumes kept)"
        } else {
            PRUNE
        };
        // Moved by hand, it keeps its ports and stack once git knows where it is: say so first.
        let hint = match crate::git::find_moved_worktree(ws.main_root(), &row.path) {
            Some(to) => format!(
                "it seems moved to {0}: run `git worktree repair {0}` in the main checkout, then \
                 `cfn doctor --fix` re-attaches it there; if it is not, {forget}",
                to.display()
            ),
            None => format!(
                "if you moved it, run `git worktree repair <new path>` in the main checkout first \
                 (`cfn doctor --fix` then re-attaches it); otherwise {forget}"
            ),
        };
        return Ok(Some(Check::fail("registry", message, hint)));
    }
    let Some(known) = survey.git_worktree_at(&row.path) else {
        let message = format!("{name}: git no longer knows the worktree at {}", row.path.display());
        return Ok(Some(Check::fail("registry", message, PRUNE)));
    };
    if known.branch.as_deref() != Some(row.branch.as_str()) {
        let now = known.branch.as_deref().unwrap_or("a detached HEAD");
        let message = format!("{name}: {} has {now} checked out instead", row.path.display());
        let hint = format!("check out {} there again, or `cfn worktree remove {}`", row.branch, row.branch);
        return Ok(Some(Check::warn("registry", message, hint)));
    }
    Ok(None)
}

/// Where git now has the branch of a registered worktree whose directory is gone, at a place no
/// row holds: the worktree moved (what `doctor --fix` re-attaches, see `branch::relocate`).
fn moved_to<'a>(survey: &'a Survey, row: &WorktreeRow) -> Option<&'a GitWorktree> {
    if row.operation.is_some() || row.path.is_dir() {
        return None;
    }
    let list = survey.git_worktrees.as_ref().ok()?;
    list.iter().skip(1).find(|w| {
        w.branch.as_deref() == Some(row.branch.as_str()) && w.path.is_dir() && !survey.is_registered(&w.path)
    })
}

/// The registered worktree that moved to git's worktree `wt`, if any.
fn moved_from<'a>(survey: &'a Survey, wt: &GitWorktree) -> Option<&'a WorktreeRow> {
    survey.rows.iter().find(|row| moved_to(survey, row).is_some_and(|to| to.path == wt.path))
}

/// A worktree git lists here that another repository's registration holds (a copied
/// checkout lists the original's worktrees): `doctor --fix` must not take it, so the hint does
/// not say it would.
fn of_another_repository(wt: &GitWorktree, other: &WorktreeRow) -> Check {
    Check::warn(
        "registry",
        format!(
            "git worktree {} (branch {}) is registered with another repository (compose project {})",
            wt.path.display(),
            other.branch,
            other.project
        ),
        "`cfn doctor --fix` leaves it to that repository: use it from that repository's main checkout",
    )
}

fn unregistered(wt: &GitWorktree) -> Check {
    let path = wt.path.display();
    if wt.path.is_dir() && wt.is_half_created() {
        return Check::warn(
            "registry",
            format!("git worktree {path} was never fully checked out (an interrupted `git worktree add`)"),
            format!("remove it with `git worktree remove --force --force {path}`, then add it again"),
        );
    }
    if wt.prunable || !wt.path.is_dir() {
        return Check::warn(
            "registry",
            format!("git worktree {path} is gone but git still lists it"),
            "`cfn doctor --fix` (or `git worktree prune`) forgets it",
        );
    }
    match &wt.branch {
        Some(branch) if crate::branch::env_file::check_branch_is_representable(branch).is_err() => {
            Check::warn(
                "registry",
                format!("git worktree {path} (branch {branch}) is not registered with cfn"),
                "cfn cannot register a branch whose name holds a single quote with `$` or a backtick: \
             rename it (`git branch -m`), then run `cfn doctor --fix`",
            )
        }
        Some(branch) => Check::warn(
            "registry",
            format!("git worktree {path} (branch {branch}) is not registered with cfn"),
            "`cfn doctor --fix` registers it: leases its ports and renders its files",
        ),
        None => Check::warn(
            "registry",
            format!("git worktree {path} has a detached HEAD and is not registered with cfn"),
            "check out a branch there, then run `cfn doctor --fix` to register it",
        ),
    }
}

fn running_containers(survey: &Survey, project: &str) -> usize {
    let Ok(snapshot) = &survey.engine else { return 0 };
    snapshot.containers.iter().filter(|c| c.running && c.project() == Some(project)).count()
}
