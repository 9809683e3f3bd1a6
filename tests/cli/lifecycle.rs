//! Project lifecycle hooks run only once approved (per exact command), and git-ignored files
//! are copied into new worktrees with their ports rewritten.

use crate::harness::*;
use std::path::{Path, PathBuf};

fn with_hooks(sb: &Sandbox, hooks: &str) -> PathBuf {
    let root = sb.shop("shop");
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), format!("{toml}\n[hooks]\n{hooks}")).unwrap();
    root
}

fn post_create_marker(sb: &Sandbox, tag: &str) -> String {
    format!("post_create = [[\"sh\", \"-c\", \"echo {tag} >> '{}'\"]]", sb.path().join("ran").display())
}

fn ran(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.path().join("ran")).unwrap_or_default()
}

#[test]
fn an_unapproved_hook_is_skipped_with_a_hint_then_runs_once_approved() {
    let sb = Sandbox::new();
    let root = with_hooks(&sb, &post_create_marker(&sb, "v1"));
    let out = sb.cfn(&root, &["worktree", "add", "a"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("cfn trust"), "{}", stderr(&out));
    assert_eq!(ran(&sb), "", "not run before approval");

    let out = sb.cfn(&root, &["hooks", "approve"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "no terminal: lists, does not approve");
    sb.cfn(&root, &["hooks", "approve", "--yes"]).assert().success();
    sb.cfn(&root, &["worktree", "add", "b"]).assert().success();
    assert_eq!(ran(&sb), "v1\n", "runs after approval");

    // A changed command is asked about again.
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replace("echo v1", "echo v2");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let out = sb.cfn(&root, &["worktree", "add", "c"]).output().unwrap();
    assert!(stderr(&out).contains("skipped untrusted post_create"), "{}", stderr(&out));
    assert_eq!(ran(&sb), "v1\n");
    // --yes approves for scripts.
    sb.cfn(&root, &["worktree", "add", "d", "--yes"]).assert().success();
    assert_eq!(ran(&sb), "v1\nv2\n");
    sb.cfn(&root, &["worktree", "add", "e"]).assert().success();
    assert_eq!(ran(&sb), "v1\nv2\nv2\n", "remembered");
}

#[test]
fn a_failing_pre_remove_hook_vetoes_the_removal() {
    let sb = Sandbox::new();
    let root = with_hooks(&sb, "pre_remove = [[\"sh\", \"-c\", \"exit 3\"]]");
    let v = sb.json(&root, &["worktree", "add", "keep", "--json"]);
    let out = sb.cfn(&root, &["worktree", "remove", "keep", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("pre_remove hook"), "{}", stderr(&out));
    assert!(Path::new(v["path"].as_str().unwrap()).is_dir(), "vetoed: worktree kept");
    assert_eq!(sb.count("SELECT COUNT(*) FROM leases"), 3);
}

#[test]
fn hooks_get_the_branch_environment() {
    let sb = Sandbox::new();
    let out_file = sb.path().join("env-seen");
    let hook = format!(
        "post_create = [[\"sh\", \"-c\", \"echo $WORKTREE_BRANCH $CFN_REDIS_PORT $CFN_HOOK > '{}'\"]]",
        out_file.display()
    );
    let root = with_hooks(&sb, &hook);
    let v = sb.json(&root, &["worktree", "add", "envy", "--yes", "--json"]);
    let seen = std::fs::read_to_string(out_file).unwrap();
    assert_eq!(seen.trim(), format!("envy {} post_create", v["ports"]["redis"]));
}

#[test]
fn ignored_files_are_copied_with_their_ports_rewritten() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "shop",
        &[
            ("docker-compose.yml", COMPOSE),
            (".gitignore", ".env\n.env.local\nsecret.txt\nnode_modules/\nconfig/local.json\n"),
            (".worktreeinclude", "# copied into every worktree\n.env*\nconfig/local.json\n"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), format!("{toml}\n[copy]\nsymlink = [\"node_modules\"]\n")).unwrap();
    std::fs::write(
        root.join(".env"),
        "REDIS_URL=redis://localhost:6379/0\nDB_PORT=5432\nOTHER=16379\n# 6379 in a comment\n",
    )
    .unwrap();
    std::fs::write(root.join(".env.local"), "WEB=http://127.0.0.1:8080\n").unwrap();
    std::fs::write(root.join("secret.txt"), "not listed").unwrap();
    std::fs::create_dir_all(root.join("config")).unwrap();
    std::fs::write(root.join("config/local.json"), "{\"port\": 6379}").unwrap();
    std::fs::create_dir_all(root.join("node_modules/pkg")).unwrap();
    std::fs::write(root.join("node_modules/pkg/index.js"), "x").unwrap();

    let v = sb.json(&root, &["worktree", "add", "copyme", "--json"]);
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    let port = |k: &str| v["ports"][k].as_u64().unwrap();
    let env = std::fs::read_to_string(wt.join(".env")).unwrap();
    // the copy's own lines, before the block cfn adds for plain `docker compose`
    let env = env.split("# >>> cfn:").next().unwrap();
    assert_eq!(
        env,
        format!(
            "REDIS_URL=redis://localhost:{}/0\nDB_PORT={}\nOTHER=16379\n# 6379 in a comment\n",
            port("redis"),
            port("postgres")
        )
    );
    assert_eq!(
        std::fs::read_to_string(wt.join(".env.local")).unwrap(),
        format!("WEB=http://127.0.0.1:{}\n", port("web"))
    );
    assert_eq!(
        std::fs::read_to_string(wt.join("config/local.json")).unwrap(),
        "{\"port\": 6379}",
        "not a dotenv file"
    );
    assert!(!wt.join("secret.txt").exists(), "ignored files not on the list are not copied");
    assert!(std::fs::symlink_metadata(wt.join("node_modules")).unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(root.join(".env")).unwrap().lines().next(),
        Some("REDIS_URL=redis://localhost:6379/0")
    );
    // The copies are ignored in the worktree too: removal sees no untracked work.
    sb.cfn(&root, &["worktree", "remove", "copyme"]).assert().success();
}

#[test]
fn a_worktree_adopted_from_plain_git_runs_its_post_create_hooks_once_approved() {
    let sb = Sandbox::new();
    let root = with_hooks(&sb, &post_create_marker(&sb, "adopted"));
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    let add = |name: &str| {
        let wt = sb.path().join(name);
        user_git(&sb, &root, &["worktree", "add", "-q", "-b", name, wt.to_str().unwrap()]);
        assert!(wt.join(".cfn/env").is_file(), "{name}: provisioned by the git hook");
    };
    // not approved: the adoption stands, the hook is skipped (no terminal to ask on)
    add("plain-a");
    assert_eq!(ran(&sb), "", "not run before approval");
    sb.cfn(&root, &["hooks", "approve", "--yes"]).assert().success();
    add("plain-b");
    assert_eq!(ran(&sb), "adopted\n", "an adoption runs post_create like an add");
}

#[test]
fn what_a_hook_prints_goes_to_stderr_and_json_stays_json() {
    let sb = Sandbox::new();
    let root = with_hooks(&sb, "post_create = [[\"echo\", \"hook-said-this\"]]");
    let out = sb.cfn(&root, &["worktree", "add", "quiet", "--yes", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let parsed: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON alone");
    assert_eq!(parsed["branch"], "quiet");
    assert!(stderr(&out).contains("hook-said-this"), "{}", stderr(&out));
}
