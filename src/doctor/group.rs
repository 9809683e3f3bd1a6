//! Merging per-checkout lines for a person to read: at 200 worktrees, 200 lines saying "redis
//! of bN: not running" hide the one line that matters. Checks of one checkout that say the same
//! (same check, status and detail) are printed as one line once there are [`GROUP_AT`] of them,
//! naming a few of the checkouts; a failure is always printed on its own, and so is a warning
//! that has no hint for many checkouts at once. `--json` keeps every check as it is.

use super::{Check, Status};

/// From this many checkouts saying the same, they share one line.
pub const GROUP_AT: usize = 4;

/// How many checkouts a merged line names before "… and N more".
const NAMED: usize = 5;

/// The checks as `cfn doctor` prints them: in the same order, each merged line where the first
/// of its checks was.
pub fn for_display(checks: &[Check]) -> Vec<Check> {
    let keys: Vec<Option<(&str, Status, &str)>> = checks
        .iter()
        .map(|c| {
            let g = c.group.as_ref()?;
            let mergeable = c.status == Status::Ok || (c.status == Status::Warn && g.hint.is_some());
            mergeable.then_some((c.name, c.status, g.detail.as_str()))
        })
        .collect();
    let mut out = Vec::new();
    let mut done = vec![false; checks.len()];
    for (i, check) in checks.iter().enumerate() {
        if done[i] {
            continue;
        }
        if keys[i].is_none() {
            out.push(check.clone());
            continue;
        }
        let same: Vec<usize> = (i..checks.len()).filter(|&j| !done[j] && keys[j] == keys[i]).collect();
        if same.len() < GROUP_AT {
            out.push(check.clone());
            done[i] = true;
            continue;
        }
        let branches: Vec<&str> =
            same.iter().filter_map(|&j| checks[j].group.as_ref()).map(|g| g.branch.as_str()).collect();
        for &j in &same {
            done[j] = true;
        }
        let group = check.group.as_ref().expect("keyed checks have a group");
        out.push(Check {
            name: check.name,
            status: check.status,
            message: format!("{} checkouts ({}): {}", branches.len(), named(&branches), group.detail),
            hint: if check.status == Status::Ok { None } else { group.hint.clone() },
            group: None,
        });
    }
    out
}

/// `main, b1, b2, b3, b4 and 196 more`.
fn named(branches: &[&str]) -> String {
    if branches.len() <= NAMED + 1 {
        return branches.join(", ");
    }
    format!("{} and {} more", branches[..NAMED].join(", "), branches.len() - NAMED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn down(branch: &str) -> Check {
        Check::ok("redis", format!("redis of {branch}: not running")).of_checkout(branch, "not running", None)
    }

    fn pending(branch: &str, many_hint: Option<&str>) -> Check {
        Check::warn("migrations", format!("{branch}: 1 migration pending"), format!("migrate in {branch}"))
            .of_checkout(branch, "1 migration pending", many_hint)
    }

    #[test]
    fn many_checkouts_saying_the_same_share_one_line_in_place() {
        let mut checks = vec![Check::ok("config", "valid")];
        checks.extend((1..=200).map(|i| down(&format!("b{i}"))));
        checks.push(Check::fail("redis", "redis of x: refused while its stack runs", "see its logs"));
        checks.extend((1..=200).map(|i| pending(&format!("b{i}"), Some("migrate in each"))));
        let shown = for_display(&checks);
        let lines: Vec<(&str, &str)> = shown.iter().map(|c| (c.name, c.message.as_str())).collect();
        assert_eq!(
            lines,
            [
                ("config", "valid"),
                ("redis", "200 checkouts (b1, b2, b3, b4, b5 and 195 more): not running"),
                ("redis", "redis of x: refused while its stack runs"),
                ("migrations", "200 checkouts (b1, b2, b3, b4, b5 and 195 more): 1 migration pending"),
            ]
        );
        assert_eq!(shown[1].hint, None);
        assert_eq!(shown[3].hint.as_deref(), Some("migrate in each"));
        assert_eq!(shown[3].status, Status::Warn);
    }

    #[test]
    fn few_checkouts_and_warnings_without_a_common_hint_keep_their_own_lines() {
        let few: Vec<Check> = (1..GROUP_AT).map(|i| down(&format!("b{i}"))).collect();
        assert_eq!(for_display(&few).len(), GROUP_AT - 1);
        let warns: Vec<Check> = (1..=10).map(|i| pending(&format!("b{i}"), None)).collect();
        let shown = for_display(&warns);
        assert_eq!(shown.len(), 10);
        assert_eq!(shown[0].hint.as_deref(), Some("migrate in b1"));
        let six: Vec<&str> = vec!["a", "b", "c", "d", "e", "f"];
        assert_eq!(named(&six), "a, b, c, d, e, f");
    }
}
