//! The token records of the state database: what was issued (id, agent, server, task, expiry;
//! never the token or the secret) and what was revoked. Rows whose expiry has passed are of no
//! use, since an expired token is refused anyway, and are pruned.

use super::claims::Claims;
use anyhow::Result;
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;

/// A token as recorded at issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedToken {
    pub jti: String,
    pub agent: String,
    pub audience: String,
    pub task_id: String,
    pub role: Option<String>,
    pub kid: String,
    pub issued_at: u64,
    pub expires_at: u64,
}

const COLUMNS: &str = "jti, agent, audience, task_id, role, kid, issued_at, expires_at";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<IssuedToken> {
    Ok(IssuedToken {
        jti: r.get(0)?,
        agent: r.get(1)?,
        audience: r.get(2)?,
        task_id: r.get(3)?,
        role: r.get(4)?,
        kid: r.get(5)?,
        issued_at: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
        expires_at: u64::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
    })
}

pub fn record_issued(conn: &Connection, claims: &Claims, kid: &str) -> Result<()> {
    conn.execute(
        &format!("INSERT INTO tokens_issued ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"),
        params![
            claims.jti,
            claims.sub,
            claims.aud,
            claims.task_id,
            claims.role.map(|r| r.as_str()),
            kid,
            sql_time(claims.iat),
            sql_time(claims.exp)
        ],
    )?;
    Ok(())
}

/// The record of an issued token that has not expired yet.
pub fn issued(conn: &Connection, jti: &str, now: u64) -> Result<Option<IssuedToken>> {
    let sql = format!("SELECT {COLUMNS} FROM tokens_issued WHERE jti = ?1 AND expires_at > ?2");
    Ok(conn.query_row(&sql, params![jti, sql_time(now)], row).optional()?)
}

/// Issued tokens that have neither expired nor been revoked, soonest to expire first.
pub fn live(conn: &Connection, now: u64) -> Result<Vec<IssuedToken>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM tokens_issued i WHERE expires_at > ?1
           AND NOT EXISTS (SELECT 1 FROM token_revocations r WHERE r.jti = i.jti)
         ORDER BY expires_at, jti"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([sql_time(now)], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records a revocation; false when the token was already revoked.
pub fn revoke(conn: &Connection, jti: &str, expires_at: u64, now: u64) -> Result<bool> {
    let added = conn.execute(
        "INSERT OR IGNORE INTO token_revocations (jti, expires_at, revoked_at) VALUES (?1, ?2, ?3)",
        params![jti, sql_time(expires_at), sql_time(now)],
    )?;
    Ok(added == 1)
}

/// Where a token of these claims stands in the records: issued with exactly these claims (and
/// not revoked), revoked, or never issued here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Live,
    Revoked,
    NotIssued,
}

/// One indexed lookup: the token's record, matching its claims, and its revocation.
pub fn standing(conn: &Connection, claims: &Claims) -> Result<Standing> {
    let mut stmt = conn.prepare_cached(
        "SELECT EXISTS(SELECT 1 FROM token_revocations r WHERE r.jti = i.jti) FROM tokens_issued i
          WHERE i.jti = ?1 AND i.agent = ?2 AND i.audience = ?3 AND i.task_id = ?4 AND i.expires_at = ?5",
    )?;
    let revoked: Option<bool> = stmt
        .query_row(params![claims.jti, claims.sub, claims.aud, claims.task_id, sql_time(claims.exp)], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match revoked {
        None => Standing::NotIssued,
        Some(true) => Standing::Revoked,
        Some(false) => Standing::Live,
    })
}

pub fn is_revoked(conn: &Connection, jti: &str) -> Result<bool> {
    let mut stmt = conn.prepare_cached("SELECT EXISTS(SELECT 1 FROM token_revocations WHERE jti = ?1)")?;
    Ok(stmt.query_row([jti], |r| r.get(0))?)
}

/// Deletes the records of tokens that have expired by `now`.
pub fn prune(conn: &Connection, now: u64) -> Result<()> {
    conn.execute("DELETE FROM token_revocations WHERE expires_at <= ?1", [sql_time(now)])?;
    conn.execute("DELETE FROM tokens_issued WHERE expires_at <= ?1", [sql_time(now)])?;
    Ok(())
}

/// SQLite integers are signed; Unix seconds fit until the year 292 billion.
fn sql_time(secs: u64) -> i64 {
    i64::try_from(secs).unwrap_or(i64::MAX)
}
