//! The README's first command, `bash scripts/demo.sh`, run end to end with the binary under
//! test: two branches' stacks up on the real engine, each migrated and healthy, the loop on one
//! branch through that branch's stack Redis, both stacks down — and nothing of the demo left in
//! the engine afterwards, also when it is interrupted half-way.

use crate::harness::*;
use crate::stack_harness::*;
use std::io::{BufRead as _, BufReader};
use std::io::{PipeReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// Starts the demo script with this test's cfn binary, a sample under `dir` named `name`, and
/// hermetic git; returns it and one pipe carrying its stdout and stderr in the order written.
fn start_demo(dir: &Path, name: &str) -> (Child, PipeReader) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh");
    let (reader, writer) = std::io::pipe().unwrap();
    let child = Command::new("bash")
        .arg(script)
        .envs(hermetic_env(&dir.join("unused-cfn-home"), dir))
        .env("CFN_DEMO_BIN", env!("CARGO_BIN_EXE_cfn"))
        .env("CFN_DEMO_DIR", dir.join("demo"))
        .env("CFN_DEMO_NAME", name)
        .env_remove("CFN_COMPOSE")
        .env_remove("CFN_REDIS_URL")
        .stdin(Stdio::null())
        .stdout(writer.try_clone().unwrap())
        .stderr(writer)
        .spawn()
        .unwrap();
    // The Command, and with it this process's copies of the pipe's write end, is gone here:
    // the reader sees the end when the demo (and everything it started) closes its copies.
    (child, reader)
}

/// Every container, volume and network of the demo's compose projects (named `<name>-…`).
fn leftovers(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    for kind in [&["ps", "-a"][..], &["volume", "ls"], &["network", "ls"]] {
        let mut args = kind.to_vec();
        args.extend(["--format", "{{.Labels}}"]);
        for labels in docker_lines(&args) {
            let project = labels
                .split(',')
                .find_map(|l| l.strip_prefix("com.docker.compose.project="))
                .unwrap_or_default();
            if project.starts_with(&format!("{name}-")) {
                found.push(format!("{} of {project}", kind[0]));
            }
        }
    }
    found
}

/// The text between the step heading starting with `title` and the next heading.
fn section<'a>(out: &'a str, title: &str) -> &'a str {
    let start = out.find(&format!("== {title}")).unwrap_or_else(|| panic!("no step {title:?}:\n{out}"));
    let rest = &out[start + 3..];
    &rest[..rest.find("\n== ").unwrap_or(rest.len())]
}

#[test]
fn the_demo_runs_the_whole_job_and_leaves_nothing_behind() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let name = format!("demo-t{}", std::process::id());
    let (mut child, mut output) = start_demo(sb.path(), &name);
    let mut all = String::new();
    output.read_to_string(&mut all).unwrap();
    assert!(child.wait().unwrap().success(), "the demo failed:\n{all}");

    // The images: pulled, or built offline and said so.
    let images = section(&all, "images");
    for image in ["redis:7-alpine", "postgres:15-alpine"] {
        assert!(
            images.lines().any(|l| l.starts_with(image)
                && (l.contains("pulled") || l.contains("no registry answered") || l.contains("already has"))),
            "{images}"
        );
    }
    // Both stacks up, each migrated and healthy, shown side by side.
    for branch in ["feature-auth", "fix/payment"] {
        let up = section(&all, &format!("cfn up {branch}"));
        for line in ["applied migration 1 orders", "health cache: PONG", "health db: SELECT 1", " is up"] {
            assert!(up.contains(line), "{line:?} missing:\n{up}");
        }
    }
    let status = section(&all, "cfn status");
    let rows: Vec<&str> = status.lines().filter(|l| l.contains(&format!("{name}-"))).collect();
    assert_eq!(rows.len(), 2, "{status}");
    for row in rows {
        assert!(row.contains("postgres:healthy") && row.contains("redis:healthy"), "{status}");
    }
    // The loop ran on the branch's stack Redis, and its agents changed that branch only.
    let feature_redis = section(&all, "cfn up feature-auth")
        .lines()
        .find_map(|l| {
            l.strip_prefix("redis ").map(|r| r.split_whitespace().last().unwrap_or_default().to_string())
        })
        .expect("feature-auth's redis endpoint");
    let run = section(&all, "cfn loop run");
    assert!(run.contains(&format!("on redis at {feature_redis}")), "not the stack's redis:\n{run}");
    assert!(run.contains("product owner decided PROCEED"), "{run}");
    assert!(run.contains("iteration 1: check health passed (exit code 0"), "validation by evidence:\n{run}");
    assert!(run.contains("migrations/0002_add_oauth_login.up.sql"), "{run}");
    let databases = section(&all, "each branch's own database");
    let (feature, fix) = databases.split_once("--branch fix/payment").unwrap();
    assert!(feature.lines().any(|l| l.contains("add_oauth_login") && l.contains("applied")), "{databases}");
    assert!(!fix.contains("add_oauth_login"), "the other branch's database changed:\n{databases}");
    // Timed steps, both stacks down, nothing left.
    assert!(section(&all, "times").contains("s  total"), "{all}");
    for branch in ["feature-auth", "fix/payment"] {
        assert!(section(&all, &format!("cfn down {branch}")).contains("(volumes deleted)"), "{all}");
    }
    assert_eq!(leftovers(&name), Vec::<String>::new());
}

#[test]
fn an_interrupted_demo_removes_its_stacks() {
    if !engine_ready(V2) {
        return;
    }
    let sb = Sandbox::new();
    let name = format!("demo-i{}", std::process::id());
    let (mut child, output) = start_demo(sb.path(), &name);
    let mut all = String::new();
    // Interrupted once the first stack is up and the second one is on its way.
    for line in BufReader::new(output).lines() {
        let line = line.unwrap();
        all.push_str(&line);
        all.push('\n');
        if line.starts_with("== cfn up fix/payment") {
            let pid = child.id().to_string();
            assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        }
    }
    let status = child.wait().unwrap();
    assert!(all.contains("is up"), "the first stack never came up:\n{all}");
    assert_eq!(status.code(), Some(143), "{all}");
    assert!(all.contains("clean-up: removing the demo stacks"), "{all}");
    assert!(all.contains("demo: FAILED (exit 143) during: cfn up fix/payment"), "{all}");
    assert_eq!(leftovers(&name), Vec::<String>::new());
}
