//! A lost or damaged state database is rebuilt from what the worktrees and the engine know:
//! the running branch keeps the ports its containers hold (they are not recreated), the
//! stopped one keeps the ports of its `.cfn/env`, a new branch never gets theirs, a damaged
//! file is kept aside, and cfn says loudly that it rebuilt the registry.
//!
//! `slots = 2` makes every branch prefer slot 1, so a registry that forgot the worktrees would
//! hand a new branch the stopped branch's slot and ports (the running one's are caught by the
//! bind probe): these tests fail unless the registry really is rebuilt.

use crate::harness::*;
use crate::stack_harness::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

struct Scene {
    sb: Sandbox,
    root: PathBuf,
    running: Value,
    stopped: Value,
    containers: Vec<String>,
    _cleanup: Cleanup,
}

impl Scene {
    /// Two worktrees, `feat` up and `idle` never started; `None` without the engine. Each
    /// test has its own `base` port: their sandboxes have registries of their own, and every
    /// branch prefers slot 1.
    fn new(name: &str, base: u16) -> Option<Scene> {
        if !engine_ready(V2) {
            return None;
        }
        let compose =
            format!("services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{base}:6379\"]\n");
        let sb = Sandbox::new();
        let root = sb.repo(name, &[("docker-compose.yml", &compose)]);
        sb.cfn(&root, &["init", "--yes"]).assert().success();
        let toml =
            std::fs::read_to_string(root.join("cfn.toml")).unwrap().replace("slots = 100", "slots = 2");
        std::fs::write(root.join("cfn.toml"), toml).unwrap();
        let running = sb.json(&root, &["worktree", "add", "feat", "--json"]);
        let stopped = sb.json(&root, &["worktree", "add", "idle", "--json"]);
        let projects = [&running, &stopped].map(|w| w["project"].as_str().unwrap().to_string());
        let cleanup = Cleanup(vec![projects[0].clone(), projects[1].clone(), format!("{name}-fresh")]);
        let scene = Scene { sb, root, running, stopped, containers: Vec::new(), _cleanup: cleanup };
        cfn_with(&scene.sb, &scene.path(&scene.running), V2, &["up", "--timeout", "60"]).assert().success();
        let containers = scene.running_containers();
        assert_eq!(containers.len(), 1, "the branch's redis runs");
        Some(Scene { containers, ..scene })
    }

    fn path(&self, wt: &Value) -> PathBuf {
        PathBuf::from(wt["path"].as_str().unwrap())
    }

    fn running_containers(&self) -> Vec<String> {
        let label = format!("label=com.docker.compose.project={}", self.running["project"].as_str().unwrap());
        docker_lines(&["ps", "-q", "--no-trunc", "--filter", &label])
    }

    fn db_files(&self) -> Vec<PathBuf> {
        ["state.db", "state.db-wal", "state.db-shm"].iter().map(|f| self.sb.home.join(f)).collect()
    }

