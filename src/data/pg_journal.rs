//! The journal of a PostgreSQL database copy (see [`super::pg_clone`]), so that `cfn doctor`
//! can report and `doctor --fix` drop what a killed copy left: the temporary database
//! `<target>_cfn_tmp_<random>` (the copy was not swapped in; the target is untouched) or the old
//! one, `<target>_cfn_old_<random>` (the swap committed; the target holds the copy).
//!
//! An entry `$CFN_HOME/data/pending/<tmp>.pg.json` (0600: it holds the server's URL with its
//! password, which `doctor --fix` needs to connect) is written before the temporary database
//! is created and deleted after the old one is dropped.

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tokio_postgres::{Client, Config, NoTls};

const SUFFIX: &str = ".pg.json";

/// One copy in progress or killed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PgPending {
    /// The target's connection string (its database is the target).
    pub url: String,
    pub target: String,
    pub tmp: String,
    pub old: String,
    /// The target branch's compose project: `doctor --fix` takes its lock first.
    pub project: String,
}

fn dir(home: &Path) -> PathBuf {
    home.join("data").join("pending")
}

pub fn record(home: &Path, pending: &PgPending) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let dir = dir(home);
    super::private_dir(&dir)?;
    let path = dir.join(format!("{}{SUFFIX}", pending.tmp));
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(&path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(&serde_json::to_vec_pretty(pending)?)?;
    f.sync_all()?;
    Ok(())
}

pub fn done(home: &Path, tmp: &str) {
    let _ = std::fs::remove_file(dir(home).join(format!("{tmp}{SUFFIX}")));
}

/// Every entry of `home`: (file, entry); an unreadable file is skipped.
pub fn entries(home: &Path) -> Vec<(PathBuf, PgPending)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir(home)).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(SUFFIX) {
            continue;
        }
        let read = std::fs::read(entry.path()).ok();
        if let Some(p) = read.and_then(|b| serde_json::from_slice::<PgPending>(&b).ok()) {
            out.push((entry.path(), p));
        }
    }
    out
}

/// `url`'s server with the maintenance database `postgres`: CREATE, ALTER and DROP DATABASE
/// cannot run while connected to the database they change.
pub fn admin_config(url: &str) -> Result<Config> {
    let mut config: Config = url
        .parse()
        .with_context(|| format!("cannot read the PostgreSQL URL {}", crate::health::redact_url(url)))?;
    // the target itself may be `postgres`; a session must not sit in the database it renames
    let maintenance = if config.get_dbname() == Some("postgres") { "template1" } else { "postgres" };
    config.dbname(maintenance);
    config.application_name("cfn data");
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    Ok(config)
}

/// Connects; the connection is driven on the current runtime until the client is dropped.
pub async fn connect(config: &Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// `"name"`, with quotes doubled: a database name is data, never SQL.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Drops the temporary and the old database of `p` where they exist (sessions on them can
/// only be cfn's own copy, which is dead or about to be); the names dropped.
pub async fn drop_leftovers(home: &Path, p: &PgPending) -> Result<Vec<String>> {
    let client = connect(&admin_config(&p.url)?)
        .await
        .with_context(|| format!("cannot reach the PostgreSQL at {}", crate::health::redact_url(&p.url)))?;
    let mut dropped = Vec::new();
    for name in [&p.tmp, &p.old] {
        let exists = client.query("SELECT 1 FROM pg_database WHERE datname = $1", &[name]).await?;
        if !exists.is_empty() {
            client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(name))).await?;
            dropped.push(name.clone());
        }
    }
    done(home, &p.tmp);
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted_as_identifiers() {
        assert_eq!(ident("shop"), "\"shop\"");
        assert_eq!(ident("a\"; DROP DATABASE x; --"), "\"a\"\"; DROP DATABASE x; --\"");
    }

    #[test]
    fn the_maintenance_database_is_never_the_target() {
        let config = admin_config("postgresql://u:pw@127.0.0.1:5432/shop").unwrap();
        assert_eq!(config.get_dbname(), Some("postgres"));
        let config = admin_config("postgresql://u:pw@127.0.0.1:5432/postgres").unwrap();
        assert_eq!(config.get_dbname(), Some("template1"));
    }

    #[test]
    fn the_journal_is_private_and_read_back() {
        let home = std::env::temp_dir().join(format!("cfn-pg-journal-{}", std::process::id()));
        let p = PgPending {
            url: "postgresql://u:pw@127.0.0.1/shop".into(),
            target: "shop".into(),
            tmp: "shop_cfn_tmp_1".into(),
            old: "shop_cfn_old_1".into(),
            project: "p".into(),
        };
        record(&home, &p).unwrap();
        let found = entries(&home);
        assert_eq!(found.len(), 1);
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&found[0].0).unwrap().permissions().mode() & 0o777, 0o600);
        done(&home, &p.tmp);
        assert!(entries(&home).is_empty());
        let _ = std::fs::remove_dir_all(&home);
    }
}
