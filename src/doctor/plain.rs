//! Plain `docker compose` typed in a worktree runs the branch's own stack: cfn's block is in
//! the worktree's `.env`. Where cfn cannot write it (a tracked or unignored `.env`, a symlink,
//! compose v1 with base files that need tags) this warns with the alternative. A block that
//! is out of date, or left in the main checkout, is reported by the `rendered` check, whose
//! `--fix` writes it again; both come from the one look `rendered` takes at each checkout.

use super::docker::plural;
use super::Check;
use crate::branch::plain_compose::Plain;

/// The checks for each checkout's state, `(branch, state)`.
pub fn checks(states: &[(String, Plain)]) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut isolated = 0;
    for (branch, state) in states {
        match state {
            Plain::Isolated { .. } => isolated += 1,
            Plain::Blocked { reason, env_file } => {
                let hint = reason.hint();
                checks.push(
                    Check::warn("plain-compose", reason.message(branch, env_file), hint.clone()).of_checkout(
                        branch,
                        reason.detail(),
                        Some(&hint),
                    ),
                )
            }
            Plain::Main | Plain::NoStack => {}
        }
    }
    if checks.is_empty() && isolated > 0 {
        checks.push(Check::ok(
            "plain-compose",
            format!(
                "plain `docker compose` runs the branch's own stack in {isolated} worktree{}",
                plural(isolated)
            ),
        ));
    }
    checks
}
