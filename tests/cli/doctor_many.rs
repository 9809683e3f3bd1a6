//! `cfn doctor` with many worktrees: checkouts that say the same share one printed line, a
//! problem keeps its own, and `--json` still has every check; a worktree reached through a
//! symlinked path is still recognised as the one git lists.

use crate::harness::*;

/// A repository whose compose file publishes a Redis, with one SQLite migration.
fn repo(sb: &Sandbox) -> std::path::PathBuf {
    let root = sb.repo(
        "many",
        &[
            (
                "docker-compose.yml",
                "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n",
            ),
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id INTEGER);"),
            // so that plain `docker compose` gets its block and only the migrations warn
            (".gitignore", ".env\n"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    root
}

#[test]
fn alike_lines_of_many_checkouts_are_printed_once_and_kept_in_json() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    for i in 1..=6 {
        sb.cfn(&root, &["worktree", "add", &format!("b{i}")]).assert().success();
    }
    // One branch differs: its migration is applied.
    sb.cfn(&root, &["migrate", "up", "--yes", "--branch", "b3"]).assert().success();

    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    let printed = text(&out.stdout);
    let lines = |name: &str| -> Vec<String> {
        printed.lines().filter(|l| l.split_whitespace().nth(1) == Some(name)).map(str::to_string).collect()
    };
    let redis = lines("redis");
    assert_eq!(redis.len(), 1, "{printed}");
    assert!(redis[0].contains("7 checkouts (main, "), "{printed}");
    assert!(redis[0].ends_with("redis not running (their stacks are down)"), "{printed}");
    let migrations = lines("migrations");
    assert_eq!(migrations.len(), 2, "the applied branch keeps its own line:\n{printed}");
    assert!(migrations.iter().any(|l| l.contains("6 checkouts (") && l.ends_with("1 migration pending")));
    assert!(migrations.iter().any(|l| l.contains("b3: 1 applied, none pending")), "{printed}");
    assert!(printed.contains("hint: run `cfn migrate up` in each"), "{printed}");
    assert!(stderr(&out).contains("0 failed, 1 warning,"), "{}\n{printed}", stderr(&out));

    let json = sb.json(&root, &["doctor", "--json"]);
    let count = |name: &str| json.as_array().unwrap().iter().filter(|c| c["name"] == name).count();
    assert_eq!(count("redis"), 7, "{json:#}");
    assert_eq!(count("migrations"), 7, "{json:#}");
}

#[test]
fn a_worktree_registered_through_a_symlinked_path_agrees_with_git() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let real = sb.path().join("real");
    std::fs::create_dir(&real).unwrap();
    let link = sb.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let path = link.join("wt");
    sb.cfn(&root, &["worktree", "add", "feat", "--path", path.to_str().unwrap()]).assert().success();
    let json = sb.json(&root, &["doctor", "--json"]);
    let registry: Vec<&serde_json::Value> =
        json.as_array().unwrap().iter().filter(|c| c["name"] == "registry").collect();
    assert_eq!(registry.len(), 1, "{json:#}");
    assert_eq!(registry[0]["status"], "ok", "{json:#}");
}
