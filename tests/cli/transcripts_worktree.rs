//! Transcripts of the errors of `worktree add|remove`, `init`, `env`, `ports` and of finding
//! the repository and its cfn.toml: message, hint and exit status, exactly.

use crate::harness::*;
use crate::transcripts::{check, Filters};
use std::path::{Path, PathBuf};

fn added(sb: &Sandbox, root: &Path, branch: &str) -> PathBuf {
    let v = sb.json(root, &["worktree", "add", branch, "--json"]);
    PathBuf::from(v["path"].as_str().unwrap())
}

#[test]
fn worktree_add_twice() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    added(&sb, &root, "feat");
    check(&sb, &root, "worktree_add_twice", &["worktree", "add", "feat"]);
}

#[test]
fn worktree_add_invalid_branch_name() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    check(&sb, &root, "worktree_add_invalid_branch_name", &["worktree", "add", "a..b"]);
}

#[test]
fn worktree_add_onto_an_existing_path() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let taken = sb.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    let args = ["worktree", "add", "feat", "--path", taken.to_str().unwrap()];
    check(&sb, &root, "worktree_add_onto_an_existing_path", &args);
}

#[test]
fn worktree_add_base_for_an_existing_branch() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    git(&root, &["branch", "old"]);
    check(
        &sb,
        &root,
        "worktree_add_base_for_an_existing_branch",
        &["worktree", "add", "old", "--base", "main"],
    );
}

#[test]
fn worktree_add_path_with_a_dollar() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let path = sb.path().join("a$b");
    let args = ["worktree", "add", "feat", "--path", path.to_str().unwrap()];
    check(&sb, &root, "worktree_add_path_with_a_dollar", &args);
}

#[test]
fn worktree_remove_unknown_branch() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    check(&sb, &root, "worktree_remove_unknown_branch", &["worktree", "remove", "nope"]);
}

#[test]
fn worktree_remove_the_one_you_stand_in() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "feat");
    check(&sb, &wt, "worktree_remove_the_one_you_stand_in", &["worktree", "remove", "feat"]);
}

#[test]
fn worktree_remove_with_uncommitted_changes() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "dirty");
    std::fs::write(wt.join("docker-compose.yml"), "changed").unwrap();
    std::fs::write(wt.join("notes.txt"), "precious").unwrap();
    check(&sb, &root, "worktree_remove_with_uncommitted_changes", &["worktree", "remove", "dirty"]);
}

#[test]
fn worktree_remove_unmerged_branch() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = added(&sb, &root, "unmerged");
    std::fs::write(wt.join("new.txt"), "x").unwrap();
    git(&wt, &["add", "new.txt"]);
    git(&wt, &["commit", "-q", "-m", "work"]);
    let args = ["worktree", "remove", "unmerged", "--delete-branch"];
    check(&sb, &root, "worktree_remove_unmerged_branch", &args);
}

#[test]
fn worktree_remove_volumes_without_confirmation() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    added(&sb, &root, "feat");
    let args = ["worktree", "remove", "feat", "--volumes"];
    check(&sb, &root, "worktree_remove_volumes_without_confirmation", &args);
}

#[test]
fn init_twice() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    check(&sb, &root, "init_twice", &["init", "--yes"]);
}

#[test]
fn init_invalid_project_name() {
    let sb = Sandbox::new();
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    check(&sb, &root, "init_invalid_project_name", &["init", "--yes", "--name", "Shop!"]);
}

#[test]
fn init_in_a_plain_git_worktree_first() {
    let sb = Sandbox::new();
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    let other = sb.path().join("other");
    git(&root, &["worktree", "add", "-q", "-b", "other", other.to_str().unwrap()]);
    check(&sb, &other, "init_in_a_plain_git_worktree_first", &["init", "--yes"]);
}

#[test]
fn outside_a_git_repository() {
    let sb = Sandbox::new();
    let dir = sb.path().join("plain");
    std::fs::create_dir(&dir).unwrap();
    check(&sb, &dir, "outside_a_git_repository", &["ports"]);
}

#[test]
fn dash_c_a_missing_directory() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    check(&sb, &root, "dash_c_a_missing_directory", &["-C", "/nonexistent/cfn", "ports"]);
}

#[test]
fn no_cfn_toml() {
    let sb = Sandbox::new();
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    check(&sb, &root, "no_cfn_toml", &["ports"]);
}

#[test]
fn cfn_toml_that_is_not_toml() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let toml = root.join("cfn.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, format!("{text}\n[ports\n")).unwrap();
    check(&sb, &root, "cfn_toml_that_is_not_toml", &["ports"]);
}

#[test]
fn cfn_toml_with_a_zero_port() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let toml = root.join("cfn.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("base = 6379", "base = 0");
    std::fs::write(&toml, text).unwrap();
    check(&sb, &root, "cfn_toml_with_a_zero_port", &["worktree", "add", "feat"]);
}

#[test]
fn a_worktree_git_knows_but_cfn_does_not() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let other = sb.path().join("other");
    git(&root, &["worktree", "add", "-q", "-b", "other", other.to_str().unwrap()]);
    check(&sb, &other, "a_worktree_git_knows_but_cfn_does_not", &["env"]);
}

#[test]
fn env_of_an_unknown_branch() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    check(&sb, &root, "env_of_an_unknown_branch", &["env", "nope"]);
}

/// cfn.toml with its `ports.stride` set to `stride`.
fn with_stride(root: &Path, stride: u32) {
    let toml = root.join("cfn.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("stride = 10", &format!("stride = {stride}"));
    std::fs::write(&toml, text).unwrap();
}

#[test]
fn ports_stride_beyond_the_last_port() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    with_stride(&root, 60_000);
    check(&sb, &root, "ports_stride_beyond_the_last_port", &["worktree", "add", "feat"]);
}

#[test]
fn ports_no_free_slot() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    // Slot 1 alone fits (ports 62432, 63379, 65080), above the range of ephemeral ports, where
    // no other test's stack or connection is.
    with_stride(&root, 57_000);
    added(&sb, &root, "first");
    let out = sb.cfn(&root, &["worktree", "add", "second"]).output().unwrap();
    Filters::new(&sb).assert("ports_no_free_slot", &out);
}

#[test]
fn lock_wait_that_is_not_a_number() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    added(&sb, &root, "feat");
    let out = sb.cfn(&root, &["worktree", "remove", "feat"]).env("CFN_LOCK_WAIT", "soon").output().unwrap();
    Filters::new(&sb).assert("lock_wait_that_is_not_a_number", &out);
}
