//! Leases follow the configuration: a port key added to or removed from the cfn.toml governing
//! a worktree (the main checkout's, or the branch's own) is leased or released at the next
//! command in that worktree, by the git hooks, or by `doctor --fix`; `doctor` reports a worktree
//! whose leases do not match; a broken cfn.toml of a branch is an error naming it.

use crate::harness::*;
use crate::small_stack::SmallStack;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

const ADMIN_KEY: &str =
    "\n[ports.keys.admin]\nservice = \"web\"\ntarget = 81\nprotocol = \"tcp\"\nbase = 8081\n";

fn add_worktree(sb: &Sandbox, root: &Path, branch: &str) -> PathBuf {
    let v = sb.json(root, &["worktree", "add", branch, "--json"]);
    PathBuf::from(v["path"].as_str().unwrap())
}

fn append(path: &Path, text: &str) {
    let old = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, old + text).unwrap();
}

/// The ports leased to `branch`, by key.
fn leases(sb: &Sandbox, branch: &str) -> Vec<(String, u16)> {
    let db = sb.db();
    let mut stmt = db
        .prepare(
            "SELECT l.key, l.port FROM leases l JOIN worktrees w ON w.id = l.worktree_id
              WHERE w.branch = ?1 ORDER BY l.key",
        )
        .unwrap();
    stmt.query_map([branch], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

/// No (port, protocol) is leased twice anywhere, and no lease is a base port.
fn assert_collision_free(sb: &Sandbox) {
    let db = sb.db();
    let mut stmt = db.prepare("SELECT port, protocol FROM leases").unwrap();
    let all: Vec<(u16, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let distinct: HashSet<_> = all.iter().collect();
    assert_eq!(distinct.len(), all.len(), "a port leased twice: {all:?}");
    let base = sb.count("SELECT COUNT(*) FROM leases WHERE port IN (SELECT port FROM base_ports)");
    assert_eq!(base, 0, "a base port was leased");
}

#[test]
fn a_key_added_on_main_reaches_an_existing_worktree_and_a_removed_one_is_released() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = add_worktree(&sb, &root, "feat");
    let other = add_worktree(&sb, &root, "other");
    let before = leases(&sb, "feat");
    assert_eq!(before.len(), 3);

    // cfn.toml is not committed here: neither worktree has its own, the main checkout's governs.
    append(&root.join("cfn.toml"), ADMIN_KEY);

    // doctor sees the mismatch before anything reconciles it, and changes nothing
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(report.contains("leases of feat do not match its cfn.toml: no port for admin"), "{report}");
    assert!(report.contains("leases of other do not match"), "{report}");
    assert_eq!(leases(&sb, "feat"), before);

    // the next command in the worktree leases it, says so, and renders the files again
    let out = sb.cfn(&wt, &["ports", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let admin = v["ports"]["admin"].as_u64().expect("admin has a port") as u16;
    assert!(stderr(&out).contains(&format!("ports: leased admin={admin} for feat")), "{}", stderr(&out));
    assert!(leases(&sb, "feat").contains(&("admin".to_string(), admin)));
    for key in ["postgres", "redis", "web"] {
        assert!(leases(&sb, "feat").iter().any(|(k, p)| k == key && before.contains(&(k.clone(), *p))));
    }
    let env_file = std::fs::read_to_string(wt.join(".cfn/env")).unwrap();
    assert!(env_file.contains(&format!("CFN_ADMIN_PORT={admin}")), "{env_file}");
    let table = sb.cfn(&wt, &["ports"]).output().unwrap();
    assert!(text(&table.stdout).contains(&admin.to_string()), "{}", text(&table.stdout));
    assert!(!stderr(&table).contains("leased"), "a second command has nothing to lease");

    // `cfn env` in the other worktree does the same for it, on a port of its own
    let out = sb.cfn(&other, &["env"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("ports: leased admin="), "{}", stderr(&out));
    assert!(text(&out.stdout).contains("CFN_ADMIN_PORT="), "{}", text(&out.stdout));
    assert_collision_free(&sb);
    let out = sb.cfn(&root, &["doctor", "--json"]).output().unwrap();
    let checks: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let lease_checks: Vec<&serde_json::Value> =
        checks.as_array().unwrap().iter().filter(|c| c["name"] == "leases").collect();
    assert_eq!(lease_checks.len(), 1, "{lease_checks:?}");
    assert_eq!(lease_checks[0]["status"], "ok", "{lease_checks:?}");

    // the key removed again: its lease is released at the next command
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    std::fs::write(root.join("cfn.toml"), toml.replace(ADMIN_KEY, "")).unwrap();
    let out = sb.cfn(&wt, &["env"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("ports: released admin={admin} for feat")), "{}", stderr(&out));
    assert!(!text(&out.stdout).contains("CFN_ADMIN_PORT"));
    assert!(!leases(&sb, "feat").iter().any(|(k, _)| k == "admin"));
    assert!(!std::fs::read_to_string(wt.join(".cfn/env")).unwrap().contains("CFN_ADMIN_PORT"));
}

#[test]
fn doctor_fix_reconciles_every_worktree() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = add_worktree(&sb, &root, "feat");
    append(&root.join("cfn.toml"), ADMIN_KEY);
    let out = sb.cfn(&root, &["doctor", "--fix"]).output().unwrap();
    let said = text(&out.stdout) + &stderr(&out);
    let admin = leases(&sb, "feat").into_iter().find(|(k, _)| k == "admin").expect("leased by --fix").1;
    assert!(said.contains(&format!("leased admin={admin} for feat")), "{said}");
    assert!(std::fs::read_to_string(wt.join(".cfn/env"))
        .unwrap()
        .contains(&format!("CFN_ADMIN_PORT={admin}")));
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    assert!(!text(&out.stdout).contains("do not match"), "{}", text(&out.stdout));
}

#[test]
fn a_key_merged_from_main_is_leased_by_the_post_merge_hook() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    // cfn.toml committed: each branch has its own, and it governs its worktree
    git(&root, &["add", "cfn.toml"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    let wt = add_worktree(&sb, &root, "feat");
    assert_eq!(leases(&sb, "feat").len(), 3);

    append(&root.join("cfn.toml"), ADMIN_KEY);
    // Not merged yet: the branch's own cfn.toml has no such key, nor its compose file a service.
    let out = sb.cfn(&wt, &["ports"]).output().unwrap();
    assert!(!stderr(&out).contains("leased"), "{}", stderr(&out));
    assert_eq!(leases(&sb, "feat").len(), 3);
    git(&root, &["commit", "-q", "-am", "admin port"]);

    let out = std::process::Command::new("git")
        .current_dir(&wt)
        .args(["merge", "-q", "--no-edit", "main"])
        .envs(hermetic_env(&sb.home, sb.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let admin = leases(&sb, "feat").into_iter().find(|(k, _)| k == "admin").expect("leased by the hook").1;
    assert!(stderr(&out).contains(&format!("ports: leased admin={admin} for feat")), "{}", stderr(&out));
    assert!(std::fs::read_to_string(wt.join(".cfn/env"))
        .unwrap()
        .contains(&format!("CFN_ADMIN_PORT={admin}")));
    assert_collision_free(&sb);
}

#[test]
fn a_key_only_the_branch_has_gets_its_port_and_main_is_left_alone() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = add_worktree(&sb, &root, "feat");
    // The branch adds a service and its key in its own cfn.toml; main is not touched.
    let compose = COMPOSE.replace(
        "volumes:\n  redis-data:",
        "  admin:\n    image: busybox\n    ports: [\"9090:9090\"]\nvolumes:\n  redis-data:",
    );
    std::fs::write(wt.join("docker-compose.yml"), compose).unwrap();
    // It also asks for every address: the bind address stays the main checkout's.
    let main_toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    assert!(main_toml.contains("bind = \"127.0.0.1\""));
    let own = main_toml.replace("bind = \"127.0.0.1\"", "bind = \"0.0.0.0\"")
        + "\n[ports.keys.admin]\nservice = \"admin\"\ntarget = 9090\nbase = 9090\n";
    std::fs::write(wt.join("cfn.toml"), own).unwrap();

    let out = sb.cfn(&wt, &["compose", "config", "--format", "json"]).output().unwrap();
    let admin = leases(&sb, "feat").into_iter().find(|(k, _)| k == "admin").expect("the branch's key").1;
    assert!(stderr(&out).contains(&format!("ports: leased admin={admin} for feat")), "{}", stderr(&out));
    assert_ne!(admin, 9090);
    let override_file = std::fs::read_to_string(wt.join(".cfn/compose.override.yaml")).unwrap();
    assert!(override_file.contains(&format!("127.0.0.1:{admin}:9090/tcp")), "{override_file}");
    assert!(!override_file.contains("0.0.0.0"), "{override_file}");
    let ports = sb.cfn(&wt, &["ports"]).output().unwrap();
    assert!(text(&ports.stdout).contains("admin:9090/tcp"), "{}", text(&ports.stdout));
    // the main checkout keeps its configuration: no such key there
    let main = sb.json(&root, &["ports", "--json"]);
    assert!(main["ports"].get("admin").is_none(), "{main}");
    assert_collision_free(&sb);
}

#[test]
fn a_broken_cfn_toml_of_a_branch_is_an_error_naming_it() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = add_worktree(&sb, &root, "feat");
    let before = leases(&sb, "feat");
    let file = wt.join("cfn.toml");
    std::fs::write(&file, "[ports\nbroken").unwrap();

    for args in [&["ports"][..], &["env"], &["compose", "config"]] {
        let out = sb.cfn(&wt, args).output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(&format!("error: invalid {}:", file.display())), "{args:?}: {err}");
        assert!(err.contains("hint: fix that cfn.toml"), "{args:?}: {err}");
    }
    // named from the main checkout too, for that branch only
    let out = sb.cfn(&root, &["ports", "feat"]).output().unwrap();
    assert!(stderr(&out).contains(&file.display().to_string()), "{}", stderr(&out));
    sb.cfn(&root, &["ports"]).assert().success();
    let out = sb.cfn(&root, &["worktree", "list"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("warning: worktree feat: invalid {}", file.display())));
    let out = sb.cfn(&root, &["doctor"]).output().unwrap();
    assert!(text(&out.stdout).contains(&format!("worktree feat: invalid {}", file.display())));
    assert_eq!(leases(&sb, "feat"), before, "nothing released for a file that cannot be read");
}

#[test]
fn a_service_a_branch_adds_runs_on_its_leased_port() {
    let extra = "";
    let Some(s) = SmallStack::new("leasefollow", extra) else { return };
    // The branch adds a second Redis and its key; the main checkout never runs init.
    let compose = std::fs::read_to_string(s.wt.join("docker-compose.yml")).unwrap().replace(
        "volumes:\n  data:",
        "  cache:\n    image: cfn-test/redis:1\n    ports: [\"6390:6379\"]\nvolumes:\n  data:",
    );
    std::fs::write(s.wt.join("docker-compose.yml"), compose).unwrap();
    let own = std::fs::read_to_string(s.root.join("cfn.toml")).unwrap()
        + "\n[ports.keys.cache]\nservice = \"cache\"\ntarget = 6379\nbase = 6390\n";
    std::fs::write(s.wt.join("cfn.toml"), own).unwrap();

    let out = s.cfn(&s.wt, &["up", "--timeout", "90"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let cache = leases(&s.sb, "feat").into_iter().find(|(k, _)| k == "cache").expect("leased").1;
    assert!(stderr(&out).contains(&format!("ports: leased cache={cache} for feat")), "{}", stderr(&out));
    assert!(crate::stack_harness::redis(cache, &["PING"]).contains("PONG"));
    assert!(crate::stack_harness::redis(s.redis_port, &["PING"]).contains("PONG"));
    s.cfn(&s.wt, &["down"]).assert().success();
}

#[test]
fn a_new_worktree_of_a_branch_with_its_own_key_gets_every_port_at_once() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    git(&root, &["add", "cfn.toml"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    for branch in ["extra", "adopted"] {
        git(&root, &["branch", branch]);
    }
    // Both branches add the key on top of main; main itself never has it.
    git(&root, &["checkout", "-q", "extra"]);
    append(&root.join("cfn.toml"), ADMIN_KEY);
    git(&root, &["commit", "-q", "-am", "admin port"]);
    git(&root, &["checkout", "-q", "adopted"]);
    git(&root, &["merge", "-q", "--ff-only", "extra"]);
    git(&root, &["checkout", "-q", "main"]);

    let v = sb.json(&root, &["worktree", "add", "extra", "--json"]);
    let admin = v["ports"]["admin"].as_u64().expect("the branch's key has a port") as u16;
    let wt = PathBuf::from(v["path"].as_str().unwrap());
    assert!(std::fs::read_to_string(wt.join(".cfn/env"))
        .unwrap()
        .contains(&format!("CFN_ADMIN_PORT={admin}")));

    // a plain `git worktree add`, registered by the post-checkout hook
    let path = sb.path().join("adopted-wt");
    let out = std::process::Command::new("git")
        .current_dir(&root)
        .args(["worktree", "add", "-q", path.to_str().unwrap(), "adopted"])
        .envs(hermetic_env(&sb.home, sb.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(leases(&sb, "adopted").iter().any(|(k, _)| k == "admin"), "{:?}", leases(&sb, "adopted"));
    assert!(std::fs::read_to_string(path.join(".cfn/env")).unwrap().contains("CFN_ADMIN_PORT="));
    assert_collision_free(&sb);
}

#[test]
fn init_in_a_worktree_writes_the_branch_s_own_cfn_toml_and_leases_its_keys() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = add_worktree(&sb, &root, "feat");
    let compose = COMPOSE.replace(
        "volumes:\n  redis-data:",
        "  admin:\n    image: busybox\n    ports: [\"9090:9090\"]\nvolumes:\n  redis-data:",
    );
    std::fs::write(wt.join("docker-compose.yml"), compose).unwrap();
    // Before: the branch's compose file publishes a port no key covers.
    let out = sb.cfn(&wt, &["compose", "config"]).output().unwrap();
    assert!(stderr(&out).contains("no port key for"), "{}", stderr(&out));

    let main_toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let out = sb.cfn(&wt, &["init", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let own = std::fs::read_to_string(wt.join("cfn.toml")).unwrap();
    assert!(own.contains("[ports.keys.admin]") && own.contains("name = \"shop\""), "{own}");
    assert_eq!(std::fs::read_to_string(root.join("cfn.toml")).unwrap(), main_toml, "main untouched");
    let admin = leases(&sb, "feat").into_iter().find(|(k, _)| k == "admin").expect("leased by init").1;
    assert!(stderr(&out).contains(&format!("ports: leased admin={admin} for feat")), "{}", stderr(&out));
    let override_file = std::fs::read_to_string(wt.join(".cfn/compose.override.yaml")).unwrap();
    assert!(override_file.contains(&format!("127.0.0.1:{admin}:9090/tcp")), "{override_file}");
    // a second init refuses to overwrite without --force
    let out = sb.cfn(&wt, &["init", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_collision_free(&sb);
}
