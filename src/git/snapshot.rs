//! Snapshots of a worktree's files as git trees, and the lines that changed between two of
//! them: what the loop compares to tell an iteration that undoes the previous one.
//!
//! A snapshot is written through a scratch index (a copy of the worktree's own, so unchanged
//! files are not hashed again): every file git would add (`git add -A`, ignored files left
//! out, `.cfn/` too) becomes a tree object; no ref, commit or real index changes.

use anyhow::{Context as _, Result};
use std::path::Path;

/// The tree of `dir`'s files as they are now, built in `scratch_index` (a file cfn owns).
pub fn snapshot_tree(dir: &Path, scratch_index: &Path) -> Result<String> {
    let real = super::git_on_agents_work(dir)
        .args(["rev-parse", "--path-format=absolute", "--git-path", "index"])
        .read()?;
    let real = Path::new(real.trim());
    if real.is_file() {
        std::fs::copy(real, scratch_index).with_context(|| format!("cannot copy {}", real.display()))?;
    } else {
        let _ = std::fs::remove_file(scratch_index);
    }
    let with_index = |cmd: crate::process::Cmd| cmd.env("GIT_INDEX_FILE", scratch_index);
    with_index(super::git_on_agents_work(dir).args(["add", "-A"])).read()?;
    // cfn's own folder is not the project's files, even where no .gitignore leaves it out (an
    // exclude pathspec would fail where one does).
    with_index(super::git_on_agents_work(dir).args([
        "rm",
        "-r",
        "-q",
        "--cached",
        "--ignore-unmatch",
        "--",
        ".cfn",
    ]))
    .read()?;
    let tree = with_index(super::git_on_agents_work(dir).arg("write-tree")).read()?;
    // git writes its index with the umask's mode; it lists every file of the worktree
    std::fs::set_permissions(scratch_index, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .with_context(|| format!("cannot make {} private", scratch_index.display()))?;
    Ok(tree.trim().to_string())
}

/// Lines removed and added between two trees, each as (path, line).
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LineChanges {
    pub removed: Vec<(String, String)>,
    pub added: Vec<(String, String)>,
}

/// What changed from tree `from` to tree `to` (text files; renames as delete and add).
pub fn changed_lines(dir: &Path, from: &str, to: &str) -> Result<LineChanges> {
    let diff = super::git_on_agents_work(dir)
        .args(["diff", "--no-color", "--no-ext-diff", "--no-renames", "--no-textconv", "-U0", from, to])
        .read()?;
    Ok(parse_diff(&diff))
}

/// Parses `git diff -U0`: the file comes from each `diff --git` header's `+++`/`---` lines,
/// content lines only inside hunks (so a content line `++x` is not taken for a header).
fn parse_diff(diff: &str) -> LineChanges {
    let mut changes = LineChanges::default();
    let (mut old, mut new) = (String::new(), String::new());
    let mut in_hunk = false;
    for line in diff.lines() {
        if line.starts_with("diff --git ") {
            in_hunk = false;
            (old, new) = (String::new(), String::new());
        } else if !in_hunk && line.starts_with("--- ") {
            old = path_of(&line[4..], "a/");
        } else if !in_hunk && line.starts_with("+++ ") {
            new = path_of(&line[4..], "b/");
        } else if line.starts_with("@@") {
            in_hunk = true;
        } else if in_hunk {
            if let Some(text) = line.strip_prefix('-') {
                changes.removed.push((old.clone(), text.to_string()));
            } else if let Some(text) = line.strip_prefix('+') {
                changes.added.push((new.clone(), text.to_string()));
            }
        }
    }
    changes
}

/// `a/src/x.rs` → `src/x.rs`; `/dev/null` stays.
fn path_of(text: &str, prefix: &str) -> String {
    text.strip_prefix(prefix).unwrap_or(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real git: the snapshot sees tracked and untracked changes, leaves out ignored files and
    /// `.cfn/`, and leaves the worktree's own index as it was.
    #[test]
    fn snapshots_see_the_files_and_leave_the_index_alone() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path();
        let git = |args: &[&str]| super::super::git_on_agents_work(repo).args(args).read().unwrap();
        git(&["init", "-q"]);
        std::fs::write(repo.join("a.txt"), "one\ntwo\n").unwrap();
        std::fs::write(repo.join(".gitignore"), "*.log\n").unwrap();
        git(&["add", "-A"]);
        git(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "a"]);
        let scratch = repo.join(".git/cfn-scratch-index");
        let before = snapshot_tree(repo, &scratch).unwrap();
        std::fs::write(repo.join("a.txt"), "one\nTWO\n").unwrap();
        std::fs::write(repo.join("new.txt"), "fresh\n").unwrap();
        std::fs::write(repo.join("noise.log"), "ignored\n").unwrap();
        std::fs::create_dir(repo.join(".cfn")).unwrap();
        std::fs::write(repo.join(".cfn/env"), "CFN=1\n").unwrap();
        let status_before = git(&["status", "--porcelain"]);
        let after = snapshot_tree(repo, &scratch).unwrap();
        let c = changed_lines(repo, &before, &after).unwrap();
        assert_eq!(c.removed, vec![("a.txt".to_string(), "two".to_string())]);
        assert_eq!(
            c.added,
            vec![("a.txt".to_string(), "TWO".to_string()), ("new.txt".to_string(), "fresh".to_string())]
        );
        assert_eq!(git(&["status", "--porcelain"]), status_before, "the real index is untouched");
        assert_eq!(snapshot_tree(repo, &scratch).unwrap(), after, "the same files, the same tree");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&scratch).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the scratch index lists the worktree's files: private");
    }

    #[test]
    fn hunks_hold_the_content_even_when_it_looks_like_a_header() {
        let diff = "diff --git a/x.txt b/x.txt\nindex 1..2 100644\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-old\n+++new\n\
                    diff --git a/y b/y\nnew file mode 100644\n--- /dev/null\n+++ b/y\n@@ -0,0 +1,2 @@\n+one\n+--two\n";
        let c = parse_diff(diff);
        assert_eq!(c.removed, vec![("x.txt".to_string(), "old".to_string())]);
        assert_eq!(
            c.added,
            vec![("x.txt".into(), "++new".into()), ("y".into(), "one".into()), ("y".into(), "--two".into())]
        );
    }
}
