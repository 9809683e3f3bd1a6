//! Branch names git accepts but compose does not, and names git rejects.

use crate::harness::*;
use std::collections::HashSet;

#[test]
fn awkward_branch_names_get_valid_distinct_project_names() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let long = format!("feature/{}", "very-long-name-".repeat(13));
    assert!(long.len() >= 200);
    let names = ["Feature/Auth_V2", "feature/auth_v2", "fix/ünïcode", long.as_str(), "it's-#1", "$HOME#1"];
    let mut projects = HashSet::new();
    let mut paths = HashSet::new();
    for name in names {
        let v = sb.json(&root, &["worktree", "add", name, "--json"]);
        let project = v["project"].as_str().unwrap().to_string();
        let valid = project.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            && project.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        assert!(valid, "{name:?} gave invalid project name {project:?}");
        assert!(project.len() <= 64, "{project}");
        assert!(projects.insert(project.clone()), "{name:?} reused {project}");
        assert!(paths.insert(v["path"].as_str().unwrap().to_string()));
        let env = sb.json(&root, &["env", name, "--format", "json"]);
        assert_eq!(env["WORKTREE_BRANCH"], name, "branch survives the env file verbatim");
        assert_eq!(env["COMPOSE_PROJECT_NAME"], project.as_str());
    }
}

#[test]
fn branch_names_with_one_slug_get_distinct_hostnames() {
    let sb = Sandbox::new();
    let root = sb.shop("shopslug");
    let mut host_urls = HashSet::new();
    for name in ["Feature/Auth_V2", "feature/auth_v2"] {
        sb.cfn(&root, &["worktree", "add", name]).assert().success();
        let env = sb.json(&root, &["env", "-b", name, "--format", "json"]);
        let urls: Vec<String> = env
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.ends_with("_HOST_URL"))
            .map(|(_, v)| v.as_str().unwrap().to_string())
            .collect();
        assert!(!urls.is_empty(), "{env}");
        for url in urls {
            assert!(host_urls.insert(url.clone()), "{name}: {url} is another branch's");
        }
    }
}

#[test]
fn names_git_rejects_give_one_line_and_leave_no_trace() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let before: Vec<_> = std::fs::read_dir(sb.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    let too_long = "x".repeat(300);
    for name in ["bad..name", "-x", "a b", "x~1", "HEAD", too_long.as_str()] {
        let out = sb.cfn(&root, &["worktree", "add", "--", name]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.starts_with("error: not a valid branch name"), "{name:?}: {err}");
        assert_eq!(err.lines().filter(|l| l.starts_with("error:")).count(), 1);
        assert!(err.contains("hint:"), "{err}");
    }
    let after: Vec<_> = std::fs::read_dir(sb.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(before, after, "no directory created");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 0);
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 0);
    assert_eq!(branches(&root), ["main"]);
}
