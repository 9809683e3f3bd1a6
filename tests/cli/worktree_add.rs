//! `cfn worktree add`: stable slots, and nothing left behind by a failure at any step.

use crate::harness::*;
use std::path::Path;

#[test]
fn add_remove_add_gets_the_same_ports() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let first = sb.json(&root, &["worktree", "add", "feature-auth", "--json"]);
    assert_eq!(first["branch"], "feature-auth");
    assert_eq!(first["project"], "shop-feature-auth");
    let path = first["path"].as_str().unwrap().to_string();
    assert!(Path::new(&path).join(".cfn/env").is_file());
    sb.cfn(&root, &["worktree", "remove", "feature-auth"]).assert().success();
    assert!(!Path::new(&path).exists());
    assert!(branches(&root).contains(&"feature-auth".to_string()), "branch kept");
    let again = sb.json(&root, &["worktree", "add", "feature-auth", "--json"]);
    assert_eq!(first["slot"], again["slot"]);
    assert_eq!(first["ports"], again["ports"]);
}

#[test]
fn commands_act_on_the_worktree_you_stand_in() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "feature/x", "--json"]);
    let wt = Path::new(v["path"].as_str().unwrap()).to_path_buf();
    let here = sb.json(&wt, &["ports", "--json"]);
    assert_eq!(here["branch"], "feature/x");
    assert_eq!(here["ports"], v["ports"]);
    let named = sb.json(&root, &["ports", "feature/x", "--json"]);
    assert_eq!(named["ports"], v["ports"]);
    // From a subdirectory of the worktree too.
    let sub = wt.join("deep/inside");
    std::fs::create_dir_all(&sub).unwrap();
    let env = sb.json(&sub, &["env", "--format", "json"]);
    assert_eq!(env["WORKTREE_BRANCH"], "feature/x");
    assert_eq!(env["COMPOSE_PROJECT_NAME"], v["project"]);
    assert_eq!(env["CFN_REDIS_PORT"], v["ports"]["redis"].to_string());
}

fn assert_no_trace(sb: &Sandbox, root: &Path, branch: &str, dir: &Path) {
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0, "registry row left");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0, "lease left");
    assert!(!dir.exists(), "directory left: {}", dir.display());
    assert!(!branches(root).contains(&branch.to_string()), "branch left");
    assert_eq!(git(root, &["worktree", "list", "--porcelain"]).matches("worktree ").count(), 1);
}

#[test]
fn failure_when_the_target_path_exists_leaves_nothing() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let taken = sb.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    std::fs::write(taken.join("keep"), "mine").unwrap();
    let out =
        sb.cfn(&root, &["worktree", "add", "feat", "--path", taken.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(taken.join("keep")).unwrap(), "mine", "existing directory untouched");
    assert_no_trace(&sb, &root, "feat", &sb.path().join("nonexistent"));
}

#[test]
fn failure_when_a_template_fails_leaves_nothing() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    std::fs::create_dir(root.join("cfn-templates")).unwrap();
    std::fs::write(root.join("cfn-templates/env.j2"), "X={{ no_such_value }}\n").unwrap();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(
        root.join("cfn.toml"),
        toml.replace("[project]\n", "[project]\ntemplates_dir = \"cfn-templates\"\n"),
    )
    .unwrap();
    let dir = sb.path().join("deep/nested/wt");
    let out = sb.cfn(&root, &["worktree", "add", "feat", "--path", dir.to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("env.j2"), "{}", stderr(&out));
    assert_no_trace(&sb, &root, "feat", &sb.path().join("deep"));
}

#[test]
fn failure_when_git_fails_leaves_nothing() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out = sb.cfn(&root, &["worktree", "add", "feat", "--base", "no-such-revision"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("git could not create the worktree"), "{}", stderr(&out));
    assert_no_trace(&sb, &root, "feat", &sb.path().join("shop-feat"));
}

#[test]
fn an_existing_branch_is_checked_out_not_recreated() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    git(&root, &["branch", "existing"]);
    let v = sb.json(&root, &["worktree", "add", "existing", "--json"]);
    let wt = Path::new(v["path"].as_str().unwrap());
    assert_eq!(git(wt, &["rev-parse", "--abbrev-ref", "HEAD"]).trim(), "existing");
    sb.cfn(&root, &["worktree", "remove", "existing"]).assert().success();
    assert!(branches(&root).contains(&"existing".to_string()));
    let out = sb.cfn(&root, &["worktree", "add", "existing", "--base", "main"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--base with an existing branch is a usage error");
}

#[test]
fn adding_a_registered_branch_twice_is_refused() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    sb.cfn(&root, &["worktree", "add", "twice"]).assert().success();
    let out = sb.cfn(&root, &["worktree", "add", "twice"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already has a worktree"));
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1);
}

#[test]
fn prune_releases_leases_of_deleted_worktrees() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let v = sb.json(&root, &["worktree", "add", "gone", "--json"]);
    std::fs::remove_dir_all(v["path"].as_str().unwrap()).unwrap();
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 3);
    let pruned = sb.json(&root, &["worktree", "prune", "--json"]);
    assert_eq!(pruned.as_array().unwrap().len(), 1);
    assert_eq!(pruned[0]["branch"], "gone");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0);
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
}
