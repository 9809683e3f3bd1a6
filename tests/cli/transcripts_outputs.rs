//! Transcripts of the main human-readable outputs: `worktree list`, `ports`, `status`, `doctor`
//! (on a healthy sandbox and on one with a known problem), and the progress lines of `up` and
//! `down` on the real engine, with what a running stack refuses.

use crate::harness::*;
use crate::small_stack::SmallStack;
use crate::stack_harness::*;
use crate::transcripts::Filters;
use std::path::{Path, PathBuf};

/// A repository whose one service uses a test image, publishes one port and shares nothing
/// with other branches: nothing for `doctor` to warn about once cfn's git hooks are installed.
/// `name` (its compose project) is unique on the machine and its port unusual, so that stacks
/// of tests running meanwhile are neither its orphans nor on its ports.
fn tidy(sb: &Sandbox, name: &str) -> PathBuf {
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"63379:6379\"]\n";
    let root = sb.repo(name, &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    sb.cfn(&root, &["hooks", "install"]).assert().success();
    root
}

/// Three services on base ports of five digits above the range of ephemeral ports (32768 to
/// 60999), where no other test's stack or connection is, so every branch's ports are free and
/// keep their width; the project's name is unique on the machine, so no
/// other test's containers show in `status`.
const THREE: &str = "\
services:
  cache:
    image: redis:7
    ports: [\"61379:6379\"]
  db:
    image: postgres:15
    ports: [\"61432:5432\"]
  web:
    image: busybox
    ports: [\"61080:80\"]
";

fn three(sb: &Sandbox) -> PathBuf {
    let root = sb.repo("transcript-tables", &[("docker-compose.yml", THREE)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

fn shown(sb: &Sandbox, dir: &Path, args: &[&str]) -> std::process::Output {
    sb.cfn(dir, args).env("CFN_COMPOSE", V2).output().unwrap()
}

#[test]
fn worktree_list_ports_and_status() {
    let sb = Sandbox::new();
    let root = three(&sb);
    sb.cfn(&root, &["worktree", "add", "feat-x"]).assert().success();
    let filters = Filters::new(&sb).slots().ports();
    filters.assert("output_worktree_list", &shown(&sb, &root, &["worktree", "list"]));
    filters.assert("output_ports", &shown(&sb, &root, &["ports", "feat-x"]));
    filters.assert("output_status", &shown(&sb, &root, &["status"]));
    // Each hostname URL is the one `cfn url` prints, next to the port it goes to.
    let status = sb.json(&root, &["status", "--json"]);
    let feat = status.as_array().unwrap().iter().find(|w| w["branch"] == "feat-x").unwrap();
    let hostnames = feat["hostnames"].as_array().unwrap();
    assert_eq!(hostnames.len(), 3, "{feat}");
    for h in hostnames {
        let key = h["key"].as_str().unwrap();
        assert_eq!(h["port"], feat["ports"][key], "{h}");
        let url = sb.cfn(&root, &["url", key, "-b", "feat-x"]).output().unwrap();
        assert_eq!(h["url"].as_str().unwrap(), text(&url.stdout).trim(), "{h}");
        assert_eq!(h["host"], format!("{key}.feat-x.transcript-tables.localhost"));
    }
    let web = hostnames.iter().find(|h| h["key"] == "web").unwrap();
    assert_eq!(web["url"], "http://web.feat-x.transcript-tables.localhost:7355");
}

#[test]
fn worktree_add_and_remove() {
    let sb = Sandbox::new();
    let root = three(&sb);
    let filters = Filters::new(&sb).slots().ports();
    filters.assert("output_worktree_add", &shown(&sb, &root, &["worktree", "add", "feat"]));
    filters.assert("output_worktree_remove", &shown(&sb, &root, &["worktree", "remove", "feat"]));
}

#[test]
fn doctor_on_a_healthy_sandbox() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let root = tidy(&sb, "transcript-doctor-ok");
    sb.cfn(&root, &["worktree", "add", "feat"]).assert().success();
    let out = shown(&sb, &root, &["doctor"]);
    Filters::new(&sb).ports().versions().assert("output_doctor_healthy", &out);
}

#[test]
fn doctor_on_a_worktree_deleted_by_hand() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let root = tidy(&sb, "transcript-doctor-gone");
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    std::fs::remove_dir_all(wt["path"].as_str().unwrap()).unwrap();
    let out = shown(&sb, &root, &["doctor"]);
    Filters::new(&sb).ports().versions().assert("output_doctor_worktree_gone", &out);
}

#[test]
fn up_and_down_progress() {
    let Some(stack) = SmallStack::new("transcript-up", "") else { return };
    let filters = Filters::new(&stack.sb)
        .slots()
        .ports()
        .durations()
        // How often the wait sees a container still starting depends on timing.
        .with(r"(?m)^ +\S+ +running, health starting +\(\[DUR\]\)\n", "")
        .with(&format!(r"\b{}\b", stack.redis_port), "[PORT]");
    let up = stack.cfn(&stack.wt, &["up"]).output().unwrap();
    filters.assert("output_up", &up);
    let status = stack.cfn(&stack.root, &["status"]).output().unwrap();
    filters.assert("output_status_running", &status);
    // What a running stack refuses: its data replaced, or read while it writes.
    let onto_running = stack.cfn(&stack.wt, &["data", "clone", "--from", "main", "--yes"]).output().unwrap();
    filters.assert("data_clone_onto_a_running_stack", &onto_running);
    let from_running =
        stack.cfn(&stack.root, &["data", "clone", "--from", "feat", "--yes"]).output().unwrap();
    filters.assert("data_clone_from_a_running_stack", &from_running);
    let down = stack.cfn(&stack.wt, &["down"]).output().unwrap();
    filters.assert("output_down", &down);
}
