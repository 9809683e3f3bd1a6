//! Stacks on the real engine, with compose v1 and v2: isolation of data between branches,
//! down/up keeping data, down --volumes touching only the branch, the readiness wait.

use crate::harness::*;
use crate::stack_harness::*;
use std::path::PathBuf;
use std::time::Instant;

fn compose_file(extra: &str, base: u16) -> String {
    let pg_base = base + 1;
    format!(
        "\
services:
  redis:
    image: cfn-test/redis:1
    container_name: shop-redis
    ports: [\"{base}:6379\"]
    volumes: [redis-data:/data]
  postgres:
    image: cfn-test/postgres:1
    environment: {{POSTGRES_PASSWORD: secret, POSTGRES_DB: shop}}
    ports: [\"{pg_base}:5432\"]
    volumes: [pg-data:/var/lib/postgresql/data]
{extra}volumes:
  redis-data:
    name: shop-redis-data
  pg-data:
"
    )
}

/// The branch's PostgreSQL gets the migrations; health checks are templated per branch.
const STACK_CONFIG: &str = r#"
[migrations]
target = "postgres"
url = "postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@127.0.0.1:{{ ports.postgres }}/shop"

[health.cache]
type = "redis"
url = "redis://127.0.0.1:{{ ports.redis }}"

[health.db]
type = "postgres"
url = "postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@127.0.0.1:{{ ports.postgres }}/shop"
timeout = 5

[health.port]
type = "tcp"
host = "127.0.0.1"
port = "{{ ports.redis }}"
"#;

struct Stack {
    sb: Sandbox,
    root: PathBuf,
    compose: &'static str,
    _cleanup: Cleanup,
    _ports: PortBlock,
}

/// A repository named uniquely for this test (compose projects are machine-wide), with
/// worktrees for `branches`.
fn stack(
    name: &str,
    compose: &'static str,
    extra: &str,
    branches: &[&str],
) -> Option<(Stack, Vec<serde_json::Value>)> {
    if !engine_ready(compose) {
        return None;
    }
    let sb = Sandbox::new();
    let repo = format!("{name}{}", if compose == V1 { "v1" } else { "v2" });
    let ports = port_block(&repo);
    let root = sb.repo(
        &repo,
        &[
            ("docker-compose.yml", &compose_file(extra, ports.base)),
            (".env", "POSTGRES_PASSWORD=secret\n"),
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT);"),
            ("migrations/0001_items.down.sql", "DROP TABLE items;"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(STACK_CONFIG);
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    let wts: Vec<_> = branches.iter().map(|b| sb.json(&root, &["worktree", "add", b, "--json"])).collect();
    let mut projects: Vec<String> = wts.iter().map(|w| w["project"].as_str().unwrap().to_string()).collect();
    projects.push(repo);
    Some((Stack { sb, root, compose, _cleanup: Cleanup(projects), _ports: ports }, wts))
}

fn path(wt: &serde_json::Value) -> PathBuf {
    PathBuf::from(wt["path"].as_str().unwrap())
}

fn port(wt: &serde_json::Value, key: &str) -> u16 {
    wt["ports"][key].as_u64().unwrap() as u16
}

fn two_branches_have_separate_data(compose: &'static str) {
    let Some((s, wts)) = stack("iso", compose, "", &["feature-a", "feature-b"]) else { return };
    for wt in &wts {
        let out =
            cfn_with(&s.sb, &path(wt), s.compose, &["up", "--yes", "--timeout", "90"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains("applied migration 1 items"), "{err}");
        assert!(err.contains("health cache: PONG"), "{err}");
    }
    let (a, b) = (&wts[0], &wts[1]);
    for wt in &wts {
        assert_eq!(
            psql(port(wt, "postgres"), "shop", "SELECT count(*) FROM items"),
            "0",
            "migration applied"
        );
        let status = s.sb.json(&path(wt), &["migrate", "status", "--json"]);
        assert_eq!(status[0]["state"], "applied");
        let health = s.sb.json(&path(wt), &["health", "--json"]);
        assert!(health.as_array().unwrap().iter().all(|r| r["ok"] == true), "{health}");
    }
    psql(port(a, "postgres"), "shop", "INSERT INTO items (name) VALUES ('only in a')");
    assert_eq!(
        psql(port(b, "postgres"), "shop", "SELECT count(*) FROM items"),
        "0",
        "rows leaked between branches"
    );
    for wt in &wts {
        assert!(redis(port(wt, "redis"), &["PING"]).starts_with("+PONG"));
    }
    redis(port(a, "redis"), &["SET", "only-a", "1"]);
    assert_eq!(redis(port(b, "redis"), &["EXISTS", "only-a"]), ":0\r\n", "key leaked between branches");
    psql(port(a, "postgres"), "shop", "CREATE TABLE only_a (x int)");
    assert_eq!(
        psql(port(b, "postgres"), "shop", "SELECT count(*) FROM pg_tables WHERE tablename = 'only_a'"),
        "0"
    );

    // down then up keeps the data.
    cfn_with(&s.sb, &path(a), s.compose, &["down"]).assert().success();
    let out = cfn_with(&s.sb, &path(a), s.compose, &["health", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "health fails while the stack is down");
    cfn_with(&s.sb, &path(a), s.compose, &["up", "--yes", "--timeout", "90"]).assert().success();
    assert_eq!(psql(port(a, "postgres"), "shop", "SELECT count(*) FROM items"), "1", "rows lost by down/up");
    assert_eq!(redis(port(a, "redis"), &["EXISTS", "only-a"]), ":1\r\n", "redis data lost by down/up");
    assert_eq!(
        psql(port(a, "postgres"), "shop", "SELECT count(*) FROM only_a"),
        "0",
        "table lost by down/up"
    );

    // down --volumes touches only this branch, and never a look-alike container.
    let project_a = a["project"].as_str().unwrap();
    let project_b = b["project"].as_str().unwrap();
    let lookalike = format!("{project_a}-redis-1-lookalike-{}", std::process::id());
    assert!(docker_ok(&["run", "-d", "--name", &lookalike, "cfn-test/app:1"]));
    let _lookalike_cleanup = LookAlike(lookalike.clone());
    assert_eq!(volumes_of(project_a).len(), 2);
    let b_before = (containers_of(project_b), volumes_of(project_b), networks_of(project_b));
    let out = cfn_with(&s.sb, &path(a), s.compose, &["down", "--volumes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--volumes without a terminal needs --yes");
    assert_eq!(volumes_of(project_a).len(), 2, "refused down deleted nothing");
    cfn_with(&s.sb, &path(a), s.compose, &["down", "--volumes", "--yes"]).assert().success();
    assert!(volumes_of(project_a).is_empty(), "branch volumes removed");
    assert!(containers_of(project_a).is_empty());
    assert_eq!((containers_of(project_b), volumes_of(project_b), networks_of(project_b)), b_before);
    assert!(docker_ok(&["inspect", &lookalike]), "look-alike container survived");
    assert!(redis(port(b, "redis"), &["PING"]).starts_with("+PONG"));
    let _ = &s.root;
}

struct LookAlike(String);
impl Drop for LookAlike {
    fn drop(&mut self) {
        docker_ok(&["rm", "-f", &self.0]);
    }
}

const NEVER_HEALTHY: &str = "  stuck:
    image: cfn-test/app:1
    healthcheck: {test: [\"CMD\", \"false\"], interval: 1s, timeout: 1s, retries: 1}
";

fn a_never_healthy_service_times_out_with_124(compose: &'static str) {
    let Some((s, wts)) = stack("stuck", compose, NEVER_HEALTHY, &["slow"]) else { return };
    let started = Instant::now();
    let out =
        cfn_with(&s.sb, &path(&wts[0]), s.compose, &["up", "--yes", "--timeout", "20"]).output().unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(124), "{err}");
    assert!((19.0..40.0).contains(&elapsed), "took {elapsed:.1}s");
    assert!(err.contains("timed out after 20s waiting for stuck"), "{err}");
    assert!(err.contains("last health check"), "health output shown: {err}");
    assert!(err.contains("the stack keeps running (`cfn down` stops it"), "says what is left: {err}");
}

const JOBS_OK: &str = "  migrate:
    image: cfn-test/app:1
    command: [\"sh\", \"-c\", \"echo migrated; exit 0\"]
";
const JOB_FAILS: &str = "  migrate:
    image: cfn-test/app:1
    command: [\"sh\", \"-c\", \"echo boom-from-job; exit 1\"]
";

fn one_shot_jobs(compose: &'static str) {
    let Some((s, wts)) = stack("jobok", compose, JOBS_OK, &["jobs"]) else { return };
    cfn_with(&s.sb, &path(&wts[0]), s.compose, &["up", "--yes", "--timeout", "90"]).assert().success();
    let status = s.sb.json(&s.root, &["status", "--json"]);
    let services = status[1]["services"].as_array().unwrap();
    let find = |name: &str| services.iter().find(|c| c["service"] == name).unwrap().clone();
    assert_eq!(find("migrate")["state"], "exited");
    assert_eq!(find("migrate")["exit_code"], 0);
    assert_eq!(find("redis")["state"], "running");
    assert_eq!(find("redis")["health"], "healthy");
    assert_eq!(find("postgres")["health"], "healthy");
    assert!(status[0]["services"].as_array().unwrap().is_empty(), "main checkout not started");

    let Some((s, wts)) = stack("jobbad", compose, JOB_FAILS, &["jobs"]) else { return };
    let out =
        cfn_with(&s.sb, &path(&wts[0]), s.compose, &["up", "--yes", "--timeout", "90"]).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("service failed: migrate"), "{err}");
    assert!(err.contains("boom-from-job"), "its log lines are shown: {err}");
    assert!(err.contains("other services keep running (`cfn down` stops them"), "says what is left: {err}");
}

macro_rules! both_compose_versions {
    ($($name:ident),*) => {
        mod v1 {
            $(#[test] fn $name() { super::$name(super::V1) })*
        }
        mod v2 {
            $(#[test] fn $name() { super::$name(super::V2) })*
        }
    };
}

both_compose_versions!(
    two_branches_have_separate_data,
    a_never_healthy_service_times_out_with_124,
    one_shot_jobs
);

#[test]
fn an_unreachable_engine_is_one_clear_line_and_the_rest_still_works() {
    let sb = Sandbox::new();
    let root = sb.repo("noengine", &[("docker-compose.yml", &compose_file("", 6379))]);
    let run = |args: &[&str]| {
        let mut c = sb.cfn(&root, args);
        c.env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
        c
    };
    run(&["init", "--yes"]).assert().success();
    run(&["worktree", "add", "feat"]).assert().success();
    // `-b` is the rule; the older positional branch of `ports` and `env` is still taken
    for cmd in ["ports", "env"] {
        let by_flag = run(&[cmd, "-b", "feat"]).output().unwrap();
        let by_position = run(&[cmd, "feat"]).output().unwrap();
        assert!(by_flag.status.success(), "{cmd}: {}", stderr(&by_flag));
        assert_eq!(by_flag.stdout, by_position.stdout, "{cmd}");
        let of_main = run(&[cmd]).output().unwrap();
        assert_ne!(by_flag.stdout, of_main.stdout, "{cmd}: the branch was taken");
        assert_eq!(run(&[cmd, "-b", "feat", "feat"]).output().unwrap().status.code(), Some(2), "{cmd}");
    }
    run(&["migrate", "up", "--yes", "-b", "feat"]).assert().success();
    for args in [&["up", "--yes", "-b", "feat"][..], &["status"][..], &["down", "-b", "feat"][..]] {
        let out = run(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = stderr(&out);
        let lines: Vec<&str> = err.lines().collect();
        assert!(
            lines[0].starts_with("error: cannot reach the Docker engine at unix:///nonexistent"),
            "{err}"
        );
        assert!(lines.iter().any(|l| l.starts_with("hint: ")), "{err}");
        assert!(lines.len() <= 3, "{err}");
    }
}

#[test]
fn removing_a_worktree_stops_its_stack_and_keeps_its_volumes() {
    let Some((s, wts)) = stack("rmstack", V2, "", &["gone"]) else { return };
    let wt = &wts[0];
    let project = wt["project"].as_str().unwrap();
    cfn_with(&s.sb, &path(wt), s.compose, &["up", "--yes", "--timeout", "90"]).assert().success();
    assert_eq!(containers_of(project).len(), 2);
    let out =
        cfn_with(&s.sb, &s.root, s.compose, &["worktree", "remove", "gone", "--volumes"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--volumes needs --yes without a terminal");
    assert_eq!(containers_of(project).len(), 2, "refusal changed nothing");
    let removed = s.sb.json(&s.root, &["worktree", "remove", "gone", "--json"]);
    assert_eq!(removed["stack"]["containers"].as_array().unwrap().len(), 2);
    assert!(containers_of(project).is_empty(), "stack stopped");
    assert!(networks_of(project).is_empty());
    assert_eq!(volumes_of(project).len(), 2, "volumes kept");
    assert!(!path(wt).exists());
}
