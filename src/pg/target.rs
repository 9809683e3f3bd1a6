//! [`Target`] for [`PgTarget`]: the SQL of locking, bookkeeping, applying and reverting.
//!
//! A wrapped script runs with `batch_execute` inside the transaction that records it, after
//! the transaction-level apply lock and a re-read of its row. A `-- cfn:no-transaction`
//! script (see [`crate::migrate::script`]) is checked and run as written first, then recorded
//! in a transaction of its own; if it fails, a `ROLLBACK` ends any transaction it left open.
//! PostgreSQL runs a multi-statement string as one implicit transaction, so a statement that
//! refuses transaction blocks (`CREATE INDEX CONCURRENTLY`) must be alone in its script.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tokio_postgres::{Client, GenericClient};

use super::{block, PgTarget, TABLE};
use crate::migrate::script::{down_label, transaction_mode, TxMode};
use crate::migrate::{Applied, MigrateError, Migration, Target};

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS cfn_schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL, duration_ms BIGINT NOT NULL, down_sql TEXT)";

fn db(action: &'static str) -> impl FnOnce(tokio_postgres::Error) -> MigrateError {
    move |e| MigrateError::database(action, e)
}

fn failed(version: i64, name: &str, script: &str) -> impl FnOnce(tokio_postgres::Error) -> MigrateError {
    let (name, script) = (name.to_string(), script.to_string());
    move |e| MigrateError::Script { version, name, script, source: Box::new(e) }
}

async fn table_exists(client: &impl GenericClient) -> Result<bool, MigrateError> {
    let row = client.query_one("SELECT to_regclass($1::text) IS NOT NULL", &[&TABLE]).await;
    row.and_then(|row| row.try_get(0)).map_err(db("reading applied migrations"))
}

/// Serialises bookkeeping transactions, then creates the table if it is missing.
async fn prepare(tx: &impl GenericClient) -> Result<(), MigrateError> {
    let key = PgTarget::apply_key();
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
        .await
        .map_err(db("waiting for another migrator"))?;
    if !table_exists(tx).await? {
        tx.batch_execute(CREATE_TABLE).await.map_err(db("creating cfn_schema_migrations"))?;
    }
    Ok(())
}

async fn is_recorded(client: &impl GenericClient, version: i64) -> Result<bool, MigrateError> {
    let rows = client.query("SELECT 1 FROM cfn_schema_migrations WHERE version = $1", &[&version]).await;
    rows.map(|rows| !rows.is_empty()).map_err(db("reading applied migrations"))
}

/// Runs a `-- cfn:no-transaction` script; on failure ends any transaction it left open.
async fn run_unwrapped(client: &Client, sql: &str) -> Result<(), tokio_postgres::Error> {
    let result = client.batch_execute(sql).await;
    if result.is_err() {
        let _ = client.batch_execute("ROLLBACK").await;
    }
    result
}

