//! What `render` would write for a branch, compared with what is there, without writing.
//!
//! [`branch::files::plan`] computes every rendered file in memory; each is then compared with the
//! file in the branch's `.cfn/`. (Rendering into a scratch copy of the checkout instead cost a
//! directory, three synced files and their removal per branch: seconds at 200 worktrees on a
//! disk.) The env file is compared as variables (its values hold paths that dotenv quoting could
//! spell differently), the compose files as text.

use crate::branch;
use crate::branch::files::{CFN_DIR, ENV_FILE};
use crate::branch::plain_compose::Plain;
use crate::branch::{BranchEnv, Workspace};
use crate::compose::dotenv;
use anyhow::Result;
use std::path::Path;

/// The rendered files of a branch that are missing or differ from what cfn would write now,
/// as paths relative to the checkout (`.cfn/env`). An error means the templates do not render.
pub fn stale_files(ws: &Workspace, env: &BranchEnv) -> Result<Vec<String>> {
    Ok(stale_and_plain(ws, env)?.0)
}

/// [`stale_files`], and what plain `docker compose` in the checkout runs (found on the way).
pub fn stale_and_plain(ws: &Workspace, env: &BranchEnv) -> Result<(Vec<String>, Plain)> {
    let plan = branch::files::plan(ws, env)?;
    let env_file = env.path.join(CFN_DIR).join(ENV_FILE);
    let mut stale = Vec::new();
    for file in &plan.files {
        let current = std::fs::read_to_string(&file.path).ok();
        let same = match &current {
            Some(text) if file.path == env_file => {
                dotenv::parse_literal(text) == dotenv::parse_literal(&file.text)
            }
            Some(text) => *text == file.text,
            None => false,
        };
        if !same {
            let rel = file.path.strip_prefix(&env.path).unwrap_or(Path::new(&file.path));
            stale.push(rel.to_string_lossy().into_owned());
        }
    }
    // the block of plain `docker compose` in the checkout's `.env`, and its reset override
    stale.extend(plan.plain.stale());
    Ok((stale, plan.plain.state().clone()))
}