    /// `cfn ports --json` in worktree `wt`, and what it said on stderr.
    fn ports(&self, wt: &Value) -> (Value, String) {
        let out = self.sb.cfn(&self.path(wt), &["ports", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
    }

    /// What every test checks once the registry is back: same slots and ports, the stack
    /// untouched and `up` a no-op, a new branch clear of both, doctor saying it was rebuilt.
    fn assert_recovered(&self) {
        for wt in [&self.running, &self.stopped] {
            let (now, err) = self.ports(wt);
            assert_eq!((&now["slot"], &now["ports"]), (&wt["slot"], &wt["ports"]), "{}: {err}", wt["branch"]);
            assert_eq!(now["project"], wt["project"]);
        }
        assert_eq!(self.running_containers(), self.containers, "the running stack was not touched");
        cfn_with(&self.sb, &self.path(&self.running), V2, &["up", "--timeout", "60"]).assert().success();
        assert_eq!(self.running_containers(), self.containers, "`up` recreated nothing");

        let fresh = self.sb.json(&self.root, &["worktree", "add", "fresh", "--json"]);
        let held: Vec<u16> = [&self.running, &self.stopped].iter().flat_map(|w| ports_of(w)).collect();
        assert!(ports_of(&fresh).iter().all(|p| !held.contains(p)), "{fresh} collides with {held:?}");
        assert!(fresh["slot"] != self.running["slot"] && fresh["slot"] != self.stopped["slot"], "{fresh}");

        // Doctor's exit status is not asserted: tests in parallel have registries of their own,
        // so another test's stack may hold a stopped branch's port (a `ports` failure that says
        // nothing about the rebuild). What is asserted is the state and orphans checks.
        let out = self.sb.cfn(&self.root, &["doctor", "--json"]).output().unwrap();
        let checks: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("doctor --json ({e}): {}", stderr(&out)));
        let checks = checks.as_array().unwrap();
        let rebuilt = checks
            .iter()
            .find(|c| c["name"] == "state" && c["message"].as_str().unwrap().contains("rebuilt"));
        let rebuilt = rebuilt.unwrap_or_else(|| panic!("doctor says nothing of the rebuild: {checks:?}"));
        assert_eq!(rebuilt["status"], "warn", "{rebuilt}");
        let orphans: Vec<&Value> = checks.iter().filter(|c| c["name"] == "orphans").collect();
        assert!(orphans.iter().all(|c| c["status"] == "ok"), "nothing looks orphaned: {orphans:?}");
    }
}

#[test]
fn a_deleted_state_database_is_rebuilt_and_every_branch_keeps_its_ports() {
    let Some(s) = Scene::new("rbdeleted", 21379) else { return };
    for f in s.db_files() {
        std::fs::remove_file(f).ok();
    }

    // A rebuild killed half-way leaves nothing of itself: it is one transaction.
    let out = s.sb.cfn(&s.path(&s.running), &["ports"]).env("CFN_CRASH_AT", "rebuild:1").output().unwrap();
    assert!(stderr(&out).contains("crash point rebuild:1 reached"), "{}", stderr(&out));
    assert_eq!(
        s.sb.count("SELECT count(*) FROM repositories") + s.sb.count("SELECT count(*) FROM worktrees"),
        0
    );

    // The first command, in the running branch, rebuilds the registry and says so.
    let (_, err) = s.ports(&s.running);
    assert!(err.contains("warning: rebuilt the registry of"), "{err}");
    assert!(err.contains("feat (slot") && err.contains("from its running containers"), "{err}");
    assert!(err.contains("idle (slot") && err.contains("from .cfn/env"), "{err}");
    // Once: the next command has nothing to rebuild.
    let (_, err) = s.ports(&s.stopped);
    assert!(!err.contains("rebuilt"), "{err}");
    s.assert_recovered();
}

#[test]
fn a_damaged_state_database_is_kept_aside_and_doctor_fix_rebuilds_the_registry() {
    let Some(s) = Scene::new("rbdamaged", 22379) else { return };
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    for f in &s.db_files()[1..] {
        std::fs::remove_file(f).ok();
    }
    std::fs::write(&s.db_files()[0], &garbage).unwrap();

    let out = s.sb.cfn(&s.root, &["doctor", "--fix"]).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("warning: the state database was damaged: it is kept as"), "{err}");
    assert!(err.contains("rebuilt the registry of"), "{err}");
    let aside = corrupt_files(&s.sb.home);
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), garbage, "the damaged file is kept as it was");
    assert!(err.contains(&aside[0].display().to_string()), "names where it went: {err}");
    assert_eq!(s.running_containers(), s.containers, "doctor --fix removed nothing of the running stack");

    // Again: nothing more to rebuild, nothing more moved aside.
    let out = s.sb.cfn(&s.root, &["doctor", "--fix"]).output().unwrap();
    assert!(!stderr(&out).contains("rebuilt the registry"), "{}", stderr(&out));
    assert_eq!(corrupt_files(&s.sb.home), aside);
    s.assert_recovered();
}

#[test]
fn doctor_fix_registers_forgotten_worktrees_on_their_own_ports() {
    // A state database restored from a backup older than the worktrees: it knows the
    // repository, not its worktrees.
    let Some(s) = Scene::new("rbforgot", 23379) else { return };
    let db = s.sb.db();
    db.execute_batch("PRAGMA foreign_keys = ON; DELETE FROM worktrees;").unwrap();
    drop(db);
    let out = s.sb.cfn(&s.root, &["doctor", "--fix"]).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("fixed: rebuilt the registry of"), "{err}");
    assert!(err.contains("feat (slot") && err.contains("idle (slot"), "{err}");
    assert!(!err.contains("registered worktree"), "no worktree was adopted on new ports: {err}");
    s.assert_recovered();
}

