//! A repository's `project.worktree_dir` decides where git writes the branch's committed files:
//! one other than the default goes under the trust rule, and a hidden folder (`~/.ssh`,
//! `~/.config`) is refused even once trusted. Nothing is created before that.

use crate::harness::*;
use std::path::{Path, PathBuf};

/// A repository whose committed files would be dangerous in the wrong folder, with `worktree_dir`.
fn repo(sb: &Sandbox, worktree_dir: &str) -> PathBuf {
    let root = sb.repo(
        "wdshop",
        &[("docker-compose.yml", COMPOSE), ("authorized_keys", "ssh-ed25519 AAAA attacker\n")],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    set_worktree_dir(&root, worktree_dir);
    root
}

fn set_worktree_dir(root: &Path, value: &str) {
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let toml = match toml.lines().find(|l| l.starts_with("worktree_dir")) {
        Some(line) => toml.replace(line, &format!("worktree_dir = {value:?}")),
        None => toml.replacen("[project]\n", &format!("[project]\nworktree_dir = {value:?}\n"), 1),
    };
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
}

fn nothing_created(sb: &Sandbox, root: &Path) {
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0, "no row");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0, "no lease");
    assert_eq!(branches(root), ["main"], "no branch");
}

#[test]
fn an_untrusted_worktree_dir_creates_nothing_and_a_hidden_one_is_refused_even_trusted() {
    let sb = Sandbox::new();
    let root = repo(&sb, "../h/.ssh");
    let ssh = sb.path().join("h/.ssh");

    let out = sb.cfn(&root, &["worktree", "add", "y"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error: not trusted: worktree_dir `../h/.ssh`"), "{err}");
    assert!(err.contains("hint: review what it runs with `cfn trust`"), "{err}");
    assert!(!sb.path().join("h").exists(), "nothing created");
    nothing_created(&sb, &root);

    // `cfn trust` lists it; approving it still does not let a checkout into a hidden folder.
    let items = sb.cfn(&root, &["trust", "--json"]).output().unwrap();
    let items: serde_json::Value = serde_json::from_slice(&items.stdout).unwrap();
    let item = items.as_array().unwrap().iter().find(|i| i["kind"] == "worktree_dir").unwrap();
    assert_eq!(
        (&item["runs"], &item["trusted"]),
        (&serde_json::json!(["../h/.ssh"]), &serde_json::json!(false))
    );
    sb.cfn(&root, &["trust", "--yes"]).assert().success();
    let out = sb.cfn(&root, &["worktree", "add", "y", "--yes"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("error: project.worktree_dir \"../h/.ssh\" puts the worktree in a hidden folder (.ssh"),
        "{err}"
    );
    assert!(err.contains("hint: "), "{err}");
    assert!(!ssh.join("authorized_keys").exists() && !ssh.exists(), "nothing created");
    nothing_created(&sb, &root);

    // `~` is no home folder to cfn, and `.config` below it is hidden all the same.
    set_worktree_dir(&root, "~/.config/systemd/user");
    let out = sb.cfn(&root, &["worktree", "add", "y", "--yes"]).output().unwrap();
    assert!(stderr(&out).contains("puts the worktree in a hidden folder (.config"), "{}", stderr(&out));
    nothing_created(&sb, &root);
}

#[test]
fn a_changed_worktree_dir_is_asked_about_again_and_the_default_needs_no_approval() {
    let sb = Sandbox::new();
    let root = repo(&sb, "../wt/{{ project_name }}");
    let out = sb.cfn(&root, &["worktree", "add", "a"]).output().unwrap();
    assert!(
        stderr(&out).contains("not trusted: worktree_dir `\"../wt/{{ project_name }}\"`"),
        "{}",
        stderr(&out)
    );
    nothing_created(&sb, &root);
    // --yes approves it, as it does the post_create hooks
    sb.cfn(&root, &["worktree", "add", "a", "--yes"]).assert().success();
    assert!(sb.path().join("wt/wdshop-a/authorized_keys").is_file());
    sb.cfn(&root, &["worktree", "add", "b"]).assert().success();

    // a new place is a new item
    set_worktree_dir(&root, "../bin");
    let out = sb.cfn(&root, &["worktree", "add", "c"]).output().unwrap();
    assert!(stderr(&out).contains("not trusted: worktree_dir `../bin`"), "{}", stderr(&out));
    assert!(!sb.path().join("bin").exists());

    // the default, written out or left out, and a --path of the user's own are not asked about
    set_worktree_dir(&root, "../{{ project_name }}");
    sb.cfn(&root, &["worktree", "add", "d"]).assert().success();
    assert!(sb.path().join("wdshop-d").is_dir());
    set_worktree_dir(&root, "../bin");
    sb.cfn(&root, &["worktree", "add", "e", "--path", "../mine-e"]).assert().success();
    assert!(sb.path().join("mine-e").is_dir());
}

#[test]
fn a_committed_link_does_not_carry_a_trusted_worktree_dir_into_a_hidden_folder() {
    let sb = Sandbox::new();
    let root = repo(&sb, "evil/{{ branch_slug }}");
    let ssh = sb.path().join("h/.ssh");
    std::fs::create_dir_all(&ssh).unwrap();
    std::os::unix::fs::symlink(&ssh, root.join("evil")).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "link"]);
    let out = sb.cfn(&root, &["worktree", "add", "y", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("puts the worktree in a hidden folder (.ssh in"), "{}", stderr(&out));
    assert_eq!(std::fs::read_dir(&ssh).unwrap().count(), 0, "nothing written through the link");
    nothing_created(&sb, &root);
}
