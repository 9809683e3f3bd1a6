//! `cfn data clone` of a PostgreSQL migration database on real PostgreSQL servers
//! (cfn-test/postgres:1): between two branches' servers with a streamed `pg_dump | psql`, within
//! one server with `CREATE DATABASE … TEMPLATE`; isolation of the copy, sessions that forbid a
//! copy refused in one line, and a copy killed at each step leaving the old data (or the
//! complete new data) and leftovers that `doctor` reports and `doctor --fix` drops.

use crate::harness::*;
use crate::stack_harness::*;
use std::path::{Path, PathBuf};

struct PgStack {
    sb: Sandbox,
    root: PathBuf,
    wt: PathBuf,
    main_port: u16,
    feat_port: u16,
    _cleanup: Cleanup,
    _ports: PortBlock,
}

/// A repository whose stack is one PostgreSQL with its data folder on a named volume, the
/// migration target; a worktree `feat`. Both stacks are up with the migrations applied.
fn pg_stack(name: &str) -> Option<PgStack> {
    if !engine_ready(V2) {
        return None;
    }
    let ports = port_block(name);
    let base = ports.base;
    let compose = format!(
        "services:\n  db:\n    image: cfn-test/postgres:1\n    environment: {{POSTGRES_PASSWORD: secret, POSTGRES_DB: shop}}\n    \
         ports: [\"{base}:5432\"]\n    volumes: [pg:/var/lib/postgresql/data]\nvolumes:\n  pg:\n"
    );
    let sb = Sandbox::new();
    let root = sb.repo(
        name,
        &[
            ("docker-compose.yml", &compose),
            (".env", "POSTGRES_PASSWORD=secret\n"),
            ("migrations/0001_items.up.sql", "CREATE TABLE items (id SERIAL PRIMARY KEY, name TEXT);"),
        ],
    );
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(
        "\n[migrations]\ntarget = \"postgres\"\n\
         url = \"postgresql://postgres:{{ env.POSTGRES_PASSWORD }}@127.0.0.1:{{ ports.db }}/shop\"\n",
    );
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "postgres target"]);
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let cleanup = Cleanup(vec![wt["project"].as_str().unwrap().to_string(), name.to_string()]);
    let feat_port = wt["ports"]["db"].as_u64().unwrap() as u16;
    let wt = PathBuf::from(wt["path"].as_str().unwrap());
    for dir in [&root, &wt] {
        let out = cfn_with(&sb, dir, V2, &["up", "--yes", "--timeout", "90"]).output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let main_port = sb.json(&root, &["ports", "--json"])["ports"]["db"].as_u64().unwrap() as u16;
    Some(PgStack { sb, root, wt, main_port, feat_port, _cleanup: cleanup, _ports: ports })
}

impl PgStack {
    fn cfn(&self, dir: &Path, args: &[&str]) -> assert_cmd::Command {
        cfn_with(&self.sb, dir, V2, args)
    }

    fn names(&self, port: u16) -> String {
        psql(port, "shop", "SELECT coalesce(string_agg(name, ',' ORDER BY id), '') FROM items")
    }

    /// Databases of the server on `port` that a copy made aside.
    fn side_databases(&self, port: u16) -> String {
        psql(
            port,
            "postgres",
            "SELECT coalesce(string_agg(datname, ','), '') FROM pg_database WHERE datname LIKE '%_cfn_%'",
        )
    }

    fn clone_killed_at(&self, step: &str) -> String {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
        cmd.current_dir(&self.root)
            .args(["data", "clone", "--from", "main", "-b", "feat", "--yes"])
            .envs(hermetic_env(&self.sb.home, self.sb.path()))
            .env("CFN_COMPOSE", V2)
            .env("CFN_CRASH_AT", step);
        let out = cmd.output().unwrap();
        assert!(stderr(&out).contains(&format!("crash point {step} reached")), "{}", stderr(&out));
        self.side_databases(self.feat_port)
    }
}

/// A session holding a connection to `db` on `port` until it is killed.
fn session(port: u16, db: &str) -> std::process::Child {
    let child = std::process::Command::new("psql")
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-d",
            db,
            "-Atc",
            "SELECT pg_sleep(60)",
        ])
        .env("PGPASSWORD", "secret")
        .env("PGAPPNAME", "held-by-test")
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let sql = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'held-by-test' AND datname = '{db}'"
    );
    while psql(port, "postgres", &sql) == "0" {
        assert!(std::time::Instant::now() < deadline, "the session never connected");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

/// Waits (up to 30 s) until the server on `port` answers a query.
fn wait_pg(port: u16) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let ok = std::process::Command::new("psql")
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
                "-d",
                "shop",
                "-Atc",
                "SELECT 1",
            ])
            .env("PGPASSWORD", "secret")
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "postgres on {port} does not answer");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

/// Ends the session of [`session`]: the server's backend outlives a killed client while it sleeps.
fn release(mut child: std::process::Child, port: u16) {
    psql(port, "postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'held-by-test'");
    let _ = child.kill();
    child.wait().unwrap();
}

