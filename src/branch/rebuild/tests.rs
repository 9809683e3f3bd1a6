//! The rebuild against a real git repository and state database: what is registered, what is
//! skipped because its ports are held elsewhere, and that a second run changes nothing.

use super::*;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn env_file(dir: &Path, project: &str, branch: &str, slot: u32, port: u16) {
    std::fs::create_dir_all(dir.join(".cfn")).unwrap();
    let text = format!(
        "COMPOSE_PROJECT_NAME={project}\nWORKTREE_BRANCH={branch}\nCFN_SLOT={slot}\nCFN_REDIS_PORT={port}\n"
    );
    std::fs::write(dir.join(".cfn/env"), text).unwrap();
}

#[test]
fn registers_what_keeps_its_ports_skips_what_clashes_and_runs_once() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rbunit");
    std::fs::create_dir_all(&root).unwrap();
    let root = std::fs::canonicalize(root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["commit", "-q", "--allow-empty", "-m", "initial"]);
    for branch in ["keeps", "clashes", "foreign", "busy"] {
        let path = dir.path().join(format!("rbunit-{branch}"));
        git(&root, &["worktree", "add", "-q", "-b", branch, path.to_str().unwrap()]);
    }
    let wt = |branch: &str| std::fs::canonicalize(dir.path().join(format!("rbunit-{branch}"))).unwrap();
    // A port something else listens on is not leased again: the listener takes a port the
    // kernel says is free (a fixed one may be held by another test's connection), and the
    // repository's base port is placed so that slot 7 falls on it.
    let listener = std::net::TcpListener::bind(("0.0.0.0", 0)).unwrap();
    let base = listener.local_addr().unwrap().port() - 70;
    let port = |slot: u16| base + slot * 10;
    env_file(&wt("keeps"), "rbunit-keeps", "keeps", 4, port(4));
    env_file(&wt("clashes"), "rbunit-clashes", "clashes", 5, port(5));
    // A worktree's file naming another repository's project is not believed.
    env_file(&wt("foreign"), "victim-app", "foreign", 6, port(6));
    env_file(&wt("busy"), "rbunit-busy", "busy", 7, port(7));
    let config = Config::parse(
        &format!("[project]\nname = \"rbunit\"\n\n[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = {base}\n"),
        Path::new("cfn.toml"),
    )
    .unwrap();

    let mut state = State::open(&dir.path().join("home")).unwrap();
    // Another repository's worktree holds the port the second worktree had.
    let other = dir.path().join("other");
    let tx = state.immediate().unwrap();
    let repo = state::ensure_repository(&tx, &other, "other", &[]).unwrap();
    let mut row = NewRow::for_test(repo.id, "x", &other, 1);
    row.project = "other-x";
    let lease = Lease { key: "redis".into(), port: port(5), protocol: Some(crate::protocol::Protocol::Tcp) };
    WorktreeRow::insert(&tx, &row, &[lease]).unwrap();
    tx.commit().unwrap();

    assert!(needed(state.conn(), &root, &config).unwrap());
    let rebuilt = rebuild(&mut state, &root, &config).unwrap();
    let got: Vec<(&str, u32, &'static str)> =
        rebuilt.registered.iter().map(|r| (r.branch.as_str(), r.slot, r.source)).collect();
    assert_eq!(got, [("keeps", 4, ".cfn/env")]);
    let skipped = rebuilt.skipped.join("\n");
    assert_eq!(rebuilt.skipped.len(), 3, "{skipped}");
    assert!(
        skipped.contains(&format!("clashes cannot keep what it had (port {}/tcp is leased)", port(5))),
        "{skipped}"
    );
    assert!(
        skipped.contains("foreign cannot keep what it had (compose project victim-app is not this branch's)")
    );
    assert!(skipped
        .contains(&format!("busy cannot keep what it had (port {}/tcp is in use on this machine)", port(7))));
    let repo_id = state::find_repository(state.conn(), &root).unwrap().unwrap().id;
    let row = WorktreeRow::find_by_branch(state.conn(), repo_id, "keeps").unwrap().unwrap();
    assert_eq!(
        (row.project.as_str(), row.path.as_path(), row.ports["redis"]),
        ("rbunit-keeps", wt("keeps").as_path(), port(4))
    );
    assert!(row.operation.is_none() && row.state == state::WorktreeState::Ready);
    let event = state::last_rebuilt(state.conn(), &root).unwrap().unwrap();
    let said = format!("keeps (slot 4, redis {}) from .cfn/env", port(4));
    assert!(event.recent && event.message.contains(&said), "{event:?}");

    // Once the repository is known, nothing triggers it again, and running it changes nothing.
    assert!(!needed(state.conn(), &root, &config).unwrap());
    let again = rebuild(&mut state, &root, &config).unwrap();
    assert!(again.registered.is_empty());
    assert_eq!(WorktreeRow::list(state.conn(), repo_id).unwrap().len(), 1);
    drop(listener);
}

#[test]
fn the_main_checkouts_project_is_recovered_only_when_cfn_could_have_given_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = State::open(&dir.path().join("home")).unwrap();
    let root = dir.path().join("shop");
    let config = Config::parse("[project]\nname = \"shop\"\n", Path::new("cfn.toml")).unwrap();
    assert_eq!(repo_project(state.conn(), &root, &config).unwrap(), "shop");
    // A second clone of the project ran under a name made unique by its root.
    let unique = crate::names::disambiguated("shop", &root.to_string_lossy());
    env_file(&root, &unique, "main", 0, 46379);
    assert_eq!(repo_project(state.conn(), &root, &config).unwrap(), unique);
    // Any other name is not believed.
    env_file(&root, "victim", "main", 0, 46379);
    assert_eq!(repo_project(state.conn(), &root, &config).unwrap(), "shop");
}

