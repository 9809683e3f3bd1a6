//! Oscillation: an iteration that undoes the previous one. Each iteration's change is the
//! difference between the worktree's files at its start and at the start of the next (git
//! trees, `git::snapshot_tree`), as lines removed and added per file. The current change
//! *reverts* the previous one by the share of the previous change's lines it restores: lines
//! the previous iteration added that this one removes, plus lines it removed that this one
//! adds back (counted per file and line text, each line at most once), over all the lines the
//! previous iteration changed. Above [`REVERT_SHARE`] the run stops with ESCALATE.

use crate::git::LineChanges;
use serde::Serialize;
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
