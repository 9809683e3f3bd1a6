//! Plain `docker compose` typed in a worktree runs the branch's own stack: cfn's block is in
//! the worktree's `.env`. Where cfn cannot write it (a tracked or unignored `.env`, a symlink,
//! compose v1 with base files that need tags) this warns with the alternative. A block that
//! is out of date, or left in the main checkout, is reported by the `rendered` check, whose
//! `--fix` writes it again.

use super::docker::plural;
use super::survey::Survey;
use super::Check;
use crate::plain_compose::{self, Plain};
use crate::workspace::Workspace;

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let v2 = plain_compose::compose_is_v2();
    let mut checks = Vec::new();
    let mut isolated = 0;
    for env in survey.envs.iter().filter(|e| !e.is_main && e.path.is_dir()) {
        // a branch whose files do not load is reported by the `templates` check
        let Ok(plan) = plain_compose::inspect(ws, env, || v2) else { continue };
        match plan.state() {
            Plain::Isolated { .. } => isolated += 1,
            Plain::Blocked { reason, env_file } => checks.push(Check::warn(
                "plain-compose",
                reason.message(&env.branch, env_file),
                reason.hint(),
            )),
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
