//! Implementers that don't collide (`[loop] isolation = "worktrees"`).
//!
//! Each implementer works in a git worktree of its own: branch `<branch>--<agent>--<task>-<N>`, checked out
//! at the branch's last commit in the run's folder (`.cfn/loop/<task>/lanes/iter-N/<agent>`,
//! which git ignores), with the branch's variables, ports and stack — a lane, not a new branch
//! environment. After the implementers' phase cfn commits what each left in its lane (as that
//! agent) and merges the lanes into the branch one after another in team order, each with a
//! merge commit. A merge that git cannot finish is undone and goes back to its implementer as
//! feedback (and fails the gate: the branch lacks its work), as does an empty change; so the
//! branch only ever receives merged, committed work. A lane is removed once merged; one whose
//! merge was refused is kept with `--keep` for a person to look at.

use super::phase::{PhaseResult, RunContext};
use crate::agents::AgentProfile;
use crate::context::Context;
use crate::error::UserError;
use crate::git::lane::{self, Identity, Merged};
use anyhow::Result;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// One implementer's worktree in one iteration.
#[derive(Debug, Clone)]
pub struct Lane {
    pub agent: String,
    pub branch: String,
    pub path: PathBuf,
    /// The branch's commit the lane started from.
    pub base: String,
}

/// How one lane's work reached the branch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Merged,
    Empty,
    Conflict,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Merge {
    pub agent: String,
    pub outcome: Outcome,
    /// The branch's merge commit (merged).
    pub commit: Option<String>,
    /// Files in conflict (conflict).
    pub files: Vec<String>,
    /// git's words when it refused.
    pub reason: Option<String>,
    /// Where the lane was kept (`--keep` and a refused merge).
    pub kept: Option<PathBuf>,
}

/// Refuses to start when the branch's worktree has uncommitted work: each lane starts from the
/// branch's last commit, so the implementers would not see it, and a merge could not land.
pub fn require_clean(worktree: &Path) -> Result<()> {
    let dirty = crate::git::dirty_paths(worktree)?;
    if dirty.is_empty() {
        return Ok(());
    }
    let mut shown: Vec<&str> = dirty.iter().map(String::as_str).take(3).collect();
    if dirty.len() > 3 {
        shown.push("…");
    }
    Err(UserError::usage(format!(
        "the branch's worktree has uncommitted changes ({}); with isolation = \"worktrees\" each implementer starts from the branch's last commit and its work is merged back as commits",
        shown.join(", ")
    ))
    .hint("commit or stash them (`git status` lists them), or set [loop] isolation = \"shared\"")
    .into())
}

/// The branch of `agent`'s lane of the branch `branch` in iteration `it` of run `task`: one per
/// lane, so that a lane kept by `--keep` never holds the branch a later lane needs.
pub fn lane_branch(branch: &str, agent: &str, task: &str, it: u32) -> String {
    let name = super::files::folder_name;
    format!("{branch}--{}--{}-{it}", name(agent), name(task))
}

/// Opens iteration `it`'s lanes, one per implementer, at the branch's last commit. In a resumed
/// run a lane already there is taken as it is, and an implementer that finished (`finished`)
/// whose lane is gone was merged before the coordinator died: it gets none.
pub fn open(
    rc: &RunContext,
    implementers: &[(String, AgentProfile)],
    it: u32,
    finished: impl Fn(&str) -> bool,
) -> Result<Vec<Lane>> {
    let dir = rc.run_dir.join("lanes").join(format!("iter-{it}"));
    super::files::private_dir(&dir)?;
    // The commit the iteration's lanes start from, kept so that a resumed run tells a lane's
    // own commits from its start.
    let base_file = dir.join("base");
    let base = match std::fs::read_to_string(&base_file) {
        Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
        _ => {
            let head = lane::head(&rc.worktree)?;
            crate::render::write_atomic(&base_file, &head, 0o600)?;
            head
        }
    };
    let mut lanes = Vec::new();
    for (agent, _) in implementers {
        let path = dir.join(super::files::folder_name(agent));
        let branch = lane_branch(&rc.branch, agent, &rc.task, it);
        if !path.join(".git").is_file() {
            if finished(agent) {
                continue;
            }
            lane::add(&rc.worktree, &path, &branch, &base)?;
        }
        lanes.push(Lane { agent: agent.clone(), branch, path, base: base.clone() });
    }
    Ok(lanes)
}

