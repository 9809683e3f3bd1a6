//! The background proxy as a real detached process: `cfn proxy start|stop|status`, its pid
//! file and log, a second start, a stale pid file (the process gone, or the pid another
//! program's), its port taken, SIGKILL of the proxy and of `start` itself, SIGTERM ignored; and
//! `[proxy] auto` starting it from `cfn up` on a real stack, with routes that follow `up`,
//! `down`, `worktree add` and `worktree remove` within a second.

use crate::harness::*;
use crate::proxy::{free_port, get, within};
use crate::small_stack::SmallStack;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Kills the background proxy of a CFN_HOME when the test ends, however it ends.
struct StopOnDrop(PathBuf);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        if let Some(pid) = pid_in(&self.0) {
            signal(pid, rustix::process::Signal::KILL);
        }
    }
}

fn pid_in(home: &Path) -> Option<i32> {
    let text = std::fs::read_to_string(home.join("proxy.pid")).ok()?;
    text.lines().find_map(|l| l.strip_prefix("pid="))?.parse().ok()
}

fn signal(pid: i32, signal: rustix::process::Signal) {
    let _ = rustix::process::kill_process(rustix::process::Pid::from_raw(pid).unwrap(), signal);
}

/// Whether `pid` is a live process (a zombie is not).
fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !matches!(s.rsplit_once(')').map(|(_, r)| r.trim_start().as_bytes()[0]), Some(b'Z' | b'X'))
    })
}

