//! Errors a user meets by accident say what is wrong, with which file, and what to do (a
//! `hint:` line) — never a raw SQLite or protocol message — and `cfn doctor` reports a broken
//! state database as a failed check instead of dying on it.

use crate::harness::*;
use serde_json::Value;
use std::path::Path;

/// A repository with one Redis key, `cfn init`ed.
fn repo(sb: &Sandbox) -> std::path::PathBuf {
    let root = sb.repo(
        "errs",
        &[(
            "docker-compose.yml",
            "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"6379:6379\"]\n",
        )],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

/// Runs cfn and returns (exit code, stderr); the error has exactly one `hint:` line.
fn fails(sb: &Sandbox, dir: &Path, args: &[&str]) -> (i32, String) {
    let out = sb.cfn(dir, args).output().unwrap();
    let err = stderr(&out);
    assert_eq!(err.lines().filter(|l| l.starts_with("hint: ")).count(), 1, "cfn {args:?}: {err}");
    (out.status.code().unwrap(), err)
}

/// `cfn doctor --json`: its exit code and the check named `name`.
fn doctor_check(sb: &Sandbox, dir: &Path, name: &str) -> (i32, Value) {
    let out = sb.cfn(dir, &["doctor", "--json"]).output().unwrap();
    let checks: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor printed no JSON ({e}): {}", stderr(&out)));
    let check = checks.as_array().unwrap().iter().find(|c| c["name"] == name).cloned();
    (out.status.code().unwrap(), check.unwrap_or_else(|| panic!("no {name} check: {checks}")))
}

#[test]
fn a_zero_port_in_cfn_toml_is_a_config_error_not_a_sql_constraint() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap().replace("base = 6379", "base = 0");
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let (code, err) = fails(&sb, &root, &["ports"]);
    assert_eq!(code, 1);
    assert!(err.contains("cfn.toml: ports.keys.redis.base must be a port number from 1 to 65535"), "{err}");
    assert!(!err.contains("CHECK"), "{err}");
    let (code, check) = doctor_check(&sb, &root, "config");
    assert_eq!((code, check["status"].as_str()), (1, Some("fail")), "{check}");
    assert!(check["message"].as_str().unwrap().contains("base must be a port number"), "{check}");
}

#[test]
fn a_damaged_state_database_is_kept_aside_named_and_reported_by_doctor() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let db = sb.home.join("state.db");
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    std::fs::remove_file(sb.home.join("state.db-wal")).ok();
    std::fs::remove_file(sb.home.join("state.db-shm")).ok();
    std::fs::write(&db, &garbage).unwrap();

    let out = sb.cfn(&root, &["ports"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let aside: Vec<_> = std::fs::read_dir(&sb.home)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("state.db.corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), garbage, "the damaged file is never overwritten");
    let said = format!("warning: the state database was damaged: it is kept as {}", aside[0].display());
    assert!(err.contains(&said), "{err}");
    let (code, check) = doctor_check(&sb, &root, "state");
    assert_eq!((code, check["status"].as_str()), (0, Some("warn")), "{check}");
    assert!(check["message"].as_str().unwrap().contains(&aside[0].display().to_string()), "{check}");
}

#[test]
fn a_state_database_that_cannot_be_opened_is_named_with_what_to_do() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let home = sb.path().join("odd-home");
    std::fs::create_dir_all(home.join("state.db")).unwrap(); // a directory where the file should be
    let out = sb.cfn(&root, &["ports"]).env("CFN_HOME", &home).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("cannot open the state database {}/state.db for writing", home.display())));
    assert!(err.contains("hint: make") && err.contains("CFN_HOME"), "{err}");
    let out = sb.cfn(&root, &["doctor"]).env("CFN_HOME", &home).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("fail  state"), "{}", text(&out.stdout));

    // CFN_HOME below a file: the directory cannot even be created.
    let file = sb.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let out = sb.cfn(&root, &["ports"]).env("CFN_HOME", file.join("cfn")).output().unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("cannot create the state directory") && err.contains("hint: point CFN_HOME"),
        "{err}"
    );
}

