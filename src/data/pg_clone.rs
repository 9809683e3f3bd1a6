//! The PostgreSQL migration database copied the database's own way, while both servers run:
//!
//! - source and target database in one server: `CREATE DATABASE <tmp> TEMPLATE <source>`, a
//!   file-level copy inside the server. PostgreSQL refuses it while another session is
//!   connected to the source, so cfn checks first and refuses in one line naming the sessions;
//!   it never terminates a session it did not open.
//! - two servers (one per branch's stack): `pg_dump | psql` on the host (Debian's
//!   `postgresql-client`), two processes joined by a pipe ([`crate::process::Cmd::pipe_into`]):
//!   no shell, no temporary file. Connection details and passwords go in the environment
//!   (`PGHOST`, `PGPASSWORD`, …), never in arguments, so `ps` and messages never show them.
//!
//! Either way the copy fills a temporary database `<target>_cfn_tmp_<random>` first; only when
//! it is complete, one transaction renames the target to `<target>_cfn_old_<random>` and the
//! temporary to the target, then the old one is dropped. A failure or a kill before the rename
//! leaves the target as it was; [`super::pg_journal`] lets `doctor --fix` drop the leftovers.
//! Crash points: `data-pg:1` the temporary database complete, `data-pg:2` the rename
//! committed, the old database not yet dropped.

use super::pg_journal::{self, ident, PgPending};
use crate::error::UserError;
use crate::health::redact_url;
use crate::process::{last_lines, Cmd};
use anyhow::{Context as _, Result};
use std::path::Path;
use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config};

/// One branch's migration database.
pub struct Endpoint {
    pub branch: String,
    pub url: String,
    config: Config,
    db: String,
}

impl Endpoint {
    pub fn new(branch: &str, url: &str) -> Result<Endpoint> {
        let config: Config = url
            .parse()
            .with_context(|| format!("cannot read the PostgreSQL URL of {branch}: {}", redact_url(url)))?;
        let db = config.get_dbname().or(config.get_user()).unwrap_or("postgres").to_string();
        Ok(Endpoint { branch: branch.to_string(), url: url.to_string(), config, db })
    }

    /// Host and port: two endpoints with the same are one server.
    fn server(&self) -> (String, u16) {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        (host, self.config.get_ports().first().copied().unwrap_or(5432))
    }

    /// `pg_dump`/`psql` reaching `db` of this server, everything but the program's own flags
    /// in the environment.
    fn client(&self, program: &str, db: &str) -> Cmd {
        let (host, port) = self.server();
        let mut cmd = Cmd::new(program)
            .env("PGHOST", host)
            .env("PGPORT", port.to_string())
            .env("PGDATABASE", db)
            .env("PGAPPNAME", "cfn data")
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGSERVICE")
            .env_remove("PGSERVICEFILE")
            .env_remove("PGPASSFILE");
        if let Some(user) = self.config.get_user() {
            cmd = cmd.env("PGUSER", user);
        }
        match self.config.get_password() {
            Some(pw) => cmd.env("PGPASSWORD", String::from_utf8_lossy(pw).into_owned()),
            None => cmd.env_remove("PGPASSWORD"),
        }
    }
}

/// A copy checked and ready to run: both servers answer, nothing else uses what must be
/// unused.
pub struct Prepared {
    source: Endpoint,
    target: Endpoint,
    admin: Client,
    same_server: bool,
    /// Bytes of the source database (`pg_database_size`).
    pub size: u64,
}

