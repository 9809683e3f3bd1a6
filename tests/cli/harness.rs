//! A sandbox per test: a temporary directory holding git repositories and a private CFN_HOME,
//! with global and system git configuration shut out, so no test sees the machine's settings or
//! another test's state.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;

pub const COMPOSE: &str = "\
services:
  redis:
    image: redis:7
    container_name: shop-redis
    ports:
      - \"6379:6379\"
    volumes:
      - redis-data:/data
  postgres:
    image: postgres:15
    container_name: shop-postgres
    ports:
      - \"${POSTGRES_PORT:-5432}:5432\"
    networks: [backend]
  web:
    image: busybox
    ports:
      - target: 80
        published: 8080
        protocol: tcp
    networks: [backend]
volumes:
  redis-data:
    name: shop-redis-data
networks:
  backend:
    name: shop-backend
";

pub struct Sandbox {
    pub dir: tempfile::TempDir,
    pub home: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::Builder::new().prefix("cfn-test-").tempdir().expect("tempdir");
        let home = dir.path().join("cfn-home");
        Sandbox { dir, home }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A git repository `name` with one commit holding `files` (path, contents).
    pub fn repo(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let root = self.path().join(name);
        std::fs::create_dir_all(&root).unwrap();
        git(&root, &["init", "-q", "-b", "main"]);
        for (path, text) in files {
            let p = root.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "--allow-empty", "-m", "initial"]);
        std::fs::canonicalize(root).unwrap()
    }

    /// A repository with the standard compose file, already `cfn init`ed.
    pub fn shop(&self, name: &str) -> PathBuf {
        let root = self.repo(name, &[("docker-compose.yml", COMPOSE)]);
        self.cfn(&root, &["init", "--yes"]).assert().success();
        root
    }

    /// `cfn` run in `dir` with this sandbox's environment.
    pub fn cfn(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("cfn").unwrap();
        cmd.current_dir(dir).args(args);
        for (k, v) in hermetic_env(&self.home, self.path()) {
            cmd.env(k, v);
        }
        cmd.env_remove("CFN_COMPOSE");
        cmd.env_remove("CFN_PLAIN_COMPOSE");
        cmd
    }

    /// `cfn … --json` parsed.
    pub fn json(&self, dir: &Path, args: &[&str]) -> serde_json::Value {
        let out = self.cfn(dir, args).output().unwrap();
        assert!(out.status.success(), "cfn {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", text(&out.stdout)))
    }

    /// The state database, opened read-only by the test.
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.home.join("state.db")).unwrap()
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db().query_row(sql, [], |r| r.get(0)).unwrap()
    }
}

/// The environment of every child process: no user or system git configuration.
pub fn hermetic_env(cfn_home: &Path, home: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("CFN_HOME", cfn_home.to_string_lossy().into_owned()),
        ("HOME", home.to_string_lossy().into_owned()),
        ("GIT_CONFIG_GLOBAL", "/dev/null".into()),
        ("GIT_CONFIG_NOSYSTEM", "1".into()),
        ("GIT_AUTHOR_NAME", "Test".into()),
        ("GIT_AUTHOR_EMAIL", "test@example.invalid".into()),
        ("GIT_COMMITTER_NAME", "Test".into()),
        ("GIT_COMMITTER_EMAIL", "test@example.invalid".into()),
        ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z".into()),
        ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z".into()),
        ("NO_COLOR", "1".into()),
    ]
}

/// git as the user's shell runs it, with the sandbox's CFN_HOME (so cfn's git hooks find its
/// state) and `env` added; fails the test when git fails.
pub fn user_git_with(sb: &Sandbox, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .envs(hermetic_env(&sb.home, sb.path()))
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    out
}

pub fn user_git(sb: &Sandbox, dir: &Path, args: &[&str]) -> std::process::Output {
    user_git_with(sb, dir, args, &[])
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .envs(hermetic_env(Path::new("/nonexistent"), dir))
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// Local branch names of a repository.
pub fn branches(repo: &Path) -> Vec<String> {
    git(repo, &["for-each-ref", "--format=%(refname:short)", "refs/heads"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// Ports of a worktree JSON object.
pub fn ports_of(v: &serde_json::Value) -> Vec<u16> {
    v["ports"].as_object().unwrap().values().map(|p| p.as_u64().unwrap() as u16).collect()
}

/// Whether the docker compose v2 plugin / v1 program answer here.
pub fn compose_available(program: &[&str]) -> bool {
    std::process::Command::new(program[0])
        .args(&program[1..])
        .arg("version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

pub use crate::support::ci::require;
pub use crate::support::redis::RedisServer;
