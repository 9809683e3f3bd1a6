//! `cfn doctor`: each kind of problem produced for real (a deleted worktree, an orphaned
//! container, a port held by another process, an evicting Redis, an edited migration, a
//! `container_name`) and reported with its hint; `--fix` repairing the safe ones; a healthy
//! set-up all ok.

use crate::harness::*;
use crate::stack_harness::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A compose file without anything that defeats isolation, on uncommon base ports.
fn clean_compose(redis_base: u16, web_base: u16) -> String {
    format!(
        "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{redis_base}:6379\"]\n  \
         web:\n    image: cfn-test/app:1\n    ports: [\"{web_base}:80\"]\n"
    )
}

/// `cfn doctor --json [extra]`: the checks and the exit code.
fn doctor(sb: &Sandbox, dir: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec!["doctor", "--json"];
    args.extend(extra);
    let out = sb.cfn(dir, &args).output().unwrap();
    let checks: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", text(&out.stdout), stderr(&out)));
    (checks.as_array().unwrap().clone(), out.status.code().unwrap())
}

/// The check named `name` whose message contains `needle`; panics showing every check.
fn find<'a>(checks: &'a [Value], name: &str, needle: &str) -> &'a Value {
    checks
        .iter()
        .find(|c| c["name"] == name && c["message"].as_str().unwrap().contains(needle))
        .unwrap_or_else(|| panic!("no {name} check mentioning {needle:?} in {checks:#?}"))
}

fn hint(check: &Value) -> &str {
    check["hint"].as_str().unwrap_or_else(|| panic!("no hint: {check}"))
}

fn wt_path(v: &Value) -> PathBuf {
    PathBuf::from(v["path"].as_str().unwrap())
}

/// A name no other test run on this machine uses (compose projects are machine-wide).
fn unique(prefix: &str) -> String {
    format!("{prefix}{}", std::process::id())
}

#[test]
fn a_deleted_worktree_directory_fails_with_its_hint() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = sb.json(&root, &["worktree", "add", "gone", "--json"]);
    std::fs::remove_dir_all(wt_path(&wt)).unwrap();
    let (checks, code) = doctor(&sb, &root, &[]);
    assert_eq!(code, 1);
    let check = find(&checks, "registry", "worktree gone: directory");
    assert_eq!(check["status"], "fail");
    assert!(hint(check).contains("cfn doctor --fix"), "{check}");
    assert!(hint(check).starts_with("if you moved it, run `git worktree repair <new path>`"), "{check}");
}

/// A worktree moved by hand (without `git worktree repair`): the hint names where it went and
/// says to repair git's record first, after which `--fix` re-attaches it instead of forgetting it.
#[test]
fn a_worktree_moved_by_hand_is_told_to_be_repaired_first() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let wt = sb.json(&root, &["worktree", "add", "wander", "--json"]);
    let moved = sb.path().join("wandered-off");
    std::fs::rename(wt_path(&wt), &moved).unwrap();
    let (checks, code) = doctor(&sb, &root, &[]);
    assert_eq!(code, 1);
    let check = find(&checks, "registry", "worktree wander: directory");
    let want = format!("it seems moved to {0}: run `git worktree repair {0}`", moved.display());
    assert!(hint(check).starts_with(&want), "{check}");

    git(&root, &["worktree", "repair", moved.to_str().unwrap()]);
    sb.cfn(&root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let listed = sb.json(&root, &["worktree", "list", "--json"]);
    let paths: Vec<&str> = listed.as_array().unwrap().iter().filter_map(|w| w["path"].as_str()).collect();
    assert!(paths.contains(&moved.to_str().unwrap()), "re-attached, not forgotten: {listed}");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1);
}

#[test]
fn a_plain_worktree_of_a_branch_cfn_refuses_is_told_to_be_renamed() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let plain = sb.path().join("plain");
    git(&root, &["worktree", "add", "-q", "-b", "q'$x", plain.to_str().unwrap()]);
    let (checks, _) = doctor(&sb, &root, &[]);
    let check = find(&checks, "registry", "is not registered with cfn");
    assert!(hint(check).contains("rename it"), "{check}");
    // and --fix does not pretend to register it
    sb.cfn(&root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let (checks, _) = doctor(&sb, &root, &[]);
    find(&checks, "registry", "is not registered with cfn");
}

#[test]
fn a_compose_file_with_container_name_is_reported_with_its_hint() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let (checks, _) = doctor(&sb, &root, &[]);
    let check = find(&checks, "isolation", "`container_name: shop-redis`");
    assert_eq!(check["status"], "warn");
    assert!(hint(check).contains("cfn drops container_name in each branch's copy"), "{check}");
    find(&checks, "isolation", "`name: shop-redis-data` makes every branch share this volume");
}

