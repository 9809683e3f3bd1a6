//! cfn's git hooks are installed where git looks for them, and executable. Without them a plain
//! `git worktree add` gets no ports or rendered files, and merged migrations go unannounced, so
//! a missing hook warns.

use super::Check;
use crate::git_hooks;
use std::path::Path;

pub fn checks(main_root: &Path) -> Vec<Check> {
    let states = match git_hooks::status(main_root) {
        Ok(states) => states,
        Err(e) => {
            return vec![Check::warn(
                "hooks",
                format!("cannot read the git hooks: {e:#}"),
                "check that `git rev-parse --git-path hooks` works here",
            )]
        }
    };
    let missing: Vec<&str> = states.iter().filter(|s| !s.installed).map(|s| s.hook.as_str()).collect();
    let inert: Vec<&str> = states
        .iter()
        .filter(|s| s.installed && !git_hooks::is_executable(Path::new(&s.path)))
        .map(|s| s.hook.as_str())
        .collect();
    let outdated: Vec<&str> = states.iter().filter(|s| s.outdated).map(|s| s.hook.as_str()).collect();
    let mut out = Vec::new();
    if !outdated.is_empty() {
        out.push(Check::warn(
            "hooks",
            format!("git hooks written by an older cfn: {}", outdated.join(", ")),
            "`cfn hooks install` (or `cfn doctor --fix`) writes the current ones",
        ));
    }
    if !missing.is_empty() {
        out.push(Check::warn(
            "hooks",
            format!("git hooks not installed: {}", missing.join(", ")),
            "`cfn hooks install` (or `cfn doctor --fix`) installs them, chaining any hook already there",
        ));
    }
    if !inert.is_empty() {
        out.push(Check::warn(
            "hooks",
            format!("git hooks not executable, so git skips them: {}", inert.join(", ")),
            "`cfn hooks install` (or `cfn doctor --fix`) writes them again",
        ));
    }
    if out.is_empty() {
        out.push(Check::ok("hooks", format!("git hooks installed: {}", git_hooks::HOOKS.join(", "))));
    }
    out
}

/// Whether `fix` should install the hooks.
pub fn need_install(main_root: &Path) -> bool {
    checks(main_root).iter().any(|c| c.status != super::Status::Ok)
}
