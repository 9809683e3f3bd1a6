//! `cfn data` and `worktree add --data-from` on the real engine: a Redis with a named volume
//! (append-only file under /data) copied between branches, snapshotted and restored; copies
//! killed at each crash point and cleaned by `doctor --fix`; bad input refused with nothing
//! left behind.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;
use std::path::{Path, PathBuf};

/// A worktree's project, path and Redis port from `worktree list --json`.
fn worktree(s: &SmallStack, branch: &str) -> (String, PathBuf, u16) {
    let list = s.sb.json(&s.root, &["worktree", "list", "--json"]);
    let w = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["branch"] == branch)
        .unwrap_or_else(|| panic!("{branch}: {list}"));
    (
        w["project"].as_str().unwrap().to_string(),
        PathBuf::from(w["path"].as_str().unwrap()),
        w["ports"]["redis"].as_u64().unwrap() as u16,
    )
}

fn up(s: &SmallStack, dir: &Path) {
    s.cfn(dir, &["up", "--timeout", "60"]).assert().success();
}

fn down(s: &SmallStack, dir: &Path) {
    s.cfn(dir, &["down"]).assert().success();
}

fn get(port: u16, key: &str) -> String {
    redis(port, &["GET", key])
}

/// Writes `bytes` random bytes to the file `big` of volume `volume`.
fn fill_volume(volume: &str, bytes: u64) {
    let write = format!("head -c {bytes} /dev/urandom > /data/big");
    let mount = format!("{volume}:/data");
    assert!(docker_ok(&[
        "run",
        "--rm",
        "-v",
        &mount,
        "--entrypoint",
        "sh",
        "cfn-test/redis:1",
        "-c",
        &write
    ]));
}

fn tmp_volumes() -> Vec<String> {
    docker_lines(&["volume", "ls", "-q", "--filter", "label=dev.cfn.data-tmp=1"])
}

