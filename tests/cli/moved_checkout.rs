//! A repository's identity survives moving or renaming its main checkout: its project name,
//! worktrees, ports and volumes stay its own. A copy of a checkout, or another clone in the
//! place a repository left, is a repository of its own and never shares its compose project.

use crate::harness::*;
use crate::stack_harness::*;
use std::path::{Path, PathBuf};

/// A Redis with a named volume, on a base port no other test uses.
fn compose(port: u16) -> String {
    format!(
        "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{port}:6379\"]\n    \
         volumes: [data:/data]\nvolumes:\n  data:\n"
    )
}

fn ports_json(sb: &Sandbox, dir: &Path, branch: Option<&str>) -> (serde_json::Value, String) {
    let mut args = vec!["ports", "--json"];
    args.extend(branch);
    let out = cfn_with(sb, dir, V2, &args).output().unwrap();
    assert!(out.status.success(), "cfn {args:?}: {}", stderr(&out));
    (serde_json::from_slice(&out.stdout).unwrap(), stderr(&out))
}

fn repositories(sb: &Sandbox) -> Vec<(String, String)> {
    let db = sb.db();
    let mut stmt = db.prepare("SELECT root, project FROM repositories ORDER BY id").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

fn move_dir(from: &Path, to: &Path) {
    std::fs::rename(from, to).unwrap();
}

#[test]
fn a_moved_main_checkout_keeps_its_project_ports_worktrees_and_data() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let root = sb.repo("mvkeep", &[("docker-compose.yml", &compose(46379))]);
    let _cleanup = Cleanup(vec![
        "mvkeep".into(),
        "mvkeep-feat".into(),
        "mvkeep-renamed".into(),
        "mvkeep-renamed-feat".into(),
    ]);
    cfn_with(&sb, &root, V2, &["init", "--yes"]).assert().success();
    // No configured name: the default (the directory's name) that was registered is kept.
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    assert!(toml.contains("name = \"mvkeep\""), "{toml}");
    std::fs::write(root.join("cfn.toml"), toml.replace("name = \"mvkeep\"\n", "")).unwrap();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let (wt_project, wt_port) = (wt["project"].as_str().unwrap().to_string(), wt["ports"]["redis"].clone());
    let wt_path = PathBuf::from(wt["path"].as_str().unwrap());

    cfn_with(&sb, &root, V2, &["up", "--timeout", "60"]).assert().success();
    assert!(redis(46379, &["SET", "kept", "yes"]).starts_with("+OK"));
    let volumes = volumes_of("mvkeep");
    assert_eq!(volumes.len(), 1, "the main checkout's redis volume: {volumes:?}");

    // The stack keeps running while its checkout is renamed, as a person would do it.
    let moved = sb.path().join("mvkeep-renamed");
    move_dir(&root, &moved);
    git(&moved, &["worktree", "repair"]);

    // The next ordinary command re-attaches it, and says so.
    let (main, err) = ports_json(&sb, &moved, None);
    assert!(err.contains("moved from") && err.contains("re-attached"), "{err}");
    assert_eq!(main["project"], "mvkeep", "{main}");
    assert_eq!(main["ports"]["redis"], 46379);
    let (again, err) = ports_json(&sb, &moved, None);
    assert_eq!(again["project"], "mvkeep");
    assert!(!err.contains("moved"), "said once: {err}");
    let (feat, _) = ports_json(&sb, &wt_path, None);
    assert_eq!((feat["project"].as_str().unwrap(), &feat["ports"]["redis"]), (wt_project.as_str(), &wt_port));
    assert_eq!(repositories(&sb).len(), 1, "no second registration: {:?}", repositories(&sb));

    // doctor --fix finds nothing to forget or register anew; the worktree keeps its slot.
    let out = cfn_with(&sb, &moved, V2, &["doctor", "--fix"]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(!text.contains("fixed: forgot") && !text.contains("fixed: registered worktree"), "{text}");
    let (feat, _) = ports_json(&sb, &moved, Some("feat"));
    assert_eq!(feat["ports"]["redis"], wt_port);

    // The stack is still the repository's: down and up again find the same volume and data.
    cfn_with(&sb, &moved, V2, &["down"]).assert().success();
    assert!(containers_of("mvkeep").is_empty(), "down stopped the stack that ran before the move");
    cfn_with(&sb, &moved, V2, &["up", "--timeout", "60"]).assert().success();
    assert_eq!(volumes_of("mvkeep"), volumes);
    assert!(volumes_of("mvkeep-renamed").is_empty());
    assert_eq!(redis(46379, &["GET", "kept"]), "$3\r\nyes\r\n");
    cfn_with(&sb, &moved, V2, &["down"]).assert().success();
}

#[test]
fn moving_the_main_checkout_and_its_worktrees_keeps_the_worktrees_leases() {
    let sb = Sandbox::new();
    let parent = sb.path().join("before");
    std::fs::create_dir(&parent).unwrap();
    let root = sb.repo("before/mvall", &[("docker-compose.yml", &compose(46479))]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let old_wt = PathBuf::from(wt["path"].as_str().unwrap());
    assert!(old_wt.starts_with(&parent), "{old_wt:?}");

    let after = sb.path().join("after");
    move_dir(&parent, &after);
    let moved = after.join("mvall");
    let new_wt = after.join(old_wt.file_name().unwrap());
    git(&moved, &["worktree", "repair", new_wt.to_str().unwrap()]);

    // Opening the moved repository re-attaches it and the worktrees git now lists elsewhere.
    let out = sb.cfn(&moved, &["doctor", "--fix"]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(text.contains("worktree feat moved from") && text.contains("re-attached"), "{text}");
    assert!(!text.contains("fixed: forgot") && !text.contains("fixed: registered worktree"), "{text}");
    let (feat, _) = ports_json(&sb, &new_wt, None);
    assert_eq!(feat["project"], wt["project"]);
    assert_eq!(feat["ports"], wt["ports"]);

    // A worktree moved on its own (then repaired) is re-attached by doctor --fix, not forgotten
    // and registered anew on other ports.
    let alone = sb.path().join("feat-alone");
    move_dir(&new_wt, &alone);
    git(&moved, &["worktree", "repair", alone.to_str().unwrap()]);
    let out = sb.cfn(&moved, &["doctor"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "a moved worktree is a warning: {text}");
    assert!(text.contains("worktree feat: moved from"), "{text}");
    assert!(!text.contains("is gone") && !text.contains("not registered"), "{text}");
    let out = sb.cfn(&moved, &["doctor", "--fix"]).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), stderr(&out));
    assert!(text.contains("fixed: re-attached worktree feat moved from"), "{text}");
    assert!(!text.contains("fixed: forgot") && !text.contains("fixed: registered worktree"), "{text}");
    let (feat, _) = ports_json(&sb, &alone, None);
    assert_eq!((&feat["project"], &feat["ports"]), (&wt["project"], &wt["ports"]));
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1);
}

#[test]
fn a_copied_checkout_is_a_repository_of_its_own() {
    let sb = Sandbox::new();
    let root = sb.repo("cpsrc", &[("docker-compose.yml", &compose(46579))]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);

    let copy = sb.path().join("cpsrc-copy");
    let cp = std::process::Command::new("cp").arg("-a").arg(&root).arg(&copy).status().unwrap();
    assert!(cp.success());
    let (theirs, err) = ports_json(&sb, &copy, None);
    assert!(err.contains("is a copy of the checkout at"), "{err}");
    let copy_project = theirs["project"].as_str().unwrap().to_string();
    assert_ne!(copy_project, "cpsrc", "two checkouts never share a compose project");
    // The copy's doctor --fix leaves the original's worktree to the original.
    sb.cfn(&copy, &["doctor", "--fix"]).output().unwrap();

    let (ours, err) = ports_json(&sb, &root, None);
    assert_eq!(ours["project"], "cpsrc");
    assert!(!err.contains("copy") && !err.contains("moved"), "{err}");
    let (feat, _) = ports_json(&sb, &root, Some("feat"));
    assert_eq!((&feat["project"], &feat["ports"]), (&wt["project"], &wt["ports"]));
    let (again, _) = ports_json(&sb, &copy, None);
    assert_eq!(again["project"].as_str(), Some(copy_project.as_str()), "the copy stays itself");
    assert_eq!(repositories(&sb).len(), 2);
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1);
}

