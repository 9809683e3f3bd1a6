//! Branches on a remote engine over TLS, and migrations on a remote stack, against the real
//! second engine of scripts/second-engine.sh: the same dockerd at tcp://10.231.0.2:2376 with
//! `--tlsverify` (a client certificate of its CA required) and at tcp://10.231.0.2:2375 plain.
//! cfn reaches a TLS engine with the user's `DOCKER_TLS_VERIFY`/`DOCKER_CERT_PATH`, or through a
//! docker context made by the docker CLI itself (docs/remote.md).

use crate::harness::*;
use crate::second_engine::{self, claims_of, lines, Cleanup};
use crate::stack_harness::*;
use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// Variables of the docker CLI that would choose an engine or TLS files for cfn: a test sets
/// the ones it means, on a clean slate.
const DOCKER_CLIENT_VARS: &[&str] =
    &["DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS", "DOCKER_CONTEXT", "DOCKER_CONFIG"];

/// `cfn args…` in `dir` with the sandbox's environment, none of the docker CLI's variables, and
/// then `env`.
fn cfn(sb: &Sandbox, dir: &Path, args: &[&str], env: &[(&str, &OsStr)]) -> Output {
    let mut cmd = sb.cfn(dir, args);
    for var in DOCKER_CLIENT_VARS {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn ok(out: &Output, what: &str) {
    assert!(out.status.success(), "{what} failed ({}): {}{}", out.status, text(&out.stdout), stderr(out));
}

fn json(out: &Output, what: &str) -> serde_json::Value {
    ok(out, what);
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", text(&out.stdout)))
}

/// The environment of a user of a TLS engine: docker's `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`.
fn tls_env(dir: &Path) -> [(&'static str, &OsStr); 2] {
    [("DOCKER_TLS_VERIFY", OsStr::new("1")), ("DOCKER_CERT_PATH", dir.as_os_str())]
}

/// A repository whose stack is one Redis (cfn-test/redis:1), `cfn init`ed.
fn redis_repo(sb: &Sandbox, name: &str) -> PathBuf {
    let compose = "services:\n  cache:\n    image: cfn-test/redis:1\n    ports: [\"16379:6379\"]\n";
    let root = sb.repo(name, &[("docker-compose.yml", compose)]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    root
}

/// PING over RESP to the second engine's address, port `port`.
fn ping(port: u16) -> String {
    let mut s = std::net::TcpStream::connect((second_engine::address(), port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// The running containers of a compose project on the second engine, and on the local one.
fn running(project: &str) -> (Vec<String>, Vec<String>) {
    let label = format!("label=com.docker.compose.project={project}");
    (lines(&["ps", "-q", "--filter", &label]), docker_lines(&["ps", "-aq", "--filter", &label]))
}

/// Adds `branch` on `engine` with `env`, brings its Redis up, checks that it runs on the second
/// engine only and that `status` shows it there, then takes it down and removes the worktree:
/// no claim of the state is left on the engine.
fn redis_branch_round_trip(sb: &Sandbox, root: &Path, branch: &str, engine: &str, env: &[(&str, &OsStr)]) {
    let added =
        json(&cfn(sb, root, &["worktree", "add", branch, "--engine", engine, "--json"], env), "worktree add");
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = Cleanup { projects: vec![project.clone()], homes: vec![sb.home.clone()] };
    assert_eq!(added["engine"], engine, "{added}");
    let wt = PathBuf::from(added["path"].as_str().unwrap());
    let port = added["ports"]["cache"].as_u64().unwrap() as u16;
    assert_eq!(claims_of(&sb.home).len(), 2, "the leased port and the project are claimed on the engine");

    ok(&cfn(sb, &wt, &["up"], env), "up");
    let (remote, local) = running(&project);
    assert_eq!(remote.len(), 1, "the stack runs on the second engine");
    assert!(local.is_empty(), "and nothing of it on the local one: {local:?}");
    assert!(ping(port).contains("PONG"), "Redis answers at {}:{port}", second_engine::address());

    let status = json(&cfn(sb, &wt, &["status", "--json"], env), "status --json");
    let row = status.as_array().unwrap().iter().find(|s| s["branch"] == branch).unwrap();
    assert_eq!(row["engine"], engine, "{row}");
    let services = row["services"].as_array().unwrap();
    assert_eq!(services.len(), 1, "{row}");
    assert_eq!(services[0]["service"], "cache", "{row}");
    assert_eq!(services[0]["state"], "running", "{row}");

    ok(&cfn(sb, &wt, &["down"], env), "down");
    assert!(running(&project).0.is_empty(), "down stopped it on the engine");
    ok(&cfn(sb, root, &["worktree", "remove", branch], env), "worktree remove");
    assert!(!wt.exists());
    assert!(claims_of(&sb.home).is_empty(), "claims left: {:?}", claims_of(&sb.home));
}

#[test]
fn a_branch_on_a_tls_engine_runs_there_with_the_user_s_certificates() {
    if !engine_ready(V2) {
        return;
    }
    let host = second_engine::tls_host();
    let sb = Sandbox::new();
    let root = redis_repo(&sb, "tls-env");
    redis_branch_round_trip(&sb, &root, "feat", &host, &tls_env(&second_engine::tls_client_dir()));
}

#[test]
fn a_branch_on_a_docker_context_over_tls_runs_there() {
    if !engine_ready(V2) {
        return;
    }
    let host = second_engine::tls_host();
    let sb = Sandbox::new();
    let root = redis_repo(&sb, "tls-context");
    // The context as a user makes it: the docker CLI copies the TLS files into its own store.
    let config = sb.path().join("docker-config");
    let dir = second_engine::tls_client_dir();
    let endpoint = format!(
        "host={host},ca={},cert={},key={}",
        dir.join("ca.pem").display(),
        dir.join("cert.pem").display(),
        dir.join("key.pem").display()
    );
    let docker = |args: &[&str]| {
        let mut cmd = std::process::Command::new("docker");
        for var in DOCKER_CLIENT_VARS {
            cmd.env_remove(var);
        }
        cmd.env("DOCKER_CONFIG", &config).args(args).output().unwrap()
    };
    ok(&docker(&["context", "create", "e2tls", "--docker", &endpoint]), "docker context create");
    // The context itself works, so that a failure below is cfn's.
    ok(&docker(&["--context", "e2tls", "version"]), "docker --context e2tls version");

    // cfn gets the same DOCKER_CONFIG and no DOCKER_TLS_VERIFY: the context carries the TLS.
    redis_branch_round_trip(&sb, &root, "feat", "e2tls", &[("DOCKER_CONFIG", config.as_os_str())]);
}

/// Asserts that a refused `worktree add` of `branch` left nothing: no worktree folder beside the
/// repository, no registry row, no git branch, no claim on the engine.
fn nothing_left(sb: &Sandbox, root: &Path, branch: &str) {
    let repo = root.file_name().unwrap().to_str().unwrap();
    let beside: Vec<String> = std::fs::read_dir(sb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&format!("{repo}-")))
        .collect();
    assert!(beside.is_empty(), "worktree folders left: {beside:?}");
    let list = sb.json(root, &["worktree", "list", "--json"]);
    let rows = list.as_array().unwrap();
    assert!(rows.iter().all(|w| w["branch"] != branch) && rows.len() == 1, "registry rows left: {list}");
    assert_eq!(branches(root), ["main"], "a branch was left");
    assert!(claims_of(&sb.home).is_empty(), "claims left: {:?}", claims_of(&sb.home));
}

/// The refusal's stderr: one `error:` line starting with `error`, and a `hint:` line.
fn one_error_line(out: &Output, error: &str) -> String {
    let err = stderr(out);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "one error line and its hint: {err}");
    assert!(lines[0].starts_with(&format!("error: {error}")), "{err}");
    assert!(lines[1].starts_with("hint: "), "{err}");
    lines[0].to_string()
}

#[test]
fn a_tls_engine_without_certificates_and_an_unknown_context_are_refused_leaving_nothing() {
    let host = second_engine::tls_host();
    let sb = Sandbox::new();
    let root = redis_repo(&sb, "tls-refused");
    let _cleanup = Cleanup { projects: Vec::new(), homes: vec![sb.home.clone()] };
    // Failures are exit 1 (docs/exit-codes.md).
    let refused = |out: &Output| {
        assert_eq!(out.status.code(), Some(1), "{}{}", text(&out.stdout), stderr(out));
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    };

    // No TLS settings: cfn speaks plain HTTP to the TLS port, which says so.
    let out = cfn(&sb, &root, &["worktree", "add", "nocert", "--engine", &host], &[]);
    refused(&out);
    let line = one_error_line(&out, &format!("cannot reach the Docker engine at {host}"));
    assert!(line.contains("HTTPS"), "{line}");
    nothing_left(&sb, &root, "nocert");

    // TLS asked for, but the folder has only the CA: the engine wants a client certificate.
    let ca_only = sb.path().join("ca-only");
    std::fs::create_dir(&ca_only).unwrap();
    std::fs::copy(second_engine::tls_client_dir().join("ca.pem"), ca_only.join("ca.pem")).unwrap();
    let out = cfn(&sb, &root, &["worktree", "add", "cacert", "--engine", &host], &tls_env(&ca_only));
    refused(&out);
    one_error_line(&out, &format!("cannot reach the Docker engine at {host}"));
    nothing_left(&sb, &root, "cacert");

    // A context the docker CLI's store does not have.
    let config = sb.path().join("docker-config");
    std::fs::create_dir(&config).unwrap();
    let out = cfn(
        &sb,
        &root,
        &["worktree", "add", "noctx", "--engine", "e2nosuch"],
        &[("DOCKER_CONFIG", config.as_os_str())],
    );
    refused(&out);
    one_error_line(&out, "no docker context e2nosuch");
    nothing_left(&sb, &root, "noctx");

    // The repository still adds a branch there once the certificates are given.
    let client = second_engine::tls_client_dir();
    let env = tls_env(&client);
    let added =
        json(&cfn(&sb, &root, &["worktree", "add", "nocert", "--engine", &host, "--json"], &env), "add");
    assert_eq!(added["engine"], host.as_str());
    ok(&cfn(&sb, &root, &["worktree", "remove", "nocert"], &env), "worktree remove");
    assert!(claims_of(&sb.home).is_empty(), "claims left: {:?}", claims_of(&sb.home));
}

/// `psql -Atc sql` in the database `shop` of the postgres container `id` on the second engine.
fn remote_psql(id: &str, sql: &str) -> String {
    let out = second_engine::docker(
        &second_engine::host(),
        &["exec", id, "psql", "-U", "postgres", "-d", "shop", "-Atc", sql],
    );
    assert!(out.status.success(), "psql {sql}: {}", stderr(&out));
    text(&out.stdout).trim().to_string()
}

#[test]
fn migrations_are_applied_to_a_postgres_stack_on_a_remote_engine() {
    if !engine_ready(V2) {
        return;
    }
    let host = second_engine::host();
    let sb = Sandbox::new();
    let compose = "services:\n  db:\n    image: cfn-test/postgres:1\n    \
                   environment: {POSTGRES_PASSWORD: secret, POSTGRES_DB: shop}\n    \
                   ports: [\"15432:5432\"]\n    volumes: [pg:/var/lib/postgresql/data]\nvolumes:\n  pg:\n";
    let root = sb.repo(
        "remote-pg",
        &[
            ("docker-compose.yml", compose),
            (".env", "POSTGRES_PASSWORD=secret\n"),
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT);"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    // The database is reached where the branch's ports are: {{ host }}, the engine's address.
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(
        "\n[migrations]\ntarget = \"postgres\"\n\
         url = \"postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@{{ host }}:{{ ports.db }}/shop\"\n",
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "postgres target"]);

    let added = sb.json(&root, &["worktree", "add", "feat", "--engine", &host, "--json"]);
    let project = added["project"].as_str().unwrap().to_string();
    let _cleanup = Cleanup { projects: vec![project.clone()], homes: vec![sb.home.clone()] };
    let wt = PathBuf::from(added["path"].as_str().unwrap());

    // `up` applies the pending migration once the stack is ready (--yes: trusting it).
    let out = sb.cfn(&wt, &["up", "--yes", "--timeout", "90"]).output().unwrap();
    ok(&out, "up");
    assert!(stderr(&out).contains("applied migration 1 items"), "{}", stderr(&out));
    let (remote, local) = running(&project);
    assert_eq!(remote.len(), 1, "postgres runs on the second engine");
    assert!(local.is_empty(), "and nothing of it on the local one: {local:?}");
    let db = &remote[0];
    assert_eq!(remote_psql(db, "SELECT to_regclass('public.items')"), "items");

    // `cfn migrate up` applies a migration the branch adds, in the remote database too.
    std::fs::write(
        wt.join("migrations/0002_tags.up.sql"),
        "CREATE TABLE tags (id SERIAL PRIMARY KEY, item INT REFERENCES items (id));",
    )
    .unwrap();
    user_git(&sb, &wt, &["add", "-A"]);
    user_git(&sb, &wt, &["commit", "-qm", "tags"]);
    ok(&sb.cfn(&wt, &["migrate", "up", "--yes"]).output().unwrap(), "migrate up");
    assert_eq!(remote_psql(db, "SELECT to_regclass('public.tags')"), "tags");
    assert_eq!(
        remote_psql(db, "SELECT string_agg(version::text, ',' ORDER BY version) FROM cfn_schema_migrations"),
        "1,2"
    );
    let states = sb.json(&wt, &["migrate", "status", "--json"]);
    assert!(states.as_array().unwrap().iter().all(|m| m["state"] == "applied"), "{states}");

    sb.cfn(&wt, &["down"]).assert().success();
    sb.cfn(&root, &["worktree", "remove", "feat"]).assert().success();
    assert!(claims_of(&sb.home).is_empty(), "claims left: {:?}", claims_of(&sb.home));
}
