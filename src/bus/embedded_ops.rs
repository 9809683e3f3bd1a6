//! The embedded bus's operations, each the SQLite twin of its Redis counterpart: a signal is a
//! stream row, a report a `kv` row (`INSERT OR IGNORE`: the first report wins) plus an index row,
//! a lock a `kv` row holding its token. Waiting operations poll (see `embedded.rs`).

use std::collections::HashSet;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension};

use super::embedded::{append, get, now, ttl as ttl_of, EmbeddedBus};
use super::error::{BusError, Result};
use super::keys;
use super::types::{needed, Collected, LockToken, Report, Signal};

impl EmbeddedBus {
    pub(super) async fn context_store(
        &self,
        task: &str,
        key: &str,
        value: &str,
        ttl: Duration,
    ) -> Result<()> {
        let key = keys::context(task, key)?;
        let ttl = ttl_of("ttl", ttl)?;
        let value = value.to_string();
        self.write(move |tx, now| {
            tx.execute(
                "INSERT OR REPLACE INTO kv (key, field, value, expires_at) VALUES (?1, '', ?2, ?3)",
                params![key, value, now + ttl],
            )
            .map_err(BusError::sqlite("context store"))?;
            Ok(())
        })
        .await
    }

    pub(super) async fn context_get(&self, task: &str, key: &str) -> Result<Option<String>> {
        let key = keys::context(task, key)?;
        self.call(move |conn| get(conn, &key, "")).await
    }

    pub(super) async fn signal_send(&self, task: &str, channel: &str, payload: &str) -> Result<String> {
        let key = keys::signal(task, channel)?;
        let payload = payload.to_string();
        let id = self.write(move |tx, now| append(tx, now, &key, &payload, keys::SIGNAL_HISTORY)).await?;
        Ok(id.to_string())
    }

    pub(super) async fn signal_wait(
        &self,
        task: &str,
        channel: &str,
        timeout: Duration,
    ) -> Result<Option<String>> {
        let key = keys::signal(task, channel)?;
        let found = self.poll(timeout, move |conn| entry(conn, &key, None)).await?;
        Ok(found.map(|signal| signal.payload))
    }

    pub(super) async fn signal_next(
        &self,
        task: &str,
        channel: &str,
        after: &str,
        timeout: Duration,
    ) -> Result<Option<Signal>> {
        let key = keys::signal(task, channel)?;
        let after: i64 = after
            .parse()
            .map_err(|_| BusError::invalid("signal id", format!("{after:?} is not an embedded bus id")))?;
        self.poll(timeout, move |conn| entry(conn, &key, Some(after))).await
    }

    pub(super) async fn agent_report(&self, task: &str, report: &Report) -> Result<bool> {
        let hash = keys::result(task, &report.agent)?;
        let index = keys::results_index(task, report.iteration)?;
        let ttl = ttl_of("ttl", keys::DEFAULT_TTL)?;
        let json = report.to_json()?;
        let field = report.slot();
        self.write(move |tx, now| {
            let inserted = tx
                .execute(
                    "INSERT OR IGNORE INTO kv (key, field, value, expires_at) VALUES (?1, ?2, ?3, ?4)",
                    params![hash, field, json, now + ttl],
                )
                .map_err(BusError::sqlite("report"))?;
            if inserted == 0 {
                return Ok(false);
            }
            tx.execute("UPDATE kv SET expires_at = ?2 WHERE key = ?1", params![hash, now + ttl])
                .map_err(BusError::sqlite("report"))?;
            append(tx, now, &index, &json, usize::MAX)?;
            Ok(true)
        })
        .await
    }

    pub(super) async fn results_collect(
        &self,
        task: &str,
        iteration: u32,
        expected: usize,
        threshold: f64,
        timeout: Duration,
    ) -> Result<Collected> {
        let key = keys::results_index(task, iteration)?;
        let needed = needed(expected, threshold)?;
        let probe_key = key.clone();
        let enough = self
            .poll(timeout, move |conn| {
                let reports = reports(conn, &probe_key)?;
                Ok((reports.len() >= needed).then_some(reports))
            })
            .await?;
        let reports = match enough {
            Some(reports) => reports,
            None => self.call(move |conn| reports(conn, &key)).await?,
        };
        Ok(Collected::new(reports, needed))
    }