#[test]
fn a_running_stack_alone_is_enough_to_rebuild_its_branch() {
    // The database is gone and so are the worktrees' `.cfn/` folders (`git clean -fdx`): only
    // the engine still knows the running branch.
    let Some(s) = Scene::new("rbengine", 25379) else { return };
    for f in s.db_files() {
        std::fs::remove_file(f).ok();
    }
    for wt in [&s.running, &s.stopped] {
        std::fs::remove_dir_all(s.path(wt).join(".cfn")).unwrap();
    }
    let out = s.sb.cfn(&s.root, &["worktree", "list"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("rebuilt the registry of") && err.contains("feat (slot"), "{err}");
    assert!(err.contains("from its running containers") && !err.contains("idle (slot"), "{err}");
    let (now, _) = s.ports(&s.running);
    assert_eq!((&now["slot"], &now["ports"]), (&s.running["slot"], &s.running["ports"]));
    cfn_with(&s.sb, &s.path(&s.running), V2, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(s.running_containers(), s.containers, "`up` recreated nothing");
}

#[test]
fn a_env_file_naming_a_running_branchs_slot_and_ports_gets_none_of_them() {
    // A worktree git lists before `feat` writes into its own `.cfn/env` the slot and ports of
    // `feat`, whose stack runs; then the database is lost.
    let Some(s) = Scene::new("rbhostile", 26379) else { return };
    let sneaky = s.sb.path().join("aa");
    git(&s.root, &["worktree", "add", "-q", "-b", "aa", sneaky.to_str().unwrap()]);
    let mut env =
        format!("COMPOSE_PROJECT_NAME=rbhostile-aa\nWORKTREE_BRANCH=aa\nCFN_SLOT={}\n", s.running["slot"]);
    for (key, port) in s.running["ports"].as_object().unwrap() {
        env.push_str(&format!("CFN_{}_PORT={port}\n", key.to_uppercase().replace('-', "_")));
    }
    std::fs::create_dir_all(sneaky.join(".cfn")).unwrap();
    std::fs::write(sneaky.join(".cfn/env"), env).unwrap();
    for f in s.db_files() {
        std::fs::remove_file(f).ok();
    }

    let out = s.sb.cfn(&s.root, &["worktree", "list"]).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("feat (slot") && err.contains("from its running containers"), "{err}");
    let said = format!(
        "aa cannot keep what it had (slot {} is taken); `cfn doctor --fix` registers it on new ports",
        s.running["slot"]
    );
    assert!(err.contains(&said), "{err}");
    s.assert_recovered();

    // What the warning says is what happens.
    let out = s.sb.cfn(&s.root, &["doctor", "--fix"]).output().unwrap();
    assert!(stderr(&out).contains("registered worktree aa"), "{}", stderr(&out));
    let aa = s.sb.json(&sneaky, &["ports", "--json"]);
    let feat = ports_of(&s.running);
    assert!(ports_of(&aa).iter().all(|p| !feat.contains(p)), "{aa} takes nothing of feat's {feat:?}");
}

fn corrupt_files(home: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("state.db.corrupt-"))
        .collect();
    found.sort();
    found
}

/// A worktree whose own cfn.toml adds a port key keeps that key's port too when the registry is
/// rebuilt from its `.cfn/env` (the branch's file names its keys, not the main checkout's), and
/// a key it has no recorded port for does not cost it the ports it had. No engine needed: the
/// ports come from the env file.
#[test]
fn a_branch_s_own_port_keys_survive_a_rebuild() {
    let sb = Sandbox::new();
    let compose = "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"16390:6379\"]\n";
    let root = sb.repo("ownkeys", &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let path = PathBuf::from(wt["path"].as_str().unwrap());
    let main_toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    let own = format!("{main_toml}\n[ports.keys.admin]\nservice = \"admin\"\ntarget = 8080\nbase = 18080\n");
    std::fs::write(path.join("cfn.toml"), own).unwrap();
    // The key's port is the one the scheme gives the slot: a port `.cfn/env` names is believed
    // only then (an off-scheme one makes the rebuild leave the worktree to `doctor --fix`).
    let usual = 18080 + 10 * wt["slot"].as_u64().unwrap() as u16;
    let before = sb.json(&path, &["ports", "--json"]);
    assert_eq!(before["ports"]["admin"], usual, "the branch's own key is leased: {before}");

    // A key the branch adds after its env file was rendered has no recorded port.
    let later = std::fs::read_to_string(path.join("cfn.toml")).unwrap()
        + "\n[ports.keys.metrics]\nservice = \"metrics\"\ntarget = 9090\nbase = 19090\n";
    for f in ["state.db", "state.db-wal", "state.db-shm"] {
        let _ = std::fs::remove_file(sb.home.join(f));
    }
    std::fs::write(path.join("cfn.toml"), later).unwrap();

    let out = sb.cfn(&path, &["ports", "--json"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("rebuilt the registry"), "says so: {err}");
    let after: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(after["slot"], before["slot"], "{err}");
    assert_eq!(after["ports"]["redis"], before["ports"]["redis"], "{err}");
    assert_eq!(
        after["ports"]["admin"], before["ports"]["admin"],
        "the branch's own key kept its port: {err}"
    );
    assert!(after["ports"]["metrics"].is_u64(), "the new key is leased afterwards: {after}");
}