#[test]
fn a_clone_in_the_place_a_repository_left_gets_a_name_of_its_own() {
    let sb = Sandbox::new();
    let root = sb.repo("mvclone", &[("docker-compose.yml", &compose(46679))]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    git(&root, &["add", "cfn.toml"]);
    git(&root, &["commit", "-q", "-m", "cfn"]);
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);

    let moved = sb.path().join("mvclone-moved");
    move_dir(&root, &moved);
    git(sb.path(), &["clone", "-q", moved.to_str().unwrap(), root.to_str().unwrap()]);
    // Before the moved checkout is used again, a prune there must not take its worktree away.
    sb.cfn(sb.path(), &["worktree", "prune", "--all"]).output().unwrap();
    assert_eq!(sb.count("SELECT COUNT(*) FROM worktrees"), 1, "the moved repository's worktree stays");

    let (clone, err) = ports_json(&sb, &root, None);
    assert!(err.contains("is not this checkout"), "{err}");
    assert_ne!(clone["project"], "mvclone", "the clone does not take the moved repository's project");

    git(&moved, &["worktree", "repair"]);
    let (back, err) = ports_json(&sb, &moved, None);
    assert!(err.contains("moved from"), "{err}");
    assert_eq!(back["project"], "mvclone");
    let (feat, _) = ports_json(&sb, &moved, Some("feat"));
    assert_eq!((&feat["project"], &feat["ports"]), (&wt["project"], &wt["ports"]));
    let (clone_again, _) = ports_json(&sb, &root, None);
    assert_eq!(clone_again["project"], clone["project"]);
    assert_eq!(repositories(&sb).len(), 2, "{:?}", repositories(&sb));
}
