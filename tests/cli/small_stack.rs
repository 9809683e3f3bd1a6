//! One repository with a small stack (a Redis with a named volume, and optionally more
//! services) and one worktree, on the real engine; everything it creates in the engine is
//! removed when it is dropped. For tests of what happens to one branch's stack.

use crate::harness::*;
use crate::stack_harness::*;
use std::path::PathBuf;

pub struct SmallStack {
    pub sb: Sandbox,
    pub root: PathBuf,
    /// The worktree of branch `feat`.
    pub wt: PathBuf,
    pub project: String,
    pub redis_port: u16,
    /// The compose program every `cfn` of the stack runs with ([`V2`] or [`V1`]).
    pub compose: &'static str,
    _cleanup: Cleanup,
    _ports: PortBlock,
}

impl SmallStack {
    /// `None` (outside CI) when the engine or the test images are missing. `name` makes the
    /// compose projects unique on the machine; `extra` is appended under `services:`.
    pub fn new(name: &str, extra: &str) -> Option<SmallStack> {
        SmallStack::with_compose(name, extra, V2)
    }

    /// The same with the compose program `compose` ([`V1`]: `docker-compose`, whose names
    /// and labels differ from v2's in places).
    pub fn with_compose(name: &str, extra: &str, compose: &'static str) -> Option<SmallStack> {
        if !engine_ready(compose) {
            return None;
        }
        let ports = port_block(name);
        let base = ports.base;
        let file = format!(
            "services:\n  redis:\n    image: cfn-test/redis:1\n    ports: [\"{base}:6379\"]\n    \
             volumes: [data:/data]\n{extra}volumes:\n  data:\n"
        );
        let sb = Sandbox::new();
        let root = sb.repo(name, &[("docker-compose.yml", &file)]);
        cfn_with(&sb, &root, compose, &["init", "--yes"]).assert().success();
        // Preferred slots stay inside this test's port block (stride 10, block 200 wide): a
        // lease 200 above the base would be the next block's base port, which another test's
        // main checkout may publish at the same moment.
        let toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
        std::fs::write(root.join("cfn.toml"), toml.replacen("slots = 100", "slots = 15", 1)).unwrap();
        let out = cfn_with(&sb, &root, compose, &["worktree", "add", "feat", "--json"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let wt: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let project = wt["project"].as_str().unwrap().to_string();
        let redis_port = wt["ports"]["redis"].as_u64().unwrap() as u16;
        let cleanup = Cleanup(vec![project.clone(), name.to_string()]);
        let wt = PathBuf::from(wt["path"].as_str().unwrap());
        Some(SmallStack { sb, root, wt, project, redis_port, compose, _cleanup: cleanup, _ports: ports })
    }

    /// `cfn` in `dir` with the stack's compose program.
    pub fn cfn(&self, dir: &std::path::Path, args: &[&str]) -> assert_cmd::Command {
        cfn_with(&self.sb, dir, self.compose, args)
    }

    /// `cfn` as a child process in `dir`, with extra environment variables.
    pub fn spawn(&self, dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
        cmd.current_dir(dir)
            .args(args)
            .envs(hermetic_env(&self.sb.home, self.sb.path()))
            .env("CFN_COMPOSE", self.compose)
            .envs(env.iter().copied())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        cmd.spawn().unwrap()
    }

    pub fn running(&self) -> Vec<String> {
        let label = format!("label=com.docker.compose.project={}", self.project);
        docker_lines(&["ps", "-q", "--filter", &label])
    }
}
