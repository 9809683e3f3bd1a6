//! Files changed in more than one worktree: a merge conflict seen coming while parallel work
//! is still going on.
//!
//! A worktree's changes are what differs between the merge base of its HEAD with the main
//! branch and its working tree (committed, staged and unstaged), plus its untracked files.

use crate::branch::{BranchEnv, Workspace};
use crate::git::git;
use anyhow::Result;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// One file changed in several worktrees.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Conflict {
    pub path: String,
    pub branches: Vec<String>,
}

/// How many files a worktree changed, or why they could not be read.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Changes {
    pub branch: String,
    pub changed: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Report {
    pub main_branch: String,
    pub worktrees: Vec<Changes>,
    pub conflicts: Vec<Conflict>,
}

/// The files changed in more than one of the repository's checkouts (the main one included).
pub fn conflicts(ws: &Workspace) -> Result<Report> {
    let main_branch = ws.main_env().branch;
    let mut by_path: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut worktrees = Vec::new();
    for env in ws.all_envs()?.iter().filter(|e| e.path.is_dir()) {
        match changed_files(env, &main_branch) {
            Ok(files) => {
                worktrees.push(Changes { branch: env.branch.clone(), changed: files.len(), error: None });
                for f in files {
                    by_path.entry(f).or_default().push(env.branch.clone());
                }
            }
            Err(e) => worktrees.push(Changes {
                branch: env.branch.clone(),
                changed: 0,
                error: Some(format!("{e:#}")),
            }),
        }
    }
    let conflicts = by_path
        .into_iter()
        .filter(|(_, branches)| branches.len() > 1)
        // By name: the same answer whatever slots the worktrees happen to have.
        .map(|(path, mut branches)| {
            branches.sort();
            Conflict { path, branches }
        })
        .collect();
    Ok(Report { main_branch, worktrees, conflicts })
}

/// The files a checkout changed relative to its merge base with `main_branch`.
fn changed_files(env: &BranchEnv, main_branch: &str) -> Result<Vec<String>> {
    let dir = env.path.as_path();
    let base = git(dir).args(["merge-base", "HEAD", main_branch]).read()?;
    let mut files = nul_list(dir, &["diff", "--name-only", "--no-renames", "-z", base.trim(), "--"])?;
    files.extend(nul_list(dir, &["ls-files", "--others", "--exclude-standard", "-z"])?);
    files.sort();
    files.dedup();
    Ok(files)
}

fn nul_list(dir: &Path, args: &[&str]) -> Result<Vec<String>> {
    let out = git(dir).args(args).read()?;
    Ok(out.split('\0').filter(|f| !f.is_empty()).map(str::to_string).collect())
}
