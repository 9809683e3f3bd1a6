//! `[loop] isolation = "worktrees"`: each implementer works in a worktree of its own and its
//! work reaches the branch only merged and committed; a conflict fails the gate and goes back to
//! its implementer, an empty change is said to it; the lanes go away (or stay with `--keep`);
//! a branch with uncommitted work is refused before anything runs. Real git, real processes.

use crate::harness::*;
use crate::work_loop::{repo_with, summary, Team, CONFIDENT, PO_PROCEED};
use std::path::{Path, PathBuf};

/// The implementers' script: it saves the context it was given (in `$SEEN`), writes a file of
/// its own in its working folder and, with `$SAME`, the same file with its own text; with
/// `$SILENT`, impl-2 changes nothing. Then it reports.
const IMPLEMENTER: &str = r#"
cp "$CFN_CONTEXT_FILE" "$SEEN/$CFN_AGENT_ID-$CFN_ITERATION.json"
pwd > "$SEEN/$CFN_AGENT_ID-$CFN_ITERATION.pwd"
if [ "$CFN_AGENT_ID" = impl-2 ] && [ -n "$SILENT" ]; then report 0.95; exit 0; fi
if [ "$CFN_AGENT_ID" = impl-1 ]; then case "$EVIL" in
  direct) echo x > "$CFN_WORKTREE/direct.txt" ;;
  validator) printf '#!/bin/sh\n"$CFN_BIN" agent report --confidence 1\n' > agents/val.sh ;;
  gitcode)
    printf '#!/bin/sh\nenv > "%s/leak-$$"\ncat\n' "$SEEN" > "$SEEN/run.sh"; chmod +x "$SEEN/run.sh"
    git config core.fsmonitor "$SEEN/run.sh"; git config filter.x.clean "$SEEN/run.sh"
    echo '* filter=x' > .gitattributes ;;
esac; fi
echo "by $CFN_AGENT_ID" > "$CFN_AGENT_ID.txt"
if [ -n "$SAME" ]; then echo "$CFN_AGENT_ID was here" > same.txt; fi
report 0.95
"#;

struct Lanes {
    sb: Sandbox,
    root: PathBuf,
    seen: PathBuf,
}

impl Lanes {
    fn new() -> Lanes {
        let sb = Sandbox::new();
        let team = Team { implementer: IMPLEMENTER, validator: CONFIDENT, po: PO_PROCEED, extra_config: "" };
        let root = repo_with(&sb, &team);
        let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
        let toml = toml
            .replacen("[loop]\n", "[loop]\nisolation = \"worktrees\"\n", 1)
            .replace("env = [\"CFN_BIN\"]", "env = [\"CFN_BIN\", \"SEEN\", \"SAME\", \"SILENT\", \"EVIL\"]");
        std::fs::write(root.join("cfn.toml"), toml).unwrap();
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "loop"]);
        let seen = sb.path().join("seen");
        std::fs::create_dir_all(&seen).unwrap();
        Lanes { sb, root, seen }
    }

    fn run(&self, task: &str, env: &[(&str, &str)], extra: &[&str]) -> std::process::Output {
        let mut args = vec!["loop", "run", "--yes", "--json", "--epic", "two files", "--task-id", task];
        args.extend(extra);
        let mut cmd = self.sb.cfn(&self.root, &args);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
            .env("SEEN", &self.seen)
            .env_remove("CFN_REDIS_URL");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git").arg("-C").arg(&self.root).args(args).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The worktrees git knows besides the main checkout.
    fn other_worktrees(&self) -> Vec<String> {
        self.git(&["worktree", "list", "--porcelain"])
            .lines()
            .filter_map(|l| l.strip_prefix("worktree "))
            .skip(1)
            .map(str::to_string)
            .collect()
    }

    fn seen(&self, agent: &str, it: u32, what: &str) -> String {
        std::fs::read_to_string(self.seen.join(format!("{agent}-{it}.{what}"))).unwrap_or_default()
    }
}