    pub(super) async fn iteration_reports(&self, task: &str, iteration: u32) -> Result<Vec<Report>> {
        let key = keys::results_index(task, iteration)?;
        self.call(move |conn| values(conn, &key)?.iter().map(|text| Report::from_json(text)).collect()).await
    }

    pub(super) async fn lock_acquire(
        &self,
        resource: &str,
        ttl: Duration,
        wait: Duration,
    ) -> Result<Option<LockToken>> {
        let key = keys::lock(resource)?;
        let ttl = ttl_of("lock ttl", ttl)?;
        let token = LockToken::random()?;
        let value = token.as_str().to_string();
        let got = self
            .poll(wait, move |conn| {
                if get(conn, &key, "")?.is_some() {
                    return Ok(None);
                }
                let (key, value) = (key.clone(), value.clone());
                super::embedded::write_sync(conn, move |tx, now| {
                    let inserted = tx
                        .execute(
                            "INSERT OR IGNORE INTO kv (key, field, value, expires_at) VALUES (?1, '', ?2, ?3)",
                            params![key, value, now + ttl],
                        )
                        .map_err(BusError::sqlite("lock acquire"))?;
                    Ok((inserted == 1).then_some(()))
                })
            })
            .await?;
        Ok(got.map(|()| token))
    }

    pub(super) async fn lock_release(&self, resource: &str, token: &LockToken) -> Result<bool> {
        let key = keys::lock(resource)?;
        let token = token.as_str().to_string();
        self.write(move |tx, now| {
            let deleted = tx
                .execute(
                    "DELETE FROM kv WHERE key = ?1 AND field = '' AND value = ?2 AND expires_at > ?3",
                    params![key, token, now],
                )
                .map_err(BusError::sqlite("lock release"))?;
            Ok(deleted == 1)
        })
        .await
    }

    pub(super) async fn publish_event(&self, task: &str, event: &serde_json::Value) -> Result<()> {
        let key = keys::events(task)?;
        let json = event.to_string();
        self.write(move |tx, now| append(tx, now, &key, &json, keys::EVENT_HISTORY)).await?;
        Ok(())
    }

    pub(super) async fn events(&self, task: &str) -> Result<Vec<serde_json::Value>> {
        let key = keys::events(task)?;
        self.call(move |conn| {
            values(conn, &key)?
                .iter()
                .map(|text| {
                    serde_json::from_str(text).map_err(|e| BusError::malformed("event", e.to_string()))
                })
                .collect()
        })
        .await
    }
}

/// The newest live entry of a stream (`after: None`), or the first one after `after`.
fn entry(conn: &mut Connection, key: &str, after: Option<i64>) -> Result<Option<Signal>> {
    let sql = match after {
        None => "SELECT id, value FROM stream WHERE key = ?1 AND id > ?3 AND EXISTS (SELECT 1 FROM stream_life l WHERE l.key = ?1 AND l.expires_at > ?2) ORDER BY id DESC LIMIT 1",
        Some(_) => "SELECT id, value FROM stream WHERE key = ?1 AND id > ?3 AND EXISTS (SELECT 1 FROM stream_life l WHERE l.key = ?1 AND l.expires_at > ?2) ORDER BY id LIMIT 1",
    };
    conn.prepare_cached(sql)
        .and_then(|mut stmt| {
            stmt.query_row(params![key, now(), after.unwrap_or(0)], |row| {
                Ok(Signal { id: row.get::<_, i64>(0)?.to_string(), payload: row.get(1)? })
            })
            .optional()
        })
        .map_err(BusError::sqlite("signal read"))
}

/// Every live entry's value of a stream, oldest first.
fn values(conn: &Connection, key: &str) -> Result<Vec<String>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT value FROM stream WHERE key = ?1 AND EXISTS
                 (SELECT 1 FROM stream_life l WHERE l.key = ?1 AND l.expires_at > ?2) ORDER BY id",
        )
        .map_err(BusError::sqlite("stream read"))?;
    let rows =
        stmt.query_map(params![key, now()], |row| row.get(0)).map_err(BusError::sqlite("stream read"))?;
    rows.collect::<rusqlite::Result<Vec<String>>>().map_err(BusError::sqlite("stream read"))
}

/// An iteration's reports, one per distinct agent, in arrival order.
fn reports(conn: &mut Connection, index: &str) -> Result<Vec<Report>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for text in values(conn, index)? {
        let report = Report::from_json(&text)?;
        if seen.insert(report.agent.clone()) {
            out.push(report);
        }
    }
    Ok(out)
}