/// Commits each lane's work and merges it into the branch, in team order; removes each lane
/// afterwards (keeping a refused one when `keep`).
pub fn merge_all(rc: &RunContext, lanes: &[Lane], it: u32, keep: bool) -> Result<Vec<Merge>> {
    let loop_identity = Identity { name: "cfn loop", email: "loop@cfn.invalid" };
    let mut merges = Vec::new();
    for l in lanes {
        // Only cfn's merges may have moved the branch since the lanes opened: an implementer
        // writing to the branch's worktree, or merging into it itself, stops the run.
        if let Some(what) = lane::only_merged_since(&rc.worktree, &l.base, &loop_identity)? {
            return Err(UserError::new(format!(
                "the branch changed during the implementers' phase outside cfn's merges: {what}; the run stops"
            ))
            .hint("with isolation = \"worktrees\" implementers work in their lanes only; look at `git log` and `git status` in the branch's worktree")
            .into());
        }
        let email = format!("{}@loop.cfn.invalid", super::files::folder_name(&l.agent));
        let agent = Identity { name: &l.agent, email: &email };
        let message = format!("{}: iteration {it} of loop {}", l.agent, rc.task);
        lane::commit_all(&l.path, &message, &agent)?;
        let tip = lane::head(&l.path)?;
        let mut merge = Merge {
            agent: l.agent.clone(),
            outcome: Outcome::Empty,
            commit: None,
            files: Vec::new(),
            reason: None,
            kept: None,
        };
        if tip != l.base {
            let message = format!("Merge {} into {} (loop {}, iteration {it})", l.agent, rc.branch, rc.task);
            match lane::merge(&rc.worktree, &tip, &message, &loop_identity)? {
                Merged::Done(commit) => (merge.outcome, merge.commit) = (Outcome::Merged, Some(commit)),
                // Merged before a resumed run got here.
                Merged::UpToDate => merge.outcome = Outcome::Merged,
                Merged::Refused { files, why } => {
                    (merge.outcome, merge.files, merge.reason) = (Outcome::Conflict, files, Some(why));
                }
            }
        }
        crate::crash_point::reached("lanes", 1);
        if keep && merge.outcome == Outcome::Conflict {
            merge.kept = Some(l.path.clone());
        } else {
            lane::remove(&rc.worktree, &l.path, &l.branch)?;
            crate::crash_point::reached("lanes", 2);
        }
        merges.push(merge);
    }
    Ok(merges)
}

/// Why the gate fails: the work of an implementer whose merge was refused is not in the branch.
pub fn problems(merges: &[Merge]) -> Vec<String> {
    merges
        .iter()
        .filter(|m| m.outcome == Outcome::Conflict)
        .map(|m| {
            let what = if m.files.is_empty() {
                m.reason.clone().unwrap_or_else(|| "git refused the merge".into())
            } else {
                format!("conflicts in {}", m.files.join(", "))
            };
            format!(
                "{}: its change could not be merged into the branch ({what}); redo it on top of the branch as it is now",
                m.agent
            )
        })
        .collect()
}

/// What the implementers hear in the next iteration about an empty change.
pub fn notes(merges: &[Merge]) -> Vec<String> {
    merges
        .iter()
        .filter(|m| m.outcome == Outcome::Empty)
        .map(|m| format!("{}: made no change to merge into the branch", m.agent))
        .collect()
}

/// The lanes a run left (killed, failed), removed: the merged work is in the branch already.
pub fn remove_left(rc: &RunContext) {
    let Ok(iterations) = std::fs::read_dir(rc.run_dir.join("lanes")) else { return };
    for iteration in iterations.flatten() {
        let Ok(lanes) = std::fs::read_dir(iteration.path()) else { continue };
        for entry in lanes.flatten() {
            let path = entry.path();
            // Only a worktree of its own (a `.git` file): never the branch's checkout above it.
            if !path.join(".git").is_file() {
                continue;
            }
            if let Ok(head) = crate::git::discover(&path).map(|c| c.branch) {
                let branch = head.unwrap_or_default();
                let _ = lane::remove(&rc.worktree, &path, &branch);
            }
        }
    }
}

/// Merges the implementers' lanes into the branch (nothing without lanes): a refused merge
/// becomes a problem of the phase (the gate fails, its implementer hears why); returns what the
/// implementers hear next iteration about empty changes. Records a `merge` event.
pub async fn merge_into_branch(
    ctx: &Context,
    conn: &Connection,
    rc: &RunContext,
    lanes: &[Lane],
    it: u32,
    imp: &mut PhaseResult,
) -> Result<Vec<String>> {
    if lanes.is_empty() {
        return Ok(Vec::new());
    }
    let merges = merge_all(rc, lanes, it, rc.keep)?;
    for m in &merges {
        let kept = m.kept.as_ref().map(|p| format!("; kept at {}", p.display())).unwrap_or_default();
        ctx.say(format!(
            "iteration {it}: {} {}{kept}",
            m.agent,
            serde_json::to_value(&m.outcome)?.as_str().unwrap_or("?")
        ));
    }
    imp.problems.extend(problems(&merges));
    super::record::event(conn, &rc.bus, &rc.task, it, "merge", json!({ "merges": merges })).await?;
    Ok(notes(&merges))
}