/// Connects to both servers and checks what PostgreSQL would refuse later: the target
/// database in use (it cannot be renamed) and, within one server, the source in use (it
/// cannot be a template). `servers` are the target's database services, for the hint.
pub async fn prepare(source: Endpoint, target: Endpoint, servers: &[String]) -> Result<Prepared> {
    let same_server = source.server() == target.server();
    if same_server && source.db == target.db {
        return Err(UserError::new(format!(
            "{} and {} use the same PostgreSQL database {}",
            source.branch, target.branch, target.db
        ))
        .hint("give each branch its own database in migrations.url, e.g. with {{ branch }} in its name")
        .into());
    }
    let admin = pg_journal::connect(&pg_journal::admin_config(&target.url)?).await.map_err(|e| {
        let service = servers.first().map(String::as_str).unwrap_or("<database service>");
        UserError::new(format!(
            "cannot reach the PostgreSQL of {} at {}: {e}",
            target.branch,
            redact_url(&target.url)
        ))
        .hint(format!("start its database server only: `cfn up -b {} {service}`", target.branch))
    })?;
    let users = sessions(&admin, &target.db).await?;
    if !users.is_empty() {
        return Err(UserError::new(format!(
            "{} other session(s) use the database {} of {} ({}); it cannot be replaced while in use",
            users.len(),
            target.db,
            target.branch,
            users.join(", ")
        ))
        .hint(format!(
            "stop what uses it: `cfn down -b {0}`, then start only its database (`cfn up -b {0} {1}`)",
            target.branch,
            servers.first().map(String::as_str).unwrap_or("<database service>")
        ))
        .into());
    }
    let size = if same_server {
        let users = sessions(&admin, &source.db).await?;
        if !users.is_empty() {
            return Err(in_use(&source, &users));
        }
        database_size(&admin, &source.db).await?
    } else {
        let mut config = source.config.clone();
        config.application_name("cfn data");
        let client = pg_journal::connect(&config).await.map_err(|e| {
            UserError::new(format!(
                "cannot reach the PostgreSQL of {} at {}: {e}",
                source.branch,
                redact_url(&source.url)
            ))
            .hint(format!("start it: `cfn up -b {}`", source.branch))
        })?;
        database_size(&client, &source.db).await?
    };
    Ok(Prepared { source, target, admin, same_server, size })
}

fn in_use(source: &Endpoint, users: &[String]) -> anyhow::Error {
    UserError::new(format!(
        "PostgreSQL copies a database only while nothing else is connected to it: {} session(s) use {} of {} ({})",
        users.len(),
        source.db,
        source.branch,
        users.join(", ")
    ))
    .hint(format!("stop what uses it (e.g. `cfn down -b {}`), then copy again", source.branch))
    .into()
}

/// Who else is connected to `db`: application name, else client address.
async fn sessions(client: &Client, db: &str) -> Result<Vec<String>> {
    let rows = client
        .query(
            "SELECT coalesce(nullif(application_name, ''), host(client_addr), 'local')
             FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
            &[&db],
        )
        .await
        .context("cannot list the sessions of the database")?;
    Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
}

async fn database_size(client: &Client, db: &str) -> Result<u64> {
    let row = client
        .query_one("SELECT pg_database_size($1::text)", &[&db])
        .await
        .with_context(|| format!("cannot read the size of the database {db}"))?;
    Ok(u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

/// Copies the source database over the target's; what was copied, for the summary.
pub async fn run(home: &Path, p: Prepared, project: &str) -> Result<String> {
    let pending = PgPending {
        url: p.target.url.clone(),
        target: p.target.db.clone(),
        tmp: side_name(&p.target.db, "tmp")?,
        old: side_name(&p.target.db, "old")?,
        project: project.to_string(),
    };
    pg_journal::record(home, &pending)?;
    let how = if p.same_server { "CREATE DATABASE … TEMPLATE" } else { "pg_dump | psql" };
    if let Err(e) = fill(&p, &pending.tmp).await {
        let _ = pg_journal::drop_leftovers(home, &pending).await;
        return Err(e.context(format!(
            "copying the database {} of {} failed; {} of {} is unchanged",
            p.source.db, p.source.branch, p.target.db, p.target.branch
        )));
    }
    crate::crash_point::reached("data-pg", 1);
    if let Err(e) = swap(&p.admin, &pending).await {
        let _ = pg_journal::drop_leftovers(home, &pending).await;
        return Err(e);
    }
    crate::crash_point::reached("data-pg", 2);
    p.admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(&pending.old)))
        .await
        .with_context(|| format!("cannot drop the replaced database {}", pending.old))?;
    pg_journal::done(home, &pending.tmp);
    Ok(format!("PostgreSQL database {} ({how})", p.target.db))
}

/// `<db>_cfn_<what>_<random>`, within PostgreSQL's 63-byte names.
fn side_name(db: &str, what: &str) -> Result<String> {
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let mut stem = String::new();
    for c in db.chars() {
        if stem.len() + c.len_utf8() > 40 {
            break;
        }
        stem.push(c);
    }
    Ok(format!("{stem}_cfn_{what}_{suffix}"))
}

