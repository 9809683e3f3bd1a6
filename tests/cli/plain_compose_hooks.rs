//! The git hooks keep plain `docker compose` in a worktree current: after a checkout of another
//! commit and after a merge that change the base compose files, the `.env` block and the reset
//! override follow.

use crate::harness::*;
use crate::plain_compose::{
    hostile_compose, parsed, path_of, plain, published_and_named, repo, worktree, BEGIN, V2,
};
use std::path::Path;

/// git as the user's shell runs it, with compose v2 for cfn's hooks.
fn user_git(sb: &Sandbox, dir: &Path, args: &[&str]) {
    user_git_with(sb, dir, args, &[("CFN_COMPOSE", "docker compose")]);
}

#[test]
fn the_git_hooks_keep_the_block_current_when_the_base_files_change() {
    if !require(compose_available(V2), "docker compose") {
        return;
    }
    let sb = Sandbox::new();
    let root = repo(&sb, "hooked", &hostile_compose("hooked", 50379, 50080, 5), &[(".gitignore", ".env\n")]);
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    let (v, _) = worktree(&sb, &root, "feat", V2);
    let wt = path_of(&v);
    let compose = std::fs::read_to_string(root.join("docker-compose.yml")).unwrap();
    // branch `other`: web gets a fixed container_name; branch `more`: a new service with one
    user_git(&sb, &root, &["checkout", "-q", "-b", "other"]);
    let other = compose.replace("    build: ./app\n", "    build: ./app\n    container_name: fixed-web\n");
    std::fs::write(root.join("docker-compose.yml"), &other).unwrap();
    user_git(&sb, &root, &["commit", "-qam", "fixed web name"]);
    user_git(&sb, &root, &["checkout", "-q", "-b", "more"]);
    let more = other.replace(
        "volumes:\n  data:",
        "  worker:\n    image: cfn-test/app:1\n    container_name: fixed-worker\nvolumes:\n  data:",
    );
    std::fs::write(root.join("docker-compose.yml"), &more).unwrap();
    user_git(&sb, &root, &["commit", "-qam", "a worker"]);
    user_git(&sb, &root, &["checkout", "-q", "main"]);

    let names = |dir: &Path| {
        let cfg = parsed(&plain(dir, V2, &["config"]), "docker compose config");
        published_and_named(&cfg).into_iter().filter(|s| s.starts_with("container")).collect::<Vec<_>>()
    };
    user_git(&sb, &wt, &["checkout", "-q", "other"]);
    assert_eq!(names(&wt), Vec::<String>::new(), "post-checkout rendered the reset of web's name");
    user_git(&sb, &wt, &["merge", "-q", "--ff-only", "more"]);
    assert_eq!(names(&wt), Vec::<String>::new(), "post-merge rendered the reset of worker's name");
    assert!(!std::fs::read_to_string(root.join(".gitignore")).unwrap().contains(BEGIN));
    assert!(!root.join(".env").exists(), "the main checkout gets no block");
}