#[test]
fn a_env_file_is_believed_only_for_its_own_slots_ports() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rbscheme");
    std::fs::create_dir_all(&root).unwrap();
    let root = std::fs::canonicalize(root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["commit", "-q", "--allow-empty", "-m", "initial"]);
    let branches = ["owner", "copycat", "offscheme", "basey", "honest", "ownstride"];
    for branch in branches {
        let path = dir.path().join(format!("rbscheme-{branch}"));
        git(&root, &["worktree", "add", "-q", "-b", branch, path.to_str().unwrap()]);
    }
    let wt = |branch: &str| std::fs::canonicalize(dir.path().join(format!("rbscheme-{branch}"))).unwrap();
    // Slot 17 is 46379 + 17 × 10: two files name it, so neither is believed.
    env_file(&wt("owner"), "rbscheme-owner", "owner", 17, 46549);
    env_file(&wt("copycat"), "rbscheme-copycat", "copycat", 17, 46549);
    // Another slot's port under its own slot; the main checkout's base port.
    env_file(&wt("offscheme"), "rbscheme-offscheme", "offscheme", 8, 46560);
    env_file(&wt("basey"), "rbscheme-basey", "basey", 9, 46379);
    env_file(&wt("honest"), "rbscheme-honest", "honest", 12, 46499);
    // The scheme is the one of the configuration governing the worktree: its own stride.
    std::fs::write(
        wt("ownstride").join("cfn.toml"),
        "[ports]\nstride = 20\n\n[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 46379\n",
    )
    .unwrap();
    env_file(&wt("ownstride"), "rbscheme-ownstride", "ownstride", 14, 46379 + 14 * 20);
    let config = Config::parse(
        "[project]\nname = \"rbscheme\"\n\n[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 46379\n",
        Path::new("cfn.toml"),
    )
    .unwrap();
    let mut state = State::open(&dir.path().join("home")).unwrap();
    let rebuilt = rebuild(&mut state, &root, &config).unwrap();
    let got: Vec<(&str, u32)> = rebuilt.registered.iter().map(|r| (r.branch.as_str(), r.slot)).collect();
    assert_eq!(got, [("honest", 12), ("ownstride", 14)]);
    let skipped = rebuilt.skipped.join("\n");
    assert_eq!(rebuilt.skipped.len(), 4, "{skipped}");
    for branch in ["owner", "copycat"] {
        let line = format!("{branch} cannot keep what it had (slot 17 is named by the .cfn/env of another worktree too); `cfn doctor --fix` registers it on new ports");
        assert!(skipped.contains(&line), "{skipped}");
    }
    assert!(
        skipped.contains(
            "offscheme cannot keep what it had (.cfn/env gives redis port 46560, but slot 8's is 46459)"
        ),
        "{skipped}"
    );
    assert!(
        skipped.contains("basey cannot keep what it had (port 46379 is a base port of this repository)"),
        "{skipped}"
    );
    let leased: i64 = state
        .conn()
        .query_row("SELECT count(*) FROM leases WHERE port IN (46549, 46560, 46379)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(leased, 0, "no port named by an unbelieved file is leased");
}

/// A branch may choose its own base port, so a file "on its own scheme" can still aim at another
/// stopped branch's port: then neither file is believed for it (both lose it, the aimer never
/// wins it).
#[test]
fn a_port_named_by_two_env_files_goes_to_neither() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("rbaim");
    std::fs::create_dir_all(&root).unwrap();
    let root = std::fs::canonicalize(root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["commit", "-q", "--allow-empty", "-m", "initial"]);
    for branch in ["victim", "aimer"] {
        let path = dir.path().join(format!("rbaim-{branch}"));
        git(&root, &["worktree", "add", "-q", "-b", branch, path.to_str().unwrap()]);
    }
    let wt = |branch: &str| std::fs::canonicalize(dir.path().join(format!("rbaim-{branch}"))).unwrap();
    // The victim's honest port in slot 20; the aimer's own base puts its slot 3 on it.
    env_file(&wt("victim"), "rbaim-victim", "victim", 20, 46379 + 20 * 10);
    std::fs::write(
        wt("aimer").join("cfn.toml"),
        "[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 46549\n",
    )
    .unwrap();
    env_file(&wt("aimer"), "rbaim-aimer", "aimer", 3, 46549 + 3 * 10);
    let config = Config::parse(
        "[project]\nname = \"rbaim\"\n\n[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 46379\n",
        Path::new("cfn.toml"),
    )
    .unwrap();
    let mut state = State::open(&dir.path().join("home")).unwrap();
    let rebuilt = rebuild(&mut state, &root, &config).unwrap();
    assert!(rebuilt.registered.is_empty(), "{:?}", rebuilt.skipped);
    let skipped = rebuilt.skipped.join("\n");
    for branch in ["victim", "aimer"] {
        let line = format!(
            "{branch} cannot keep what it had (port 46579 is named by the .cfn/env of another worktree too)"
        );
        assert!(skipped.contains(&line), "{skipped}");
    }
}
