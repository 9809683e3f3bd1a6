//! Each branch's database is reachable and its migrations are current: an applied migration
//! whose file was edited afterwards fails (the branch no longer matches its files); pending
//! migrations and applied ones whose file is gone warn.
//!
//! Read-only: a branch whose SQLite file does not exist yet has every migration pending, and
//! the file is not created to find that out.

use super::survey::{Problem, Survey};
use super::Check;
use crate::branch;
use crate::branch::{BranchEnv, Workspace};
use crate::config::MigrationTarget;
use crate::migrate::{self, State, StatusRow};

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let mut out = Vec::new();
    for env in survey.envs.iter().filter(|e| e.path.is_dir()) {
        if !branch::migrations::migrations_dir(ws, env).is_dir() {
            continue;
        }
        let available = match branch::migrations::migrations(ws, env) {
            Ok(list) if list.is_empty() => continue,
            Ok(list) => list,
            Err(e) => {
                let p = Problem::from_error(&e);
                out.push(Check::fail(
                    "migrations",
                    format!("migrations of {}: {}", env.branch, p.message),
                    "name them NNNN_name.up.sql / NNNN_name.down.sql",
                ));
                continue;
            }
        };
        let sqlite_missing = ws.config.migrations.target == MigrationTarget::Sqlite
            && !crate::branch::files::sqlite_path(ws, env).exists();
        if sqlite_missing {
            out.push(pending(env, available.len()));
            continue;
        }
        match branch::migrations::with_target(ws, env, |t| migrate::status(t, &available)) {
            Ok(rows) => out.extend(judge(env, &rows)),
            Err(e) => out.push(unreachable(survey, env, &e)),
        }
    }
    out
}

fn judge(env: &BranchEnv, rows: &[StatusRow]) -> Vec<Check> {
    let mut out = Vec::new();
    for r in rows.iter().filter(|r| r.state == State::Changed) {
        // `migrate down --to` names the applied version to keep (0 reverts everything).
        let keep = rows
            .iter()
            .filter(|o| o.version < r.version && o.state != State::Pending)
            .map(|o| o.version)
            .max()
            .unwrap_or(0);
        out.push(Check::fail(
            "migrations",
            format!("migration {} ({}) of {} was edited after it was applied", r.version, r.name, env.branch),
            format!(
                "undo the edit and put the change in a new migration, or run `cfn migrate down --to {keep}` \
                 then `cfn migrate up` in {}",
                env.path.display()
            ),
        ));
    }
    for r in rows.iter().filter(|r| r.state == State::MissingFile) {
        out.push(Check::warn(
            "migrations",
            format!("migration {} ({}) of {} is applied but its file is gone", r.version, r.name, env.branch),
            "restore the file, or revert it with `cfn migrate down` while its recorded down script exists",
        ));
    }
    let waiting = rows.iter().filter(|r| r.state == State::Pending).count();
    if waiting > 0 {
        out.push(pending(env, waiting));
    }
    if out.is_empty() {
        let applied = rows.iter().filter(|r| r.state == State::Applied).count();
        let detail = format!("{applied} applied, none pending");
        out.push(Check::ok("migrations", format!("{}: {detail}", env.branch)).of_checkout(
            &env.branch,
            detail,
            None,
        ));
    }
    out
}

fn pending(env: &BranchEnv, n: usize) -> Check {
    let detail = format!("{n} migration{} pending", super::docker::plural(n));
    Check::warn(
        "migrations",
        format!("{}: {detail}", env.branch),
        format!("run `cfn migrate up` in {} (or `cfn up`, which applies them)", env.path.display()),
    )
    .of_checkout(
        &env.branch,
        detail,
        Some("run `cfn migrate up` in each (or `cfn up`, which applies them)"),
    )
}

/// A database that cannot be reached is expected while the branch's stack is down, and only a
/// warning while some of its services are stopped.
fn unreachable(survey: &Survey, env: &BranchEnv, e: &anyhow::Error) -> Check {
    let p = Problem::from_error(e);
    let message = format!("database of {}: {}", env.branch, p.message);
    let postgres =
        survey.workspace.as_ref().is_some_and(|ws| ws.config.migrations.target == MigrationTarget::Postgres);
    if postgres && survey.stack_running(&env.project) == Some(false) {
        return Check::ok(
            "migrations",
            format!("{}: database not reachable while its stack is down", env.branch),
        )
        .of_checkout(&env.branch, "database not reachable while their stacks are down", None);
    }
    if postgres && !survey.down_in_running_stack(&env.project).is_empty() {
        return Check::warn(
            "migrations",
            format!("{message} (its stack is partly up)"),
            format!("`cfn up` in {} starts the stopped services (see the stack check)", env.path.display()),
        );
    }
    Check::fail("migrations", message, p.hint.unwrap_or_else(|| "start its stack with `cfn up`".into()))
}
