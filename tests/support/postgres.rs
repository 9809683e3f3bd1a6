//! Throwaway PostgreSQL for tests. initdb takes seconds, so each test process starts one
//! cluster (on a free port of 127.0.0.1, `fsync=off`, under the [`super::watchdog`]) and every
//! [`TestPostgres`] is a fresh database in it, dropped with the handle; advisory locks are per
//! database, so tests do not see each other's locks. The superuser `postgres` needs no
//! password over the Unix socket and [`PASSWORD`] over TCP. PostgreSQL refuses to run as
//! root: as root, initdb and the server run through `runuser` as `postgres` (or a `cfn-test`
//! system user, created if neither exists). Missing binaries: see [`super::ci`].

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::{env, fs};

use super::ci::missing;
use super::watchdog::{command_as, free_port, on_path, output, path, scratch_dir, Watched};

/// The password of PostgreSQL's `postgres` user over TCP.
pub const PASSWORD: &str = "secret";

/// The directory holding `initdb`, `postgres` and `psql`: `$CFN_TEST_PG_BIN`, the newest
/// `/usr/lib/postgresql/*/bin`, or `PATH`.
fn pg_bin() -> Option<PathBuf> {
    let complete = |dir: &Path| ["initdb", "postgres", "psql"].iter().all(|p| dir.join(p).is_file());
    if let Some(dir) = env::var_os("CFN_TEST_PG_BIN").map(PathBuf::from).filter(|d| complete(d)) {
        return Some(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, dir)| complete(dir))
        .collect();
    versions.sort();
    let from_path = || on_path("initdb")?.parent().map(Path::to_path_buf).filter(|d| complete(d));
    versions.pop().map(|(_, dir)| dir).or_else(from_path)
}

/// The user PostgreSQL runs as when the tests run as root.
fn pg_user() -> Option<String> {
    if output("id", &["-u"]).as_deref() != Some("0") {
        return None;
    }
    let name = if output("id", &["-u", "postgres"]).is_some() { "postgres" } else { "cfn-test" };
    if output("id", &["-u", name]).is_none() {
        let args = ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name];
        let _ = Command::new("useradd").args(args).status();
        assert!(output("id", &["-u", name]).is_some(), "cannot create the user {name}");
    }
    Some(name.to_string())
}

struct PgCluster {
    port: u16,
    psql: PathBuf,
    _server: Watched,
}

impl PgCluster {
    /// initdb into a new directory and start the server on a free port; three tries.
    fn start(bin: &Path) -> PgCluster {
        let user = pg_user();
        let mut errors = Vec::new();
        for _ in 0..3 {
            match Self::try_start(bin, user.as_deref()) {
                Ok(cluster) => return cluster,
                Err(error) => errors.push(error),
            }
        }
        panic!("{}", errors.join("\n"));
    }

    fn try_start(bin: &Path, user: Option<&str>) -> Result<PgCluster, String> {
        let dir = scratch_dir("cfn-test-pg-", user);
        let pwfile = dir.join("password");
        fs::write(&pwfile, PASSWORD).unwrap();
        let data = dir.join("data");
        let initdb = command_as(user, &bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .arg(format!("--pwfile={}", pwfile.display()))
            .args([
                "-Upostgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-EUTF8",
                "--locale=C",
                "-N",
            ])
            .current_dir(&dir)
            .output()
            .unwrap();
        if !initdb.status.success() {
            let _ = fs::remove_dir_all(&dir);
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr)));
        }
        let (port, dir_arg) = (free_port(), path(&dir));
        let port_arg = port.to_string();
        let options = ["-p", &port_arg, "-k", dir_arg, "-c", "listen_addresses=127.0.0.1"]
            .into_iter()
            .chain(["-c", "fsync=off", "-c", "shared_buffers=16MB", "-D", path(&data)]);
        let args: Vec<&str> = options.collect();
        let psql_bin = bin.join("psql");
        // From here on, dropping the server deletes `dir`.
        let mut server = Watched::start(user, "INT", &dir, &bin.join("postgres"), &args);
        server.wait_until("postgresql", || psql(&psql_bin, port, "SELECT 1").is_ok())?;
        Ok(PgCluster { port, psql: psql_bin, _server: server })
    }
}

fn psql(psql: &Path, port: u16, sql: &str) -> Result<(), String> {
    psql_in(psql, port, "postgres", sql).map(drop)
}

/// The rows `sql` returns in `database`, one a line, columns separated by `|`.
fn psql_in(psql: &Path, port: u16, database: &str, sql: &str) -> Result<String, String> {
    let out = Command::new(psql)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-U", "postgres", "-d", database, "-c", sql])
        .env("PGPASSWORD", PASSWORD)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    out.status.success().then_some(stdout).ok_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A fresh database in this test process's PostgreSQL cluster, dropped with the handle.
pub struct TestPostgres {
    pub port: u16,
    pub database: String,
    cluster: &'static PgCluster,
}

impl TestPostgres {
    pub fn start() -> Option<TestPostgres> {
        static CLUSTER: OnceLock<Option<PgCluster>> = OnceLock::new();
        static DATABASES: AtomicUsize = AtomicUsize::new(0);
        let cluster = CLUSTER.get_or_init(|| pg_bin().map(|bin| PgCluster::start(&bin)));
        let Some(cluster) = cluster else { return missing("postgresql (initdb, postgres, psql)") };
        let database = format!("cfn_test_{}", DATABASES.fetch_add(1, Ordering::Relaxed));
        psql(&cluster.psql, cluster.port, &format!("CREATE DATABASE {database}")).unwrap();
        Some(TestPostgres { port: cluster.port, database, cluster })
    }

    /// Runs `sql` in this database; its rows, one a line.
    pub fn sql(&self, sql: &str) -> String {
        psql_in(&self.cluster.psql, self.port, &self.database, sql).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// `postgres://postgres:secret@127.0.0.1:<port>/<database>`.
    pub fn url(&self) -> String {
        format!("postgres://postgres:{PASSWORD}@127.0.0.1:{}/{}", self.port, self.database)
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let _ = psql(&self.cluster.psql, self.port, &format!("DROP DATABASE {} WITH (FORCE)", self.database));
    }
}