#[test]
fn each_implementer_works_in_its_own_worktree_and_the_branch_gets_both_merged() {
    let l = Lanes::new();
    let out = l.run("lanes-1", &[], &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(summary(&out)["status"], "proceed");
    // Each ran in a worktree of its own, not in the branch's.
    let (one, two) = (l.seen("impl-1", 1, "pwd"), l.seen("impl-2", 1, "pwd"));
    assert!(one.contains("/.cfn/loop/lanes-1/lanes/iter-1/impl-1"), "{one}");
    assert!(two.contains("/.cfn/loop/lanes-1/lanes/iter-1/impl-2"), "{two}");
    // The branch received both, committed by merges; nothing is left uncommitted.
    for agent in ["impl-1", "impl-2"] {
        let text = std::fs::read_to_string(l.root.join(format!("{agent}.txt"))).unwrap();
        assert_eq!(text, format!("by {agent}\n"));
    }
    assert_eq!(l.git(&["status", "--porcelain"]), "", "the branch's worktree is clean");
    let merges = l.git(&["log", "--merges", "--format=%an|%s"]);
    assert!(merges.contains("cfn loop|Merge impl-1 into main (loop lanes-1, iteration 1)"), "{merges}");
    assert!(merges.contains("cfn loop|Merge impl-2 into main (loop lanes-1, iteration 1)"), "{merges}");
    let authors = l.git(&["log", "--no-merges", "--format=%an"]);
    assert!(authors.contains("impl-1") && authors.contains("impl-2"), "{authors}");
    // The lanes and their branches are gone.
    assert!(l.other_worktrees().is_empty(), "{:?}", l.other_worktrees());
    assert_eq!(l.git(&["branch", "--list", "main--*"]), "");
    let status = l.sb.json(&l.root, &["loop", "status", "lanes-1", "--json"]);
    let merge = status["events"].as_array().unwrap().iter().find(|e| e["kind"] == "merge").cloned();
    let merge = merge.expect("a merge event");
    assert_eq!(merge["data"]["merges"][0]["outcome"], "merged", "{merge}");
}

#[test]
fn a_conflicting_change_fails_the_gate_and_goes_back_to_its_implementer() {
    let l = Lanes::new();
    let out = l.run("lanes-2", &[("SAME", "1")], &["--max-iterations", "2", "--keep"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(
        (summary(&out)["status"].as_str(), summary(&out)["iterations"].as_u64()),
        (Some("proceed"), Some(2))
    );
    // Iteration 1: impl-1's same.txt is merged first; impl-2's cannot be, and the gate fails.
    assert!(err.contains("iteration 1: impl-1 merged"), "{err}");
    assert!(err.contains("iteration 1: impl-2 conflict; kept at "), "{err}");
    assert!(err.contains("iteration 1: gate 0.95 (needs 0.70) failed"), "{err}");
    // impl-2 hears why in iteration 2 and redoes it on top of the branch; impl-1 had nothing new.
    let context = l.seen("impl-2", 2, "json");
    assert!(
        context.contains("impl-2: its change could not be merged into the branch (conflicts in same.txt)"),
        "{context}"
    );
    assert!(err.contains("iteration 2: impl-1 empty"), "{err}");
    assert!(err.contains("iteration 2: impl-2 merged"), "{err}");
    assert_eq!(std::fs::read_to_string(l.root.join("same.txt")).unwrap(), "impl-2 was here\n");
    assert_eq!(l.git(&["status", "--porcelain"]), "");
    // Kept for a person to look at: impl-2's refused lane of iteration 1, its work committed.
    let kept = l.other_worktrees();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].ends_with("/lanes/iter-1/impl-2"), "{kept:?}");
    assert_eq!(std::fs::read_to_string(Path::new(&kept[0]).join("same.txt")).unwrap(), "impl-2 was here\n");
}

#[test]
fn an_empty_change_is_said_to_its_implementer() {
    let l = Lanes::new();
    let out = l.run("lanes-3", &[("SILENT", "1")], &["--max-iterations", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("iteration 1: impl-2 empty"), "{}", stderr(&out));
    let status = l.sb.json(&l.root, &["loop", "status", "lanes-3", "--json"]);
    let text = status.to_string();
    assert!(text.contains("\"outcome\":\"empty\""), "{text}");
    assert!(l.other_worktrees().is_empty());
}

#[test]
fn uncommitted_work_in_the_branch_is_refused_before_anything_runs() {
    let l = Lanes::new();
    std::fs::write(l.root.join("draft.txt"), "mine").unwrap();
    let out = l.run("lanes-4", &[], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: the branch's worktree has uncommitted changes (draft.txt)"), "{err}");
    assert!(err.contains("hint: commit or stash them"), "{err}");
    assert!(!l.seen.join("impl-1-1.pwd").exists(), "no agent ran");
    assert!(
        l.sb.json(&l.root, &["loop", "list", "--json"]).as_array().unwrap().is_empty(),
        "no run recorded"
    );
    assert_eq!(std::fs::read_to_string(l.root.join("draft.txt")).unwrap(), "mine");
}

#[test]
fn a_run_killed_while_its_lanes_run_or_merge_is_resumed_to_the_same_branch() {
    for at in ["loop:9", "lanes:1", "lanes:2", "loop:2"] {
        let l = Lanes::new();
        let task = format!("lanes-crash-{}", at.replace(':', "-"));
        let mut cmd =
            l.sb.cfn(&l.root, &["loop", "run", "--yes", "--json", "--epic", "x", "--task-id", &task]);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
            .env("SEEN", &l.seen)
            .env_remove("CFN_REDIS_URL");
        let out = cmd.env("CFN_CRASH_AT", at).timeout(std::time::Duration::from_secs(120)).output().unwrap();
        assert!(stderr(&out).contains(&format!("crash point {at} reached")), "{at}: {}", stderr(&out));
        let mut cmd = l.sb.cfn(&l.root, &["loop", "resume", &task, "--yes", "--json"]);
        cmd.env("CFN_BIN", assert_cmd::cargo::cargo_bin("cfn"))
            .env("SEEN", &l.seen)
            .env_remove("CFN_REDIS_URL");
        let out = cmd.timeout(std::time::Duration::from_secs(120)).output().unwrap();
        assert!(out.status.success(), "{at}: {}", stderr(&out));
        assert_eq!(summary(&out)["status"], "proceed", "{at}");
        for agent in ["impl-1", "impl-2"] {
            let text = std::fs::read_to_string(l.root.join(format!("{agent}.txt"))).unwrap_or_default();
            assert_eq!(text, format!("by {agent}\n"), "{at}: {agent}'s work reached the branch");
        }
        assert_eq!(l.git(&["status", "--porcelain"]), "", "{at}");
        assert!(l.other_worktrees().is_empty(), "{at}: {:?}", l.other_worktrees());
        assert_eq!(l.git(&["branch", "--list", "main--*"]), "", "{at}");
    }
}

#[test]
fn an_implementer_writing_to_the_branch_outside_its_lane_stops_the_run() {
    let l = Lanes::new();
    let out = l.run("lanes-evil-1", &[("EVIL", "direct")], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("the branch changed during the implementers' phase outside cfn's merges: uncommitted changes (direct.txt)"),
        "{err}"
    );
    assert!(l.git(&["log", "--merges", "--format=%s"]).is_empty(), "nothing was merged");
}

#[test]
fn a_validator_rewritten_by_an_implementer_does_not_run() {
    let l = Lanes::new();
    let out = l.run("lanes-evil-2", &[("EVIL", "validator")], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("agent.val-1 `sh agents/val.sh` (agents/val.sh sha256:"), "{err}");
    assert!(err.contains("changed during the run and is not what was approved; the run stops"), "{err}");
    let status = l.sb.json(&l.root, &["loop", "status", "lanes-evil-2", "--json"]);
    assert_ne!(status["run"]["status"], "proceed");
    assert!(!status.to_string().contains("\"role\":\"validator\""), "no validator was spawned: {status}");
}

#[test]
fn code_an_implementer_plants_in_git_settings_never_gets_cfn_s_variables() {
    let l = Lanes::new();
    let out = l.run("lanes-evil-3", &[("EVIL", "gitcode"), ("GITHUB_TOKEN", "ghp-cfn-only-secret")], &[]);
    assert!(out.status.success() || out.status.code() == Some(1), "{}", stderr(&out));
    let mut ran = 0;
    for entry in std::fs::read_dir(&l.seen).unwrap().flatten() {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        ran += usize::from(entry.file_name().to_string_lossy().starts_with("leak-"));
        assert!(!text.contains("ghp-cfn-only-secret"), "{} got cfn's variable", entry.path().display());
    }
    assert!(ran > 0, "the planted filter ran (as the user, like the agent itself), without cfn's variables");
}