#[test]
fn a_leased_port_held_by_another_process_names_its_pid_and_is_left_alone() {
    let sb = Sandbox::new();
    let root = sb.repo("held", &[("docker-compose.yml", &clean_compose(41379, 41080))]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let port = wt["ports"]["web"].as_u64().unwrap() as u16;
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();

    for extra in [&[][..], &["--fix"][..]] {
        let (checks, code) = doctor(&sb, &root, extra);
        assert_eq!(code, 1);
        let check = find(&checks, "ports", &format!("port {port} (web) of feat is held by"));
        assert_eq!(check["status"], "fail");
        let message = check["message"].as_str().unwrap();
        assert!(message.contains(&format!("pid {} (", std::process::id())), "{message}");
        assert!(hint(check).contains("never stops other programs"), "{check}");
    }
    // Never killed, not even by --fix: the listener still accepts connections.
    let _client = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    listener.accept().unwrap();
}

#[test]
fn a_redis_whose_maxmemory_policy_evicts_fails() {
    let sb = Sandbox::new();
    let root = sb.repo("evict", &[("docker-compose.yml", &clean_compose(42379, 42080))]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let port = wt["ports"]["redis"].as_u64().unwrap() as u16;
    let Some(_server) = RedisServer::start_on(port, &["--maxmemory-policy", "allkeys-lru"]) else { return };
    let (checks, code) = doctor(&sb, &root, &[]);
    assert_eq!(code, 1);
    let check = find(&checks, "redis", &format!("redis of feat (port {port}): maxmemory-policy allkeys-lru"));
    assert_eq!(check["status"], "fail");
    assert!(hint(check).contains("noeviction"), "{check}");
    find(&checks, "ports", &format!("port {port} (redis) of feat is held by pid"));
}

#[test]
fn an_applied_migration_edited_afterwards_fails_and_a_pending_one_warns() {
    let sb = Sandbox::new();
    let root = sb.repo(
        "db",
        &[
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id INTEGER);"),
            ("migrations/0001_items.down.sql", "DROP TABLE items;"),
            ("migrations/0002_tags.up.sql", "CREATE TABLE tags (id INTEGER);"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = wt_path(&sb.json(&root, &["worktree", "add", "feat", "--json"]));
    sb.cfn(&wt, &["migrate", "up", "--yes", "--to", "1"]).assert().success();
    std::fs::write(wt.join("migrations/0001_items.up.sql"), "CREATE TABLE items (id INTEGER, name TEXT);")
        .unwrap();
    let (checks, code) = doctor(&sb, &root, &[]);
    assert_eq!(code, 1);
    let edited = find(&checks, "migrations", "migration 1 (items) of feat was edited after it was applied");
    assert_eq!(edited["status"], "fail");
    assert!(hint(edited).contains("cfn migrate down --to 0"), "{edited}");
    let pending = find(&checks, "migrations", "feat: 1 migration pending");
    assert_eq!(pending["status"], "warn");
    // The main checkout has no database yet, and doctor does not create one.
    find(&checks, "migrations", "main: 2 migrations pending");
    assert!(!root.join(".cfn/data/app.db").exists());
}

#[test]
fn an_unreachable_engine_fails_when_the_project_has_a_stack() {
    let sb = Sandbox::new();
    let root = sb.shop("shop");
    let out =
        sb.cfn(&root, &["doctor", "--json"]).env("DOCKER_HOST", "unix:///nonexistent/docker.sock").output();
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(1));
    let checks: Vec<Value> =
        serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone();
    let check = find(&checks, "docker", "cannot reach the Docker engine");
    assert_eq!(check["status"], "fail");
    assert!(hint(check).contains("DOCKER_HOST"), "{check}");
}

#[test]
fn fix_repairs_the_safe_problems_and_keeps_volumes_without_a_terminal() {
    if !engine_ready(V1) {
        return;
    }
    let sb = Sandbox::new();
    let name = unique("docfix");
    let root =
        sb.repo(&name, &[("docker-compose.yml", &clean_compose(43379, 43080)), (".gitignore", ".env\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let ghost = format!("{name}-ghost");
    let _cleanup = Cleanup(vec![ghost.clone()]);
    let gone = sb.json(&root, &["worktree", "add", "gone", "--json"]);
    let feat = wt_path(&sb.json(&root, &["worktree", "add", "feat", "--json"]));
    std::fs::remove_dir_all(wt_path(&gone)).unwrap();
    let project_label = format!("com.docker.compose.project={ghost}");
    let cfn_label = format!("dev.cfn.project={name}");
    let uid = std::fs::read_to_string(root.join(".git/cfn-repository-id")).unwrap();
    let repo_label = format!("dev.cfn.repository={}", uid.trim());
    let ghost_run = ["run", "-d", "--label", &cfn_label, "--label", &repo_label, "--label", &project_label];
    let run_ghost = || assert!(docker_ok(&[&ghost_run[..], &["cfn-test/app:1"]].concat()));
    run_ghost();
    let volume = format!("{ghost}_data");
    assert!(docker_ok(&["volume", "create", "--label", &project_label, &volume]));
    let env_file = feat.join(".cfn/env");
    std::fs::write(&env_file, "COMPOSE_PROJECT_NAME=stale\n").unwrap();

    let (checks, code) = doctor(&sb, &root, &[]);
    assert_eq!(code, 1);
    assert!(hint(find(&checks, "registry", "worktree gone: directory")).contains("--fix"));
    let orphan = find(&checks, "orphans", &format!("(compose project {ghost}) is running"));
    assert!(hint(orphan).contains("cfn doctor --fix"), "{orphan}");
    assert!(hint(find(&checks, "orphans", &format!("volume {volume}"))).contains("holds data"));
    assert!(hint(find(&checks, "hooks", "git hooks not installed")).contains("cfn hooks install"));
    assert!(hint(find(&checks, "rendered", "rendered files of feat")).contains("--fix"));

    let started = Instant::now();
    let out = sb.cfn(&root, &["doctor", "--fix", "--json"]).output().unwrap();
    eprintln!("doctor --fix took {:?}", started.elapsed());
    let err = stderr(&out);
    assert!(err.contains("fixed: forgot worktree gone (directory is gone), released ports"), "{err}");
    assert!(
        err.contains(&format!("kept the volumes of {ghost} (no terminal to ask on; --yes deletes them)")),
        "{err}"
    );
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees WHERE branch = 'gone'"), 0);
    for port in ports_of(&gone) {
        assert_eq!(sb.count(&format!("SELECT COUNT(*) FROM leases WHERE port = {port}")), 0);
    }
    assert!(containers_of(&ghost).is_empty(), "orphan container removed");
    assert_eq!(
        volumes_of(&ghost),
        std::slice::from_ref(&volume),
        "the volume holds data: kept without a terminal"
    );
    let hooks = sb.json(&root, &["hooks", "status", "--json"]);
    assert!(hooks.as_array().unwrap().iter().all(|h| h["installed"] == true), "{hooks}");
    let env = std::fs::read_to_string(&env_file).unwrap();
    assert!(env.contains(&format!("COMPOSE_PROJECT_NAME={name}-feat")), "{env}");

    let checks: Vec<Value> =
        serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone();
    for name in ["registry", "hooks", "rendered", "ports"] {
        assert!(
            checks.iter().filter(|c| c["name"] == name).all(|c| c["status"] == "ok"),
            "{name}: {checks:#?}"
        );
    }
    let left: Vec<&Value> = checks.iter().filter(|c| c["status"] != "ok").collect();
    assert_eq!(left.len(), 1, "only the kept volume is left: {left:#?}");
    // With its containers gone nothing vouches for the volume: reported, never deleted.
    let kept = find(&checks, "orphans", &format!("volume {volume}"));
    assert!(kept["message"].as_str().unwrap().contains("owner unknown"), "{kept}");
    let out = sb.cfn(&root, &["doctor", "--fix", "--yes"]).output().unwrap();
    assert_eq!(volumes_of(&ghost), std::slice::from_ref(&volume), "{}", stderr(&out));

    // --yes agrees to delete it without a terminal, as `down --volumes --yes` does, while a
    // container of its project carries the repository's id.
    run_ghost();
    let out = sb.cfn(&root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains(&format!("fixed: deleted volume {volume} of orphaned project {ghost}")), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(volumes_of(&ghost).is_empty(), "deleted with --yes");
}

#[test]
fn a_healthy_set_up_is_all_ok() {
    if !engine_ready(V1) {
        return;
    }
    let sb = Sandbox::new();
    let name = unique("dochealthy");
    let root = sb.repo(
        &name,
        &[
            ("docker-compose.yml", &clean_compose(44379, 44080)),
            (".gitignore", ".env\n"),
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id INTEGER);"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let _cleanup = Cleanup(vec![name.clone(), format!("{name}-feat")]);
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    let feat = wt_path(&sb.json(&root, &["worktree", "add", "feat", "--json"]));
    let up = cfn_with(&sb, &feat, V1, &["up", "--yes", "--timeout", "60"]).output().unwrap();
    assert!(up.status.success(), "{}", stderr(&up));
    sb.cfn(&root, &["migrate", "up", "--yes"]).assert().success();

    let started = Instant::now();
    let (checks, code) = doctor(&sb, &root, &[]);
    eprintln!("doctor took {:?}", started.elapsed());
    let not_ok: Vec<&Value> = checks.iter().filter(|c| c["status"] != "ok").collect();
    assert!(not_ok.is_empty(), "{not_ok:#?}");
    assert_eq!(code, 0);
    find(&checks, "redis", "redis of feat");
    find(&checks, "redis", "reachable, maxmemory-policy noeviction");
    find(&checks, "ports", "leased ports free or held by their own stacks");
    find(&checks, "migrations", "feat: 1 applied, none pending");
    find(&checks, "docker", "docker engine");
    find(&checks, "images", "all 2 images");
    find(&checks, "plain-compose", "in 1 worktree");
}
