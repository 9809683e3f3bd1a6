//! Without any Docker engine or compose program, everything of the foundation still works.

use crate::harness::*;
use std::path::Path;

#[test]
fn everything_but_compose_works_without_docker() {
    let sb = Sandbox::new();
    // A PATH holding git only: no docker, no docker-compose.
    let bin = sb.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let git_path = which("git");
    std::os::unix::fs::symlink(&git_path, bin.join("git")).unwrap();
    let run = |dir: &Path, args: &[&str]| {
        let mut c = sb.cfn(dir, args);
        c.env("PATH", &bin).env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
        c
    };
    let root = sb.repo("shop", &[("docker-compose.yml", COMPOSE)]);
    run(&root, &["init", "--yes"]).assert().success();
    run(&root, &["worktree", "add", "feat"]).assert().success();
    run(&root, &["worktree", "list", "--json"]).assert().success();
    run(&root, &["ports", "feat", "--json"]).assert().success();
    run(&root, &["env", "feat", "--format", "shell"]).assert().success();
    let out = run(&root, &["worktree", "remove", "feat"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("could not check the stack of shop-feat") && err.contains("compose -p shop-feat down"),
        "{err}"
    );
    run(&root, &["worktree", "prune"]).assert().success();
    let out = run(&root, &["compose", "config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error: no compose program found"), "{err}");
    assert!(err.contains("hint:"));
}

fn which(program: &str) -> std::path::PathBuf {
    let paths = std::env::var_os("PATH").unwrap();
    std::env::split_paths(&paths).map(|d| d.join(program)).find(|p| p.is_file()).unwrap()
}
