//! What must hold after any crash once `cfn doctor --fix` has run: the registry, `git worktree
//! list`, git's administrative entries, the branches and the directories on disk agree, and no
//! operation is left unfinished or lock file left behind. Shared by the crash-point tests and
//! the soak test.

use crate::harness::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// `cfn` started in the background (for signals and kills), in a process group of its own.
pub fn spawn_cfn(sb: &Sandbox, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Child {
    use std::os::unix::process::CommandExt as _;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cfn"));
    cmd.current_dir(dir).args(args).envs(hermetic_env(&sb.home, sb.path())).envs(env.iter().copied());
    cmd.env_remove("CFN_COMPOSE").env_remove("CFN_CRASH_AT");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).process_group(0);
    cmd.spawn().expect("spawn cfn")
}

/// Sends `signal` (`-KILL`, `-INT`, ...) to a process, or with `group` to its process group.
pub fn kill(pid: u32, signal: &str, group: bool) {
    let target = if group { format!("-{pid}") } else { pid.to_string() };
    let _ = Command::new("kill").args([signal, "--", &target]).stderr(Stdio::null()).status();
}

/// Registered worktrees of the sandbox: (branch, path, unfinished operation).
pub fn rows(sb: &Sandbox) -> Vec<(String, PathBuf, Option<String>)> {
    let db = sb.db();
    let mut stmt = db.prepare("SELECT branch, path, operation FROM worktrees ORDER BY branch").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, PathBuf::from(r.get::<_, String>(1)?), r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Linked worktrees git lists: (branch, path).
pub fn git_worktrees(root: &Path) -> BTreeSet<(String, PathBuf)> {
    let out = git(root, &["worktree", "list", "--porcelain", "-z"]);
    let mut list = BTreeSet::new();
    for entry in out.split("\0\0").skip(1).filter(|e| !e.is_empty()) {
        let mut path = PathBuf::new();
        let mut branch = String::from("(detached)");
        for field in entry.split('\0') {
            if let Some(p) = field.strip_prefix("worktree ") {
                path = PathBuf::from(p);
            } else if let Some(b) = field.strip_prefix("branch refs/heads/") {
                branch = b.to_string();
            }
        }
        list.insert((branch, path));
    }
    list
}

/// Runs `cfn doctor --fix` until no operation is left unfinished and git has no entry of its
/// own left over (a killed cfn's git may still be finishing its part for a moment: the
/// operation stays owned until it has; an entry a killed git left half-made is removed once it
/// is a few seconds old).
pub fn doctor_fix(sb: &Sandbox, root: &Path) -> String {
    let mut log = String::new();
    for _ in 0..20 {
        let out = sb.cfn(root, &["doctor", "--fix"]).output().unwrap();
        log.push_str(&stderr(&out));
        let half_made = std::fs::read_dir(root.join(".git/worktrees"))
            .map(|d| d.flatten().filter(|e| !has_gitdir(&e.path())).count())
            .unwrap_or(0);
        if rows(sb).iter().all(|r| r.2.is_none()) && half_made == 0 {
            return log;
        }
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    panic!("operations still unfinished after doctor --fix: {:?}\n{log}", rows(sb));
}

fn has_gitdir(entry: &Path) -> bool {
    std::fs::read_to_string(entry.join("gitdir")).is_ok_and(|t| !t.trim().is_empty())
}

/// Registry, git, disk and branches agree. `branches`: the branch names the test used; each
/// must exist exactly when it has a worktree (the tests create them only through `add`).
pub fn assert_consistent(sb: &Sandbox, root: &Path, branches_used: &[&str]) {
    let rows = rows(sb);
    assert!(rows.iter().all(|r| r.2.is_none()), "unfinished operations: {rows:?}");
    let registered: BTreeSet<(String, PathBuf)> = rows.iter().map(|r| (r.0.clone(), r.1.clone())).collect();
    assert_eq!(registered, git_worktrees(root), "registry and `git worktree list` differ");
    for (branch, path) in &registered {
        assert!(path.join(".git").is_file(), "{branch}: no .git in {}", path.display());
        assert!(path.join(".cfn/env").is_file(), "{branch}: no rendered .cfn/env");
    }
    let admin = std::fs::read_dir(root.join(".git/worktrees")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(admin, registered.len(), "entries in .git/worktrees: {admin}");
    let repo_name = root.file_name().unwrap().to_string_lossy().into_owned();
    for entry in std::fs::read_dir(sb.path()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{repo_name}-")) {
            assert!(
                registered.iter().any(|(_, p)| p == &entry.path()),
                "directory {name} is on disk but not registered"
            );
        }
    }
    let orphan_leases =
        sb.count("SELECT COUNT(*) FROM leases WHERE worktree_id NOT IN (SELECT id FROM worktrees)");
    assert_eq!(orphan_leases, 0, "leases without a worktree");
    let unleased =
        sb.count("SELECT COUNT(*) FROM worktrees WHERE id NOT IN (SELECT worktree_id FROM leases)");
    assert_eq!(unleased, 0, "worktrees without leases");
    let locks: Vec<String> = std::fs::read_dir(sb.home.join("ops"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    assert!(locks.is_empty(), "operation lock files left: {locks:?}");
    let existing = branches(root);
    for b in branches_used {
        let has_row = registered.iter().any(|(rb, _)| rb == b);
        assert_eq!(
            existing.contains(&b.to_string()),
            has_row,
            "branch {b} exists: {}, registered: {has_row}",
            !has_row
        );
    }
}

/// The branch can be added and removed again (and is gone afterwards).
pub fn assert_reusable(sb: &Sandbox, root: &Path, branch: &str) {
    if !rows(sb).iter().any(|r| r.0 == branch) {
        let out = sb.cfn(root, &["worktree", "add", branch]).output().unwrap();
        assert!(out.status.success(), "re-add {branch}: {}", stderr(&out));
    }
    let out = sb.cfn(root, &["worktree", "remove", "--force", "--delete-branch", branch]).output().unwrap();
    assert!(out.status.success(), "remove {branch}: {}", stderr(&out));
    assert!(!rows(sb).iter().any(|r| r.0 == branch));
    assert!(!branches(root).contains(&branch.to_string()));
}