#[test]
fn postgres_is_copied_between_two_servers_and_the_copy_is_isolated() {
    let Some(s) = pg_stack("cfnpg1") else { return };
    psql(s.main_port, "shop", "INSERT INTO items (name) VALUES ('m1'), ('m2')");
    psql(s.feat_port, "shop", "INSERT INTO items (name) VALUES ('f1')");

    // the target database in use: refused in one line, nothing changed
    let held = session(s.feat_port, "shop");
    let out = s.cfn(&s.root, &["data", "clone", "--from", "main", "-b", "feat", "--yes"]).output().unwrap();
    release(held, s.feat_port);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: 1 other session(s) use the database shop of feat (held-by-test)"),
        "{err}"
    );
    assert!(err.contains("hint: stop what uses it"), "{err}");
    assert_eq!(s.names(s.feat_port), "f1");

    // a database larger than the free space of the target server's data folder: refused
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("cfn"));
    cmd.current_dir(&s.root)
        .args(["data", "clone", "--from", "main", "-b", "feat", "--yes"])
        .envs(hermetic_env(&s.sb.home, s.sb.path()))
        .env("CFN_COMPOSE", V2)
        .env("CFN_TEST_FREE_KIB", "16");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("error: not enough disk space to copy the PostgreSQL database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(s.side_databases(s.feat_port), "");
    assert_eq!(s.names(s.feat_port), "f1");

    // the servers run (only the database servers of the target may), the source stays up
    let out = s.cfn(&s.root, &["data", "clone", "--from", "main", "-b", "feat", "--yes"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("PostgreSQL database shop (pg_dump | psql)"), "{}", stderr(&out));
    assert_eq!(s.names(s.feat_port), "m1,m2");
    assert_eq!(s.side_databases(s.feat_port), "", "the temporary and the old database are gone");
    // the migrations came along: the branch's migrator sees them applied
    s.cfn(&s.wt, &["migrate", "status"]).assert().success();
    psql(s.feat_port, "shop", "INSERT INTO items (name) VALUES ('only-in-feat')");
    assert_eq!(s.names(s.main_port), "m1,m2", "a write in feat never reaches main");
    assert_eq!(s.names(s.feat_port), "m1,m2,only-in-feat");
    let pending = s.sb.home.join("data/pending");
    assert!(std::fs::read_dir(&pending).map(|d| d.count()).unwrap_or(0) == 0, "journal entries left");

    // a new worktree's server never ran: its data folder is made a copy of the stopped source's
    let out =
        s.cfn(&s.root, &["worktree", "add", "fresh", "--data-from", "feat", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a running source server is refused without --stop-source");
    assert!(stderr(&out).contains("is running"), "{}", stderr(&out));
    let list = s.sb.json(&s.root, &["worktree", "list", "--json"]);
    let fresh = list.as_array().unwrap().iter().find(|w| w["branch"] == "fresh").unwrap().clone();
    let _fresh_cleanup = Cleanup(vec![fresh["project"].as_str().unwrap().to_string()]);
    let out = s
        .cfn(&s.root, &["data", "clone", "--from", "feat", "-b", "fresh", "--stop-source", "--yes"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh_dir = PathBuf::from(fresh["path"].as_str().unwrap());
    s.cfn(&fresh_dir, &["up", "--yes", "--timeout", "90"]).assert().success();
    assert_eq!(s.names(fresh["ports"]["db"].as_u64().unwrap() as u16), "m1,m2,only-in-feat");
    wait_pg(s.feat_port);
    assert_eq!(s.names(s.feat_port), "m1,m2,only-in-feat", "feat's server was started again");
}

#[test]
fn a_killed_postgres_copy_leaves_old_or_complete_data_and_doctor_drops_the_rest() {
    let Some(s) = pg_stack("cfnpg2") else { return };
    psql(s.main_port, "shop", "INSERT INTO items (name) VALUES ('main')");
    psql(s.feat_port, "shop", "INSERT INTO items (name) VALUES ('feat')");

    // the dump breaks off mid-stream (a real partial dump, then a failure): feat keeps its data
    let bin = s.sb.path().join("failing-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = bin.join("pg_dump");
    std::fs::write(&script, "#!/bin/sh\n/usr/bin/pg_dump \"$@\" | head -c 1500\nexit 1\n").unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = s
        .cfn(&s.root, &["data", "clone", "--from", "main", "-b", "feat", "--yes"])
        .env("PATH", path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("shop of feat is unchanged") && err.contains("pg_dump failed"), "{err}");
    assert!(!err.contains("secret"), "no password in messages: {err}");
    assert_eq!(s.names(s.feat_port), "feat");
    assert_eq!(s.side_databases(s.feat_port), "", "the partial copy is dropped");

    // killed with the copy complete but not renamed in: feat keeps its data
    let left = s.clone_killed_at("data-pg:1");
    assert!(left.starts_with("shop_cfn_tmp_"), "{left}");
    assert_eq!(s.names(s.feat_port), "feat");
    let entry = std::fs::read_dir(s.sb.home.join("data/pending")).unwrap().next().unwrap().unwrap();
    assert_eq!(entry.metadata().unwrap().permissions().mode() & 0o777, 0o600, "it holds the URL");
    let out = s.cfn(&s.root, &["doctor"]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(said.contains(&format!("database {left}")) && said.contains("doctor --fix"), "{said}");
    let out = s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(said.contains(&format!("dropped {left}")), "{said}");
    assert_eq!(s.side_databases(s.feat_port), "");
    assert_eq!(s.names(s.feat_port), "feat");

    // killed after the rename committed: feat has the copy; the old database is dropped by doctor
    let left = s.clone_killed_at("data-pg:2");
    assert!(left.starts_with("shop_cfn_old_"), "{left}");
    assert_eq!(s.names(s.feat_port), "main");
    let out = s.cfn(&s.root, &["doctor", "--fix", "--yes"]).output().unwrap();
    let said = format!("{}{}", text(&out.stdout), stderr(&out));
    assert!(said.contains(&format!("dropped {left}")), "{said}");
    assert_eq!(s.side_databases(s.feat_port), "");
    assert_eq!(s.names(s.feat_port), "main");
    assert_eq!(s.names(s.main_port), "main");
}

/// One PostgreSQL server outside the stacks, with a database per branch: copied by TEMPLATE.
#[test]
fn postgres_in_one_server_is_copied_by_template_and_refused_while_in_use() {
    if !engine_ready(V2) {
        return;
    }
    let block = port_block("cfnpg3-server");
    let port = block.base;
    let name = format!("cfnpg3-server-{}", std::process::id());
    assert!(docker_ok(&[
        "run",
        "-d",
        "--name",
        &name,
        "-p",
        &format!("127.0.0.1:{port}:5432"),
        "-e",
        "POSTGRES_PASSWORD=secret",
        "cfn-test/postgres:1",
    ]));
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            docker_ok(&["rm", "-f", "-v", &self.0]);
        }
    }
    let _gone = Gone(name);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::process::Command::new("pg_isready")
        .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
        .status()
        .is_ok_and(|s| s.success())
        || std::process::Command::new("psql")
            .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres", "-Atc", "SELECT 1"])
            .env("PGPASSWORD", "secret")
            .output()
            .map_or(true, |o| !o.status.success())
    {
        assert!(std::time::Instant::now() < deadline, "the server never became ready");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    for db in ["shop_main", "shop_feat"] {
        psql(port, "postgres", &format!("CREATE DATABASE {db}"));
        psql(port, db, "CREATE TABLE items (name TEXT)");
    }
    psql(port, "shop_main", "INSERT INTO items VALUES ('from-main')");
    psql(port, "shop_feat", "INSERT INTO items VALUES ('from-feat')");

    let sb = Sandbox::new();
    let root =
        sb.repo("cfnpg3", &[("docker-compose.yml", "services:\n  cache:\n    image: cfn-test/redis:1\n")]);
    sb.cfn(&root, &["init", "--yes"]).assert().success();
    let mut toml = std::fs::read_to_string(root.join("cfn.toml")).unwrap();
    toml.push_str(&format!(
        "\n[migrations]\ntarget = \"postgres\"\nurl = \"postgresql://postgres:secret@127.0.0.1:{port}/shop_{{{{ branch_slug }}}}\"\n"
    ));
    std::fs::write(root.join("cfn.toml"), toml).unwrap();
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-qm", "shared server"]);
    let wt = sb.json(&root, &["worktree", "add", "feat", "--json"]);
    let _cleanup = Cleanup(vec![wt["project"].as_str().unwrap().to_string(), "cfnpg3".into()]);
    let clone = || {
        cfn_with(&sb, &root, V2, &["data", "clone", "--from", "main", "-b", "feat", "--yes"])
            .output()
            .unwrap()
    };

    // a session on the template: PostgreSQL forbids the copy; cfn says so and kills nothing
    let mut held = session(port, "shop_main");
    let out = clone();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("error: PostgreSQL copies a database only while nothing else is connected to it"),
        "{err}"
    );
    assert!(err.contains("shop_main of main (held-by-test)") && err.contains("hint: "), "{err}");
    assert!(held.try_wait().unwrap().is_none(), "the user's session was not terminated");
    release(held, port);
    assert_eq!(psql(port, "shop_feat", "SELECT string_agg(name, ',') FROM items"), "from-feat");

    let out = clone();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("PostgreSQL database shop_feat (CREATE DATABASE … TEMPLATE)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(psql(port, "shop_feat", "SELECT string_agg(name, ',') FROM items"), "from-main");
    psql(port, "shop_feat", "INSERT INTO items VALUES ('feat-only')");
    assert_eq!(psql(port, "shop_main", "SELECT string_agg(name, ',') FROM items"), "from-main");
    let side = psql(port, "postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%_cfn_%'");
    assert_eq!(side, "0");
}