#[test]
fn data_from_copies_a_branch_and_the_copy_is_isolated() {
    let Some(s) = SmallStack::new("cfndata1", "") else { return };
    up(&s, &s.wt);
    assert!(redis(s.redis_port, &["SET", "k", "from-feat"]).contains("OK"));
    // the SQLite migration target, held by a writer in the middle of a transaction
    let db = s.wt.join(".cfn/data/app.db");
    std::fs::create_dir_all(db.parent().unwrap()).unwrap();
    let writer = rusqlite::Connection::open(&db).unwrap();
    writer
        .execute_batch(
            "CREATE TABLE t(v); INSERT INTO t VALUES ('committed'); BEGIN; INSERT INTO t VALUES ('open');",
        )
        .unwrap();

    // the source's Redis runs: refused; the worktree stays, with empty data, and says so
    let out = s.cfn(&s.root, &["worktree", "add", "b2", "--data-from", "feat"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error: created b2") && err.contains("is running"), "{err}");
    assert!(err.contains("hint: ") && err.contains("cfn data clone --from feat -b b2"), "{err}");
    let (b2_project, b2, b2_port) = worktree(&s, "b2");
    let _cleanup = Cleanup(vec![b2_project.clone()]);
    assert!(tmp_volumes().iter().all(|v| !v.starts_with(&b2_project)), "{:?}", tmp_volumes());

    // --stop-source stops feat's Redis for the copy (it flushes its file) and starts it again
    s.cfn(&s.root, &["data", "clone", "--from", "feat", "-b", "b2", "--stop-source", "--yes"])
        .assert()
        .success();
    assert_eq!(s.running().len(), 1, "feat's Redis runs again");
    wait_redis(s.redis_port);
    writer.execute_batch("COMMIT;").unwrap();
    let copied = rusqlite::Connection::open(b2.join(".cfn/data/app.db")).unwrap();
    let rows: Vec<String> = copied
        .prepare("SELECT v FROM t")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows, ["committed"], "the backup saw only committed rows");

    up(&s, &b2);
    assert_eq!(get(b2_port, "k"), "$9\r\nfrom-feat\r\n");
    assert!(redis(b2_port, &["SET", "k", "from-b2"]).contains("OK"));
    assert_eq!(get(s.redis_port, "k"), "$9\r\nfrom-feat\r\n", "a write in b2 never reaches feat");

    // a running target is refused, nothing changed
    let out = s.cfn(&s.root, &["data", "clone", "--from", "feat", "-b", "b2", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("hint: stop it first: `cfn down -b b2`"), "{}", stderr(&out));
    assert_eq!(get(b2_port, "k"), "$7\r\nfrom-b2\r\n");
    down(&s, &b2);
    down(&s, &s.wt);
}

#[test]
fn snapshot_and_restore_bring_old_data_back() {
    let Some(s) = SmallStack::new("cfndata2", "") else { return };
    up(&s, &s.wt);
    assert!(redis(s.redis_port, &["SET", "k", "old"]).contains("OK"));
    // a running stack is refused without --stop
    let out = s.cfn(&s.wt, &["data", "snapshot", "before"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--stop"), "{}", stderr(&out));
    s.cfn(&s.wt, &["data", "snapshot", "before", "--stop"]).assert().success();
    assert_eq!(s.running().len(), 1);
    wait_redis(s.redis_port);
    let dir = s.sb.home.join("snapshots").join("cfndata2").join("before");
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert!(dir.join("data.tar.zst").is_file());
    let list = s.sb.json(&s.root, &["data", "list", "--json"]);
    assert_eq!(list[0]["name"], "before");
    assert_eq!(list[0]["branch"], "feat");
    assert!(list[0]["volumes"][0]["tar_bytes"].as_u64().unwrap() > 0);

    assert!(redis(s.redis_port, &["SET", "k", "new"]).contains("OK"));
    down(&s, &s.wt);
    // no terminal and no --yes: refused, exit 2
    let out = s.cfn(&s.wt, &["data", "restore", "before"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    s.cfn(&s.wt, &["data", "restore", "before", "--yes"]).assert().success();
    up(&s, &s.wt);
    assert_eq!(get(s.redis_port, "k"), "$3\r\nold\r\n");
    down(&s, &s.wt);

    // a snapshot from a database with migrations the branch lacks is refused
    let meta_path = dir.join("meta.json");
    let mut meta: serde_json::Value = serde_json::from_slice(&std::fs::read(&meta_path).unwrap()).unwrap();
    meta["migration_version"] = 99.into();
    std::fs::write(&meta_path, serde_json::to_vec(&meta).unwrap()).unwrap();
    let out = s.cfn(&s.wt, &["data", "restore", "before", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("migration 99") && stderr(&out).contains("hint: "), "{}", stderr(&out));

    s.cfn(&s.root, &["data", "rm", "before"]).assert().success();
    assert!(!dir.exists());
    let out = s.cfn(&s.root, &["data", "restore", "before", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("no snapshot named before"), "{}", stderr(&out));
}

/// Kills a clone of feat into main at `point` (with `env`); returns main's value of `k` after
/// `doctor --fix`, and sets it back to `main`. `journal` checks the swap's journal entry the
/// kill left, when there is one.
fn crash_then_fix(s: &SmallStack, point: &str, env: &[(&str, &str)], journal: fn(&str)) -> String {
    let mut env = env.to_vec();
    env.push(("CFN_CRASH_AT", point));
    let out =
        s.spawn(&s.root, &["data", "clone", "--from", "feat", "--yes"], &env).wait_with_output().unwrap();
    assert!(stderr(&out).contains(&format!("crash point {point} reached")), "{}", stderr(&out));
    assert!(tmp_volumes().iter().any(|v| v.starts_with("cfndata3")), "the crash leaves the temporary volume");
    let pending = s.sb.home.join("data/pending");
    for entry in std::fs::read_dir(&pending).into_iter().flatten().flatten() {
        journal(&std::fs::read_to_string(entry.path()).unwrap());
    }
    let out = s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(said.contains("interrupted data copy"), "{said}");
    assert!(tmp_volumes().iter().all(|v| !v.starts_with("cfndata3")), "{:?}", tmp_volumes());
    up(s, &s.root);
    let port = s.sb.json(&s.root, &["ports", "--json"])["ports"]["redis"].as_u64().unwrap() as u16;
    let value = get(port, "k");
    assert!(redis(port, &["SET", "k", "main"]).contains("OK"));
    down(s, &s.root);
    value
}

/// A swap journalled by a copy made on the host: it records the temporary folder's inode.
fn exchanged(entry: &str) {
    assert!(entry.contains("\"tmp_inode\""), "{entry}");
}

/// A swap journalled by a copy made in helper containers.
fn copied_in_helpers(entry: &str) {
    assert!(!entry.contains("tmp_inode"), "{entry}");
}

#[test]
fn a_killed_copy_leaves_old_data_or_finishes_after_doctor_fix() {
    let Some(s) = SmallStack::new("cfndata3", "") else { return };
    up(&s, &s.root);
    let main_port = s.sb.json(&s.root, &["ports", "--json"])["ports"]["redis"].as_u64().unwrap() as u16;
    assert!(redis(main_port, &["SET", "k", "main"]).contains("OK"));
    down(&s, &s.root);
    up(&s, &s.wt);
    assert!(redis(s.redis_port, &["SET", "k", "feat"]).contains("OK"));
    down(&s, &s.wt);

    // a new branch's volume is filled directly; killed mid-way, doctor deletes it
    s.cfn(&s.root, &["worktree", "add", "b9"]).assert().success();
    let (b9_project, _, _) = worktree(&s, "b9");
    let _cleanup = Cleanup(vec![b9_project.clone()]);
    let out = s
        .spawn(
            &s.root,
            &["data", "clone", "--from", "feat", "-b", "b9", "--yes"],
            &[("CFN_CRASH_AT", "data:1")],
        )
        .wait_with_output()
        .unwrap();
    assert!(stderr(&out).contains("crash point data:1 reached"), "{}", stderr(&out));
    assert_eq!(volumes_of(&b9_project).len(), 1);
    // while the branch's lock is held (as by a copy still running) doctor leaves it alone
    let lock = std::fs::File::open(s.sb.home.join("locks").join(format!("{b9_project}.lock"))).unwrap();
    lock.try_lock().unwrap();
    s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    assert_eq!(volumes_of(&b9_project).len(), 1, "a locked copy is not touched");
    drop(lock);
    let out = s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(said.contains("an interrupted data copy had created"), "{said}");
    assert!(volumes_of(&b9_project).is_empty(), "{:?}", volumes_of(&b9_project));

    // killed while the temporary was complete but not yet recorded: main keeps its data
    assert_eq!(crash_then_fix(&s, "data:1", &[], exchanged), "$4\r\nmain\r\n");
    // copied on the host (cfn runs as root beside the engine): killed before the folders were
    // exchanged, doctor exchanges them; killed after, it sees the exchange done and keeps it
    assert_eq!(crash_then_fix(&s, "data:2", &[], exchanged), "$4\r\nfeat\r\n");
    assert_eq!(crash_then_fix(&s, "data:3", &[], exchanged), "$4\r\nfeat\r\n");
    // copied in helper containers: killed after main was emptied, doctor copies the temporary in
    let helpers = [("CFN_DATA_COPY", "helper")];
    assert_eq!(crash_then_fix(&s, "data:3", &helpers, copied_in_helpers), "$4\r\nfeat\r\n");
}

#[test]
fn bad_sources_are_refused_before_anything_is_created() {
    let Some(s) = SmallStack::new("cfndata4", "") else { return };
    let out = s.cfn(&s.root, &["worktree", "add", "b3", "--data-from", "nosuch"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error: --data-from nosuch: no such branch or snapshot"), "{err}");
    assert!(err.contains("hint: "), "{err}");
    assert!(!branches(&s.root).contains(&"b3".to_string()));
    // feat's stack never ran: it has no volume to copy
    let out = s.cfn(&s.root, &["data", "clone", "--from", "feat", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("has no volume data yet") && stderr(&out).contains("cfn up -b feat"),
        "{}",
        stderr(&out)
    );
    let out = s.cfn(&s.wt, &["data", "clone", "--from", "feat", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(tmp_volumes().iter().all(|v| !v.starts_with("cfndata4")));
}

#[test]
fn a_copy_that_does_not_fit_is_refused_before_anything_is_written() {
    let Some(s) = SmallStack::new("cfndata5", "") else { return };
    up(&s, &s.wt);
    down(&s, &s.wt);
    let source = format!("{}_data", s.project);
    fill_volume(&source, 4194304);
    // copied on the host: its free space (set by the test-only override) is too small
    let out = s
        .spawn(&s.root, &["data", "clone", "--from", "feat", "--yes"], &[("CFN_TEST_FREE_KIB", "1024")])
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error: not enough disk space to copy "), "{}", stderr(&out));
    assert!(volumes_of("cfndata5").is_empty(), "main's volume was not created");
    // main's volume lives on a real 1 MiB tmpfs: the 4 MiB copy cannot fit
    assert!(docker_ok(&[
        "volume",
        "create",
        "--driver",
        "local",
        "--opt",
        "type=tmpfs",
        "--opt",
        "device=tmpfs",
        "--opt",
        "o=size=1m",
        "--label",
        "com.docker.compose.project=cfndata5",
        "--label",
        "com.docker.compose.volume=data",
        "cfndata5_data",
    ]));
    let out = s.cfn(&s.root, &["data", "clone", "--from", "feat", "--yes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.starts_with("error: not enough disk space to copy "), "{err}");
    assert!(err.contains("about 4.0 MiB needed") && err.contains("hint: free some space"), "{err}");
    assert!(tmp_volumes().iter().all(|v| !v.starts_with("cfndata5")), "{:?}", tmp_volumes());

    // a snapshot, with the free space of CFN_HOME's filesystem set by the test-only override
    let out = s
        .spawn(&s.wt, &["data", "snapshot", "tight"], &[("CFN_TEST_FREE_KIB", "1024")])
        .wait_with_output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: not enough disk space to copy the snapshot"),
        "{}",
        stderr(&out)
    );
    let root = s.sb.home.join("snapshots").join("cfndata5");
    assert_eq!(std::fs::read_dir(&root).map(|d| d.count()).unwrap_or(0), 0, "nothing half-written is left");
}

/// A copy killed mid-way leaves a stopped helper container mounting the branch's volume; a
/// remove with --volumes — also one retried after a remove that was killed — removes the helper
/// and the volume, and never says "nothing is left" while the volume is still there.
#[test]
fn remove_with_volumes_clears_a_killed_copys_helper_and_the_volume() {
    let Some(s) = SmallStack::new("cfndata8", "") else { return };
    up(&s, &s.wt);
    down(&s, &s.wt);
    let volume = format!("{}_data", s.project);
    assert!(docker_lines(&["volume", "ls", "-q"]).contains(&volume));
    let helper = docker_lines(&[
        "create",
        "--label",
        "dev.cfn.data-helper=1",
        "-v",
        &format!("{volume}:/to"),
        "cfn-test/redis:1",
        "true",
    ]);
    assert_eq!(helper.len(), 1, "{helper:?}");

    // the remove is killed after it stopped the stack, then asked again with --volumes
    let out = s
        .cfn(&s.root, &["worktree", "remove", "feat", "--volumes", "--yes"])
        .env("CFN_CRASH_AT", "remove:2")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = s.cfn(&s.root, &["worktree", "remove", "feat", "--volumes", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!docker_lines(&["volume", "ls", "-q"]).contains(&volume), "the volume is gone");
    let left = docker_lines(&[
        "ps",
        "-aq",
        "--filter",
        "label=dev.cfn.data-helper=1",
        "--filter",
        &format!("volume={volume}"),
    ]);
    assert!(left.is_empty(), "the helper is gone: {left:?}");
}

/// A stopped data helper (a killed copy's `du`, `df` or `cp`) is reported by `doctor` and removed
/// by `doctor --fix`; a fresh one (a copy of another process may be about to remove it) is not.
#[test]
fn doctor_reports_and_removes_a_killed_copys_helper() {
    let Some(s) = SmallStack::new("cfndata9", "") else { return };
    // made the way cfn makes them: labelled with the CFN_HOME of the cfn that made it
    let home = format!("dev.cfn.data-home={}", s.sb.home.display());
    let helper = docker_lines(&[
        "create",
        "--label",
        "dev.cfn.data-helper=1",
        "--label",
        &home,
        "cfn-test/redis:1",
        "true",
    ]);
    assert_eq!(helper.len(), 1, "{helper:?}");
    let id = &helper[0];
    let exists = || !docker_lines(&["ps", "-aq", "--no-trunc", "--filter", &format!("id={id}")]).is_empty();
    let out = s.cfn(&s.root, &["doctor"]).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("data helper left"),
        "a fresh helper is not judged"
    );
    // tests cannot age a container: debug builds take the grace period from the environment
    let out = s.cfn(&s.root, &["doctor"]).env("CFN_TEST_HELPER_GRACE_SECS", "-1").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(text.contains("is a data helper left by an interrupted copy"), "{text}");
    assert!(exists(), "doctor without --fix changes nothing");
    s.cfn(&s.root, &["doctor", "--fix", "--yes"]).env("CFN_TEST_HELPER_GRACE_SECS", "-1").output().unwrap();
    assert!(!exists(), "doctor --fix removed the helper");
}

/// A copy killed after `--stop-source` stopped the source leaves it stopped: `doctor` names it,
/// `doctor --fix` starts it again.
#[test]
fn a_source_stopped_by_a_killed_copy_is_started_by_doctor_fix() {
    let Some(s) = SmallStack::new("cfndata7", "") else { return };
    up(&s, &s.wt);
    s.cfn(&s.root, &["worktree", "add", "b7"]).assert().success();
    let (b7_project, _, _) = worktree(&s, "b7");
    let _cleanup = Cleanup(vec![b7_project]);
    let out = s
        .cfn(&s.root, &["data", "clone", "--from", "feat", "-b", "b7", "--stop-source", "--yes"])
        .env("CFN_CRASH_AT", "data:1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(s.running().is_empty(), "the killed copy left the source stopped");
    let text = String::from_utf8_lossy(&s.cfn(&s.root, &["doctor"]).output().unwrap().stdout).into_owned();
    assert!(text.contains("of feat stayed stopped: a copy stopped it and was interrupted"), "{text}");
    s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    assert_eq!(s.running().len(), 1, "doctor --fix started the source again");
    let text = String::from_utf8_lossy(&s.cfn(&s.root, &["doctor"]).output().unwrap().stdout).into_owned();
    assert!(!text.contains("stayed stopped"), "{text}");
    down(&s, &s.wt);
}

/// Sends `signal` (`STOP`, `CONT`) to the process `pid`.
fn signal(pid: u32, signal: &str) {
    let status = std::process::Command::new("kill").args([&format!("-{signal}"), &pid.to_string()]).status();
    assert!(status.unwrap().success(), "kill -{signal} {pid}");
}

/// A copy holds its source's branch lock, not only its target's: while it runs (here: frozen
/// with SIGSTOP once it holds the lock), `cfn up` of the source and a copy into the source wait
/// for it, and are refused when their wait runs out, naming the copy.
#[test]
fn a_source_being_copied_is_locked_for_up_and_for_copies_into_it() {
    let Some(s) = SmallStack::new("cfndatalk", "") else { return };
    up(&s, &s.wt);
    down(&s, &s.wt);
    // 64 MiB: the copy lasts long enough to be caught holding the lock
    let source = format!("{}_data", s.project);
    fill_volume(&source, 67108864);
    let lock = s.sb.home.join("locks").join(format!("{}.lock", s.project));
    let copy = s.spawn(&s.root, &["data", "clone", "--from", "feat", "--yes"], &[]);
    let pid = copy.id();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !std::fs::read_to_string(&lock).unwrap_or_default().contains("a copy of its data into") {
        assert!(std::time::Instant::now() < deadline, "the copy never took feat's lock");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    signal(pid, "STOP");
    let held = std::fs::File::open(&lock).unwrap();
    assert!(held.try_lock().is_err(), "the copy ended before it could be frozen holding feat's lock");
    drop(held);

    let busy = format!("branch busy: a copy of its data into main (data clone) by pid {pid}");
    let out = s.cfn(&s.wt, &["up", "--timeout", "60"]).env("CFN_LOCK_WAIT", "0.5").output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&busy), "{}", stderr(&out));
    assert!(s.running().is_empty(), "the refused up started nothing");
    let out = s
        .cfn(&s.root, &["data", "clone", "--from", "main", "-b", "feat", "--yes"])
        .env("CFN_LOCK_WAIT", "0.5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains(&busy), "{}", stderr(&out));

    // an `up` with time to wait waits for the copy, says for what, and runs after it
    let waiting = s.spawn(&s.wt, &["up", "--timeout", "60"], &[("CFN_LOCK_WAIT", "60")]);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(s.running().is_empty(), "the up waits while the copy is frozen");
    signal(pid, "CONT");
    let copied = copy.wait_with_output().unwrap();
    assert!(copied.status.success(), "{}", stderr(&copied));
    let out = waiting.wait_with_output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(out.status.success(), "{said}");
    assert!(said.contains("waiting for a copy of its data into main (data clone)"), "{said}");
    assert_eq!(s.running().len(), 1);
    down(&s, &s.wt);
}

/// Compose v1 (`docker-compose`) stacks: `worktree add --data-from` and `data clone` find the
/// volumes v1 made and copy them — on the host and through helper containers — and the copy is
/// the branch's own.
#[test]
fn compose_v1_volumes_are_copied_like_v2_ones() {
    let Some(s) = SmallStack::with_compose("cfndatav1", "", V1) else { return };
    up(&s, &s.wt);
    assert!(redis(s.redis_port, &["SET", "k", "feat-1"]).contains("OK"));
    down(&s, &s.wt);
    assert_eq!(volumes_of(&s.project), [format!("{}_data", s.project)], "v1 labels its volume");

    let out = s.cfn(&s.root, &["worktree", "add", "b1", "--data-from", "feat"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let (b1_project, b1, b1_port) = worktree(&s, "b1");
    let _cleanup = Cleanup(vec![b1_project.clone()]);
    assert!(stderr(&out).contains(&format!("{b1_project}_data")), "{}", stderr(&out));
    up(&s, &b1);
    assert_eq!(get(b1_port, "k"), "$6\r\nfeat-1\r\n");
    assert!(redis(b1_port, &["SET", "k", "b1"]).contains("OK"));
    down(&s, &b1);

    // a clone replacing data, on the host, then through helpers; feat never sees b1's writes
    for (value, env) in [("feat-2", "auto"), ("feat-3", "helper")] {
        up(&s, &s.wt);
        assert_eq!(
            get(s.redis_port, "k"),
            if value == "feat-2" { "$6\r\nfeat-1\r\n" } else { "$6\r\nfeat-2\r\n" }
        );
        assert!(redis(s.redis_port, &["SET", "k", value]).contains("OK"));
        down(&s, &s.wt);
        let out = s
            .spawn(
                &s.root,
                &["data", "clone", "--from", "feat", "-b", "b1", "--yes"],
                &[("CFN_DATA_COPY", env)],
            )
            .wait_with_output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        up(&s, &b1);
        assert_eq!(get(b1_port, "k"), format!("$6\r\n{value}\r\n"));
        assert!(redis(b1_port, &["SET", "k", "b1"]).contains("OK"));
        down(&s, &b1);
    }
    assert_eq!(volumes_of(&b1_project).len(), 1, "{:?}", volumes_of(&b1_project));
    assert!(tmp_volumes().iter().all(|v| !v.starts_with("cfndatav1")), "{:?}", tmp_volumes());

    // into the main checkout, whose stack never ran: v1 then adopts the volume cfn created
    s.cfn(&s.root, &["data", "clone", "--from", "feat", "--yes"]).assert().success();
    up(&s, &s.root);
    let port = s.sb.json(&s.root, &["ports", "--json"])["ports"]["redis"].as_u64().unwrap() as u16;
    assert_eq!(get(port, "k"), "$6\r\nfeat-3\r\n");
    down(&s, &s.root);
    assert_eq!(volumes_of("cfndatav1"), ["cfndatav1_data"], "one volume, not a second one v1 made");
}
