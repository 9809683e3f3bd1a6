//! The test process's PostgreSQL cluster and its per-test databases (see [`super`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::{env, fs};

use super::{command_as, free_port, missing, on_path, output, path, scratch_dir, Watched, PASSWORD};

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
    let out = Command::new(psql)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-U", "postgres", "-d", "postgres", "-c", sql])
        .env("PGPASSWORD", PASSWORD)
        .env("PGCONNECT_TIMEOUT", "5")
        .output()
        .map_err(|e| e.to_string())?;
    out.status.success().then_some(()).ok_or_else(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A fresh database in this test process's PostgreSQL cluster, dropped with the handle.
pub(crate) struct TestPostgres {
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