/// Fills the new database `tmp` with the source's.
async fn fill(p: &Prepared, tmp: &str) -> Result<()> {
    if p.same_server {
        // PostgreSQL 15 copies through the WAL by default (every block written twice); the
        // file copy after a checkpoint is the fast one for anything but tiny databases
        let version: i32 =
            p.admin.query_one("SELECT current_setting('server_version_num')::int", &[]).await?.get(0);
        let strategy = if version >= 150_000 { " STRATEGY = FILE_COPY" } else { "" };
        let sql = format!("CREATE DATABASE {} TEMPLATE {}{strategy}", ident(tmp), ident(&p.source.db));
        return p.admin.batch_execute(&sql).await.map_err(|e| {
            if e.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) {
                in_use(&p.source, &["a session that connected meanwhile".to_string()])
            } else {
                anyhow::Error::from(e).context("CREATE DATABASE … TEMPLATE failed")
            }
        });
    }
    for program in ["pg_dump", "psql"] {
        if !crate::process::on_path(program) {
            return Err(UserError::new(format!("{program} is not installed; it copies a database between two servers"))
                .hint("install PostgreSQL's client tools (Debian: `apt-get install postgresql-client`), of at least the servers' version")
                .into());
        }
    }
    p.admin
        .batch_execute(&format!("CREATE DATABASE {} TEMPLATE template0", ident(tmp)))
        .await
        .with_context(|| format!("cannot create the database {tmp}"))?;
    let dump = p.source.client("pg_dump", &p.source.db).args(["--no-owner", "--no-privileges"]);
    let load = p.target.client("psql", tmp).args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
    let (dumped, loaded) = tokio::task::spawn_blocking(move || dump.pipe_into(&load)).await??;
    if !dumped.status.success() {
        anyhow::bail!("pg_dump failed ({}): {}", dumped.status, last_lines(&dumped.stderr, 3));
    }
    if !loaded.status.success() {
        anyhow::bail!("psql failed ({}): {}", loaded.status, last_lines(&loaded.stderr, 3));
    }
    Ok(())
}

/// One transaction: the target becomes `old`, `tmp` becomes the target.
async fn swap(admin: &Client, p: &PgPending) -> Result<()> {
    let exists = !admin.query("SELECT 1 FROM pg_database WHERE datname = $1", &[&p.target]).await?.is_empty();
    let mut sql = String::from("BEGIN;");
    if exists {
        sql.push_str(&format!("ALTER DATABASE {} RENAME TO {};", ident(&p.target), ident(&p.old)));
    }
    sql.push_str(&format!("ALTER DATABASE {} RENAME TO {}; COMMIT;", ident(&p.tmp), ident(&p.target)));
    let Err(e) = admin.batch_execute(&sql).await else { return Ok(()) };
    // a failed statement leaves the transaction aborted: end it before anything else
    let _ = admin.batch_execute("ROLLBACK").await;
    if e.code() == Some(&tokio_postgres::error::SqlState::OBJECT_IN_USE) {
        return Err(UserError::new(format!(
            "the database {} came into use during the copy; it is unchanged",
            p.target
        ))
        .hint("stop what connects to it, then copy again")
        .into());
    }
    Err(anyhow::Error::from(e).context(format!("cannot rename the copy into {}", p.target)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_names_fit_postgres_names_and_never_cut_a_character() {
        let long = "é".repeat(40);
        let name = side_name(&long, "tmp").unwrap();
        assert!(name.len() <= 63, "{name}");
        assert!(name.starts_with(&"é".repeat(20)) && name.contains("_cfn_tmp_"), "{name}");
        assert_ne!(side_name("shop", "tmp").unwrap(), side_name("shop", "tmp").unwrap());
    }

    #[test]
    fn endpoints_tell_one_server_from_two_and_keep_the_password_out_of_arguments() {
        let a = Endpoint::new("main", "postgresql://u:pw@127.0.0.1:5432/shop_main").unwrap();
        let b = Endpoint::new("feat", "postgresql://u:pw@127.0.0.1:5432/shop_feat").unwrap();
        let c = Endpoint::new("other", "postgresql://u:pw@127.0.0.1:5433/shop_main").unwrap();
        assert_eq!(a.server(), b.server());
        assert_ne!(a.server(), c.server());
        let cmd = a.client("pg_dump", &a.db);
        assert_eq!(cmd.display(), "pg_dump", "host, user, database and password go in the environment");
        let debug = format!("{cmd:?}");
        assert!(debug.contains("PGPASSWORD") && debug.contains("shop_main"), "{debug}");
    }
}
