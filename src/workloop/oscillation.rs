//! Oscillation: an iteration that undoes the previous one. Each iteration's change is the
//! difference between the worktree's files at its start and at the start of the next (git
//! trees, `git::snapshot_tree`), as lines removed and added per file. The current change
//! *reverts* the previous one by the share of the previous change's lines it restores: lines
//! the previous iteration added that this one removes, plus lines it removed that this one
//! adds back (counted per file and line text, each line at most once), over all the lines the
//! previous iteration changed. Above [`REVERT_SHARE`] the run stops with ESCALATE.

use super::decision::Decision;
use super::phase::RunContext;
use crate::git::LineChanges;
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// Restoring more than this share of the previous iteration's changed lines is oscillation.
pub const REVERT_SHARE: f64 = 0.7;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Revert {
    /// Lines the previous iteration changed (added + removed).
    pub previous_lines: usize,
    /// Of those, how many this iteration restored.
    pub restored_lines: usize,
    pub share: f64,
}

impl Revert {
    pub fn oscillates(&self) -> bool {
        self.previous_lines > 0 && self.share > REVERT_SHARE
    }
}

/// How much of `previous` the change `current` undoes.
pub fn revert_of(previous: &LineChanges, current: &LineChanges) -> Revert {
    let restored = matched(&previous.added, &current.removed) + matched(&previous.removed, &current.added);
    let previous_lines = previous.added.len() + previous.removed.len();
    let share = if previous_lines == 0 { 0.0 } else { restored as f64 / previous_lines as f64 };
    Revert { previous_lines, restored_lines: restored, share: (share * 1000.0).round() / 1000.0 }
}

/// The size of the multiset intersection of two lists of (path, line).
fn matched(a: &[(String, String)], b: &[(String, String)]) -> usize {
    let mut counts: HashMap<&(String, String), usize> = HashMap::new();
    for line in a {
        *counts.entry(line).or_default() += 1;
    }
    b.iter()
        .filter(|line| match counts.get_mut(line) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count()
}

/// Before iteration `it`: the worktree's tree, the previous iteration's change (from the second
/// on) and, from the third on, whether that change reverted the one before it. Records the
/// comparison, and the ESCALATE decision when it does.
pub async fn at_start(
    conn: &Connection,
    rc: &RunContext,
    (snapshot, previous_change): (Option<&str>, Option<&crate::git::LineChanges>),
    it: u32,
) -> Result<(String, Option<crate::git::LineChanges>, Option<String>)> {
    super::files::private_dir(&rc.run_dir)?;
    let scratch = rc.run_dir.join("snapshot.index");
    let tree = crate::git::snapshot_tree(&rc.worktree, &scratch)?;
    let Some(previous_tree) = snapshot else { return Ok((tree, None, None)) };
    let change = crate::git::changed_lines(&rc.worktree, previous_tree, &tree)?;
    let Some(previous) = previous_change else { return Ok((tree, Some(change), None)) };
    let revert = revert_of(previous, &change);
    let (undoing, undone) = (it - 1, it - 2);
    if !revert.oscillates() {
        return Ok((tree, Some(change), None));
    }
    let why = format!(
        "iteration {undoing} reverted {:.0}% of iteration {undone}'s changed lines ({} of {}), over {:.0}%",
        revert.share * 100.0,
        revert.restored_lines,
        revert.previous_lines,
        REVERT_SHARE * 100.0
    );
    let data = json!({"iteration": undoing, "reverted": undone, "revert": revert, "reason": why});
    super::record::event(conn, &rc.bus, &rc.task, undoing, "oscillation", data).await?;
    let data = json!({"decision": Decision::Escalate, "agent": "cfn", "reason": why});
    super::record::event(conn, &rc.bus, &rc.task, undoing, "decision", data).await?;
    rc.bus.signal_send(&rc.task, "decision", Decision::Escalate.as_str()).await?;
    Ok((tree, Some(change), Some(why)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items.iter().map(|(p, l)| (p.to_string(), l.to_string())).collect()
    }

    #[test]
    fn undoing_the_previous_change_oscillates_and_building_on_it_does_not() {
        let previous = LineChanges {
            removed: lines(&[("a.rs", "let x = 1;")]),
            added: lines(&[("a.rs", "let x = 2;"), ("a.rs", "log(x);"), ("b.rs", "fn f() {}")]),
        };
        let undo = LineChanges {
            removed: lines(&[("a.rs", "let x = 2;"), ("a.rs", "log(x);"), ("b.rs", "fn f() {}")]),
            added: lines(&[("a.rs", "let x = 1;")]),
        };
        let r = revert_of(&previous, &undo);
        assert_eq!((r.previous_lines, r.restored_lines, r.share), (4, 4, 1.0));
        assert!(r.oscillates());
        let onward =
            LineChanges { removed: lines(&[("a.rs", "log(x);")]), added: lines(&[("a.rs", "log(x, y);")]) };
        let r = revert_of(&previous, &onward);
        assert_eq!((r.restored_lines, r.share), (1, 0.25));
        assert!(!r.oscillates());
        let same_text_elsewhere = LineChanges { removed: lines(&[("c.rs", "let x = 2;")]), added: vec![] };
        assert_eq!(revert_of(&previous, &same_text_elsewhere).restored_lines, 0, "per file");
        assert!(!revert_of(&LineChanges::default(), &undo).oscillates(), "nothing to revert");
    }
}