/// Field 22 of /proc/<pid>/stat: the start time.
fn start_time(pid: i32) -> String {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    stat.rsplit_once(')').unwrap().1.split_whitespace().nth(19).unwrap().to_string()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A repository whose `[proxy] port` is a free port; the port.
fn repo_with_proxy_port(sb: &Sandbox, name: &str, extra: &str) -> (PathBuf, u16) {
    let root = sb.repo(
        name,
        &[(
            "docker-compose.yml",
            "services:\n  web:\n    image: cfn-test/app:1\n    ports: [\"8080:8080\"]\n",
        )],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let port = free_port();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!("\n[proxy]\nport = {port}\n{extra}"));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    (root, port)
}

#[test]
fn the_background_proxy_starts_stops_and_recovers() {
    let sb = Sandbox::new();
    let _stop = StopOnDrop(sb.home.clone());
    let (root, port) = repo_with_proxy_port(&sb, "pxbg", "");
    let pid_file = sb.home.join("proxy.pid");

    let out = sb.cfn(&root, &["proxy", "stop"]).output().unwrap();
    assert!(out.status.success() && stderr(&out).contains("nothing to stop"), "{}", stderr(&out));

    // Started: the command returns, the proxy serves on `[proxy] port`, in a process group of
    // its own, with a private pid file and log.
    let out = sb.cfn(&root, &["proxy", "start"]).timeout(Duration::from_secs(30)).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("started the proxy in the background on http://127.0.0.1:{port}")));
    let pid = pid_in(&sb.home).expect("a pid file");
    assert!(alive(pid));
    assert_eq!((mode(&pid_file), mode(&sb.home.join("proxy.log"))), (0o600, 0o600));
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let pgrp: i32 = stat.rsplit_once(')').unwrap().1.split_whitespace().nth(2).unwrap().parse().unwrap();
    assert_eq!(pgrp, pid, "its own process group: Ctrl-C in the starting terminal does not reach it");
    assert_eq!(get(port, "nowhere.localhost", "/", "application/json").0, 404);
    let status = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!(
        (status["running"].as_bool(), status["background"]["pid"].as_i64()),
        (Some(true), Some(pid.into()))
    );
    let out = sb.cfn(&root, &["proxy", "status"]).output().unwrap();
    assert!(text(&out.stdout).contains(&format!("running in the background on 127.0.0.1:{port} (pid {pid}")));

    // A second start is a no-op that says so.
    let out = sb.cfn(&root, &["proxy", "start"]).output().unwrap();
    assert!(out.status.success() && stderr(&out).contains("already runs"), "{}", stderr(&out));
    assert_eq!(pid_in(&sb.home), Some(pid));

    // SIGKILLed: status says it does not run and cleans the pid file; start starts a new one.
    signal(pid, rustix::process::Signal::KILL);
    within(Duration::from_secs(5), || !alive(pid));
    let status = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!((status["running"].as_bool(), &status["background"]), (Some(false), &serde_json::Value::Null));
    assert!(!pid_file.exists(), "the stale pid file is removed");
    sb.cfn(&root, &["proxy", "start"]).timeout(Duration::from_secs(30)).assert().success();
    let second = pid_in(&sb.home).unwrap();
    assert_ne!(second, pid);
    assert_eq!(get(port, "nowhere.localhost", "/", "*/*").0, 404);

    // Stopped: gone, with its pid file.
    let out = sb.cfn(&root, &["proxy", "stop"]).output().unwrap();
    assert!(
        out.status.success() && stderr(&out).contains(&format!("stopped the background proxy (pid {second}"))
    );
    assert!(!alive(second) && !pid_file.exists());

    // A pid file naming another program (a reused pid, with its true start time) is stale:
    // `stop` does not signal that program, `start` starts a proxy.
    let mut other = std::process::Command::new("sleep").arg("60").spawn().unwrap();
    let other_pid = other.id() as i32;
    let stale = format!("pid={other_pid}\nport={port}\nbind=127.0.0.1\nstarted={}\n", start_time(other_pid));
    std::fs::write(&pid_file, &stale).unwrap();
    let out = sb.cfn(&root, &["proxy", "stop"]).output().unwrap();
    assert!(out.status.success() && stderr(&out).contains("nothing to stop"), "{}", stderr(&out));
    assert!(alive(other_pid), "another program's pid is never signalled");
    std::fs::write(&pid_file, &stale).unwrap();
    sb.cfn(&root, &["proxy", "start"]).timeout(Duration::from_secs(30)).assert().success();
    assert_ne!(pid_in(&sb.home), Some(other_pid));
    assert!(alive(other_pid));
    let _ = other.kill();
    let _ = other.wait();

    // A proxy that ignores SIGTERM (here: stopped, so it cannot act on it) gets SIGKILL.
    let third = pid_in(&sb.home).unwrap();
    signal(third, rustix::process::Signal::STOP);
    let out = sb.cfn(&root, &["proxy", "stop"]).timeout(Duration::from_secs(30)).output().unwrap();
    assert!(out.status.success() && stderr(&out).contains("with SIGKILL"), "{}", stderr(&out));
    assert!(!alive(third) && !pid_file.exists());

    // Its port taken by another program: one error with a hint, exit 1, nothing started.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port().to_string();
    let out = sb.cfn(&root, &["proxy", "start", "--port", &taken_port]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with(&format!("error: cannot listen on 127.0.0.1:{taken_port}")), "{err}");
    assert!(err.contains("hint: another program listens on port"), "{err}");
    assert!(!pid_file.exists(), "nothing half-created");
}

/// `cfn proxy start` killed right after it started the proxy: the proxy recorded itself, so
/// `status`, `start` and `stop` know it.
#[test]
fn a_start_killed_after_the_spawn_leaves_a_known_proxy() {
    let sb = Sandbox::new();
    let _stop = StopOnDrop(sb.home.clone());
    let (root, port) = repo_with_proxy_port(&sb, "pxcrash", "");
    let out = sb.cfn(&root, &["proxy", "start"]).env("CFN_CRASH_AT", "proxy-start:1").output().unwrap();
    assert!(!out.status.success(), "the crash point aborts `start`");
    within(Duration::from_secs(10), || pid_in(&sb.home).is_some());
    within(Duration::from_secs(10), || get(port, "nowhere.localhost", "/", "*/*").0 == 404);
    let status = sb.json(&root, &["proxy", "status", "--json"]);
    assert_eq!(status["running"], true, "{status}");
    let out = sb.cfn(&root, &["proxy", "start"]).output().unwrap();
    assert!(out.status.success() && stderr(&out).contains("already runs"), "{}", stderr(&out));
    sb.cfn(&root, &["proxy", "stop"]).assert().success();
    assert!(pid_in(&sb.home).is_none());
}