async fn lock(client: &Client, timeout: Duration) -> Result<(), MigrateError> {
    let key = PgTarget::lock_key();
    let deadline = Instant::now() + timeout;
    let mut pause = Duration::from_millis(10);
    loop {
        let row = client.query_one("SELECT pg_try_advisory_lock($1)", &[&key]).await;
        if row.and_then(|row| row.try_get::<_, bool>(0)).map_err(db("taking the migrator lock"))? {
            return Ok(());
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            let path = PathBuf::from(format!("the postgresql advisory lock {key} ({TABLE})"));
            return Err(MigrateError::LockTimeout { path, waited: timeout });
        }
        tokio::time::sleep(pause.min(left)).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

async fn apply(client: &mut Client, m: &Migration, mode: TxMode) -> Result<Applied, MigrateError> {
    let already = || MigrateError::AlreadyApplied { version: m.version, name: m.name.clone() };
    let started = Instant::now();
    if mode == TxMode::NoTransaction {
        let tx = client.transaction().await.map_err(db("starting a transaction"))?;
        prepare(&tx).await?;
        if is_recorded(&tx, m.version).await? {
            return Err(already());
        }
        tx.commit().await.map_err(db("creating cfn_schema_migrations"))?;
        run_unwrapped(client, &m.up).await.map_err(failed(m.version, &m.name, &m.file))?;
    }
    let tx = client.transaction().await.map_err(db("starting a transaction"))?;
    prepare(&tx).await?;
    if is_recorded(&tx, m.version).await? {
        return Err(already());
    }
    if mode == TxMode::Wrapped {
        tx.batch_execute(&m.up).await.map_err(failed(m.version, &m.name, &m.file))?;
    }
    let applied = Applied::now(m, started);
    tx.execute(
        "INSERT INTO cfn_schema_migrations (version, name, checksum, applied_at, duration_ms, down_sql)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &applied.version,
            &applied.name,
            &applied.checksum,
            &applied.applied_at,
            &applied.duration_ms,
            &applied.down,
        ],
    )
    .await
    .map_err(db("recording an applied migration"))?;
    crate::crash_point::reached("migrate", 2);
    tx.commit().await.map_err(db("committing a migration"))?;
    Ok(applied)
}

async fn revert(client: &mut Client, a: &Applied, down: &str, mode: TxMode) -> Result<(), MigrateError> {
    let gone = || MigrateError::NotApplied { version: a.version, name: a.name.clone() };
    let fail = || failed(a.version, &a.name, "its down script");
    if mode == TxMode::NoTransaction {
        if !table_exists(client).await? || !is_recorded(client, a.version).await? {
            return Err(gone());
        }
        run_unwrapped(client, down).await.map_err(fail())?;
    }
    let tx = client.transaction().await.map_err(db("starting a transaction"))?;
    prepare(&tx).await?;
    if !is_recorded(&tx, a.version).await? {
        return Err(gone());
    }
    if mode == TxMode::Wrapped {
        tx.batch_execute(down).await.map_err(fail())?;
    }
    tx.execute("DELETE FROM cfn_schema_migrations WHERE version = $1", &[&a.version])
        .await
        .map_err(db("deleting a reverted migration"))?;
    tx.commit().await.map_err(db("committing a revert"))
}

async fn applied(client: &Client) -> Result<Vec<Applied>, MigrateError> {
    if !table_exists(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT version, name, checksum, applied_at, duration_ms, down_sql
             FROM cfn_schema_migrations ORDER BY version",
            &[],
        )
        .await
        .map_err(db("reading applied migrations"))?;
    let row = |row: &tokio_postgres::Row| {
        Ok(Applied {
            version: row.try_get(0)?,
            name: row.try_get(1)?,
            checksum: row.try_get(2)?,
            applied_at: row.try_get(3)?,
            duration_ms: row.try_get(4)?,
            down: row.try_get(5)?,
        })
    };
    rows.iter().map(row).collect::<Result<_, _>>().map_err(db("reading applied migrations"))
}

impl Target for PgTarget {
    fn lock(&mut self) -> Result<(), MigrateError> {
        if !self.locked {
            block(&self.runtime, lock(&self.client, self.lock_timeout))??;
            self.locked = true;
        }
        Ok(())
    }

    fn unlock(&mut self) -> Result<(), MigrateError> {
        if !self.locked {
            return Ok(());
        }
        self.locked = false;
        let key = PgTarget::lock_key();
        let row = block(&self.runtime, self.client.query_one("SELECT pg_advisory_unlock($1)", &[&key]))?;
        let held: bool = row.and_then(|row| row.try_get(0)).map_err(db("releasing the migrator lock"))?;
        if held {
            Ok(())
        } else {
            Err(MigrateError::database("releasing the migrator lock", "the session no longer held it"))
        }
    }

    fn applied(&mut self) -> Result<Vec<Applied>, MigrateError> {
        block(&self.runtime, applied(&self.client))?
    }

    fn apply(&mut self, m: &Migration) -> Result<Applied, MigrateError> {
        let mode = transaction_mode(&m.up, &m.file)?;
        block(&self.runtime, apply(&mut self.client, m, mode))?
    }

    fn revert(&mut self, a: &Applied) -> Result<(), MigrateError> {
        let down = a
            .down
            .as_deref()
            .ok_or_else(|| MigrateError::NoDownScript { version: a.version, name: a.name.clone() })?;
        let mode = transaction_mode(down, &down_label(a.version, &a.name))?;
        block(&self.runtime, revert(&mut self.client, a, down, mode))?
    }
}