/// A read-only file system under `dir` (root: a tmpfs remounted read-only), unmounted on drop.
struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn with_file(dir: &Path, name: &str, contents: &[u8]) -> Option<ReadOnlyMount> {
        std::fs::create_dir_all(dir).unwrap();
        let mount = |args: &[&str]| {
            std::process::Command::new("mount").args(args).status().is_ok_and(|s| s.success())
        };
        let d = dir.to_str().unwrap();
        if !require(
            mount(&["-t", "tmpfs", "-o", "size=4m", "tmpfs", d]),
            "mount (root) for a read-only file system",
        ) {
            return None;
        }
        let guard = ReadOnlyMount(dir.to_path_buf());
        std::fs::write(dir.join(name), contents).unwrap();
        assert!(mount(&["-o", "remount,ro", d]), "remount read-only");
        Some(guard)
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_read_only_state_directory_is_named_with_what_to_do() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let db = std::fs::read(sb.home.join("state.db")).unwrap();
    let ro = sb.path().join("ro-home");
    let root_user = std::process::Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let _mount = if root_user {
        // Permissions do not stop root: only a read-only file system does.
        let Some(m) = ReadOnlyMount::with_file(&ro, "state.db", &db) else { return };
        Some(m)
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::create_dir_all(&ro).unwrap();
        std::fs::write(ro.join("state.db"), &db).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
        None
    };
    let out = sb.cfn(&root, &["ports"]).env("CFN_HOME", &ro).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{}/state.db", ro.display())), "names the file: {err}");
    assert!(err.contains(&format!("hint: make {} a directory you can write", ro.display())), "{err}");
    let out = sb.cfn(&root, &["doctor"]).env("CFN_HOME", &ro).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("fail  state"), "{}", text(&out.stdout));
    if !root_user {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

#[test]
fn a_damaged_state_database_that_cannot_be_moved_aside_is_named_and_kept() {
    let sb = Sandbox::new();
    let root = repo(&sb);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 + 3) as u8).collect();
    let ro = sb.path().join("ro-damaged");
    let root_user = std::process::Command::new("id").arg("-u").output().unwrap().stdout == b"0\n";
    let _mount = if root_user {
        let Some(m) = ReadOnlyMount::with_file(&ro, "state.db", &garbage) else { return };
        Some(m)
    } else {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::create_dir_all(&ro).unwrap();
        std::fs::write(ro.join("state.db"), &garbage).unwrap();
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o500)).unwrap();
        None
    };
    let db = ro.join("state.db");
    let out = sb.cfn(&root, &["ports"]).env("CFN_HOME", &ro).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let said = format!("error: the state database {} is damaged and could not be moved aside", db.display());
    assert!(err.contains(&said), "{err}");
    assert!(err.contains("hint: move it aside yourself"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), garbage, "the damaged file is never overwritten");
    let out = sb.cfn(&root, &["doctor"]).env("CFN_HOME", &ro).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("fail  state"), "{}", text(&out.stdout));
    if !root_user {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
}

#[test]
fn dash_c_names_a_missing_directory() {
    let sb = Sandbox::new();
    let missing = sb.path().join("nonexistent");
    let (code, err) = fails(&sb, sb.path(), &["-C", missing.to_str().unwrap(), "ports"]);
    assert_eq!(code, 2);
    assert!(err.contains("the directory does not exist"), "{err}");
    let file = sb.path().join("plain-file");
    std::fs::write(&file, "").unwrap();
    let (code, err) = fails(&sb, sb.path(), &["-C", file.to_str().unwrap(), "status"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not a directory"), "{err}");
}

#[test]
fn a_redis_url_of_another_kind_of_server_says_so() {
    // A real HTTP server (busybox httpd) where Redis is expected.
    let found = std::process::Command::new("busybox").arg("httpd").arg("--help").output().is_ok();
    if !require(found, "busybox (httpd)") {
        return;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sb = Sandbox::new();
    let mut httpd = std::process::Command::new("busybox")
        .args(["httpd", "-f", "-p", &format!("127.0.0.1:{port}"), "-h", sb.path().to_str().unwrap()])
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(std::time::Instant::now() < deadline, "httpd did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let url = format!("redis://127.0.0.1:{port}");
    let (code, err) =
        fails(&sb, sb.path(), &["context", "get", "--task-id", "t", "--key", "k", "--redis-url", &url]);
    let _ = httpd.kill();
    let _ = httpd.wait();
    assert_eq!(code, 1);
    assert!(err.contains(&format!("the server at {url} is not a Redis server")), "{err}");
    assert!(!err.contains("Parse error") && !err.contains("Unexpected"), "{err}");
}

/// `cfn doctor | head -1`: the reader leaves before cfn writes. cfn stops quietly (exit 0, as a
/// Unix filter does), it does not panic with "failed printing to stdout" (exit 101). The pipe's
/// read end is closed before cfn starts, so every write fails: no race.
#[test]
fn a_reader_that_goes_away_ends_cfn_quietly() {
    let sb = Sandbox::new();
    let dir = repo(&sb);
    for args in [&["doctor"][..], &["token", "issue", "--agent", "a", "--task", "t", "--audience", "s"][..]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
        cmd.current_dir(&dir).args(args).envs(hermetic_env(&sb.home, sb.path())).stdout(writer);
        let out = cmd.output().unwrap();
        let err = stderr(&out);
        assert!(!err.contains("panicked") && !err.contains("failed printing"), "cfn {args:?}: {err}");
        assert_ne!(out.status.code(), Some(101), "cfn {args:?}: {err}");
    }
}