/// `[proxy] auto = true`: `cfn up` starts the background proxy (once), never fails because of
/// it, and the cached route table follows the registry within a second.
#[test]
fn up_with_auto_starts_the_proxy_and_routes_follow_the_registry() {
    let web_base = 20_000 + free_port() % 30_000;
    let extra = format!("  web:\n    image: cfn-test/app:1\n    ports: [\"{web_base}:8080\"]\n");
    let Some(stack) = SmallStack::new("pxauto", &extra) else { return };
    let _stop = StopOnDrop(stack.sb.home.clone());
    let port = free_port();
    let toml_path = stack.root.join("cfn.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    std::fs::write(&toml_path, format!("{toml}\n[proxy]\nport = {port}\n")).unwrap();

    // Off by default: `up` starts no proxy.
    let out = stack.cfn(&stack.wt, &["up", "--timeout", "120"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(pid_in(&stack.sb.home).is_none() && !stderr(&out).contains("hostname proxy"));

    // On, with the port taken: `up` succeeds with a warning.
    std::fs::write(&toml_path, format!("{toml}\n[proxy]\nport = {port}\nauto = true\n")).unwrap();
    let taken = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let out = stack.cfn(&stack.wt, &["up", "--timeout", "120"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("warning: the hostname proxy did not start") && err.contains(&format!("{port}")),
        "{err}"
    );
    assert!(pid_in(&stack.sb.home).is_none());
    drop(taken);

    // On: `up` starts it and says so in one line; the branch answers by name.
    let out = stack.cfn(&stack.wt, &["up", "--timeout", "120"]).output().unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    let started: Vec<&str> = err.lines().filter(|l| l.contains("hostname proxy")).collect();
    assert_eq!(started.len(), 1, "{err}");
    assert!(started[0]
        .starts_with(&format!("started the hostname proxy in the background on http://127.0.0.1:{port}")));
    let pid = pid_in(&stack.sb.home).expect("a pid file");
    let host = "web.feat.pxauto.localhost";
    let took = within(Duration::from_secs(1), || get(port, host, "/health", "*/*").0 == 200);
    eprintln!("the branch answered through the proxy {took:?} after `up` returned");

    // Up again: it runs, nothing said, nothing started.
    let out = stack.cfn(&stack.wt, &["up", "--timeout", "120"]).output().unwrap();
    assert!(out.status.success() && !stderr(&out).contains("hostname proxy"), "{}", stderr(&out));
    assert_eq!(pid_in(&stack.sb.home), Some(pid));

    // Down: the route stays (it is registered) and answers 502 within a second.
    stack.cfn(&stack.wt, &["down"]).assert().success();
    let took = within(Duration::from_secs(1), || get(port, host, "/health", "*/*").0 == 502);
    eprintln!("502 {took:?} after `down` returned");

    // A new branch's route appears, and a removed one's goes, within a second.
    let late = "web.late.pxauto.localhost";
    stack.sb.cfn(&stack.root, &["worktree", "add", "late"]).assert().success();
    let took = within(Duration::from_secs(1), || get(port, late, "/", "*/*").0 == 502);
    eprintln!("route appeared {took:?} after `worktree add` returned");
    stack.sb.cfn(&stack.root, &["worktree", "remove", "feat", "--yes"]).assert().success();
    let took = within(Duration::from_secs(1), || get(port, host, "/", "*/*").0 == 404);
    eprintln!("route went {took:?} after `worktree remove` returned");
    assert_eq!(get(port, late, "/", "*/*").0, 502, "the other branch keeps its route");

    stack.sb.cfn(&stack.root, &["proxy", "stop"]).assert().success();
    assert!(!alive(pid));
}
