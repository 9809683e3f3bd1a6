//! The skills a run gives its agents, in the state database: each skill's file is hashed
//! (SHA-256) when a run starts and registered as a version of the skill (a changed file is a
//! new version, never an overwrite), and each grant of a skill to an agent in an iteration is
//! a row of the approval history naming that version.

use crate::config::skills::SkillConfig;
use crate::error::UserError;
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use rusqlite::{params, Connection, OptionalExtension as _};
use serde::Serialize;
use sha2::{Digest as _, Sha256};
use std::path::Path;

/// The largest skill file read: a skill is instructions, not data.
const MAX_SKILL_BYTES: u64 = 1024 * 1024;

/// One skill as registered for a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkillVersion {
    pub name: String,
    pub version: i64,
    /// `sha256:<hex>` of the file's content.
    pub content_hash: String,
    /// The file, relative to the repository root.
    pub path: String,
    /// The MCP servers the skill needs.
    pub mcp: Vec<String>,
}

/// Hashes the file of each skill in `names` under `root` and registers it for repository
/// `repo_id`: the latest version when the content is unchanged, else a new version.
pub fn register(
    conn: &Connection,
    repo_id: i64,
    root: &Path,
    skills: &IndexMap<String, SkillConfig>,
    names: &[String],
) -> Result<IndexMap<String, SkillVersion>> {
    let mut registered = IndexMap::new();
    for name in names {
        if registered.contains_key(name) {
            continue;
        }
        let skill = skills.get(name).ok_or_else(|| {
            UserError::usage(format!("skill {name} is not defined"))
                .hint(format!("add [skills.{name}] to cfn.toml"))
        })?;
        let hash = content_hash(root, name, &skill.path)?;
        let version = register_one(conn, repo_id, name, &hash, skill)?;
        registered.insert(
            name.clone(),
            SkillVersion {
                name: name.clone(),
                version,
                content_hash: hash,
                path: skill.path.clone(),
                mcp: skill.mcp.clone(),
            },
        );
    }
    Ok(registered)
}

fn content_hash(root: &Path, name: &str, rel: &str) -> Result<String> {
    let path = readable_file(root, name, rel)?;
    let bytes = std::fs::read(&path).map_err(|e| unreadable(name, &path, e))?;
    Ok(format!("sha256:{}", crate::names::hex(&Sha256::digest(&bytes))))
}

/// The skill's file in the checkout `root`, once it is known to stay inside it (links
/// resolved) and to be a file of at most 1 MiB: what a loop run would refuse, for `cfn doctor`
/// to say before one starts.
pub fn readable_file(root: &Path, name: &str, rel: &str) -> Result<std::path::PathBuf> {
    let key = format!("skills.{name}.path");
    let path = crate::safe_path::inside(root, rel, &key)?;
    let meta = std::fs::metadata(&path).map_err(|e| unreadable(name, &path, e))?;
    if !meta.is_file() || meta.len() > MAX_SKILL_BYTES {
        return Err(UserError::new(format!(
            "skill {name}: {} is not a file of at most {MAX_SKILL_BYTES} bytes",
            path.display()
        ))
        .hint(format!("point {key} at the skill's instructions file"))
        .into());
    }
    Ok(path)
}

fn unreadable(name: &str, path: &Path, e: std::io::Error) -> anyhow::Error {
    UserError::new(format!("skill {name}: cannot read {}: {e}", path.display()))
        .hint(format!("create the skill's file, or fix skills.{name}.path in cfn.toml"))
        .into()
}

fn register_one(conn: &Connection, repo_id: i64, name: &str, hash: &str, skill: &SkillConfig) -> Result<i64> {
    let latest: Option<(i64, String)> = conn
        .query_row(
            "SELECT version, content_hash FROM skills WHERE repo_id = ?1 AND name = ?2
             ORDER BY version DESC LIMIT 1",
            params![repo_id, name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let servers = serde_json::to_string(&skill.mcp)?;
    match latest {
        Some((version, latest_hash)) if latest_hash == hash => {
            conn.execute(
                "UPDATE skills SET content_path = ?4, mcp_servers = ?5,
                   updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
                 WHERE repo_id = ?1 AND name = ?2 AND version = ?3",
                params![repo_id, name, version, skill.path, servers],
            )?;
            Ok(version)
        }
        latest => {
            let version = latest.map_or(1, |(v, _)| v + 1);
            conn.execute(
                "INSERT INTO skills (repo_id, name, version, content_hash, content_path, mcp_servers)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![repo_id, name, version, hash, skill.path, servers],
            )
            .with_context(|| format!("cannot register skill {name}"))?;
            Ok(version)
        }
    }
}

/// What a grant records besides the skill: the run, the iteration, the agent, and the servers
/// it received a token for (by audience and token id, never the token).
pub struct Grant<'a> {
    pub task: &'a str,
    pub iteration: u32,
    pub agent: &'a str,
    pub role: &'a str,
    /// (audience, jti) of each token issued for the skill's servers.
    pub tokens: &'a [(String, String)],
}

/// Records that `skill` was given to the agent of `grant` (decision `granted`).
pub fn record_grant(conn: &Connection, skill: &SkillVersion, grant: &Grant<'_>) -> Result<()> {
    let tokens: Vec<_> = grant
        .tokens
        .iter()
        .filter(|(aud, _)| skill.mcp.contains(aud))
        .map(|(aud, jti)| serde_json::json!({ "audience": aud, "jti": jti }))
        .collect();
    let metadata = serde_json::json!({
        "role": grant.role,
        "content_hash": skill.content_hash,
        "path": skill.path,
        "mcp": skill.mcp,
        "tokens": tokens,
    });
    conn.execute(
        "INSERT INTO approval_history (skill, skill_version, agent, decision, metadata, task_id, iteration)
         VALUES (?1, ?2, ?3, 'granted', ?4, ?5, ?6)",
        params![skill.name, skill.version, grant.agent, metadata.to_string(), grant.task, grant.iteration],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, crate::state::State, i64) {
        let dir = tempfile::tempdir().unwrap();
        let state = crate::state::State::open(&dir.path().join("home")).unwrap();
        state.conn().execute("INSERT INTO repositories (root, project) VALUES ('/r', 'p')", []).unwrap();
        let id = state.conn().last_insert_rowid();
        (dir, state, id)
    }

    #[test]
    fn a_changed_file_is_a_new_version_and_an_unchanged_one_is_not() {
        let (dir, state, repo) = setup();
        std::fs::create_dir(dir.path().join("skills")).unwrap();
        std::fs::write(dir.path().join("skills/redis.md"), "use redis-cli").unwrap();
        let skills: IndexMap<String, SkillConfig> = [(
            "redis".to_string(),
            SkillConfig { path: "skills/redis.md".into(), mcp: vec!["mcp-redis".into()] },
        )]
        .into();
        let names = vec!["redis".to_string(), "redis".to_string()];
        let first = register(state.conn(), repo, dir.path(), &skills, &names).unwrap();
        assert_eq!(first.len(), 1);
        assert_eq!(first["redis"].version, 1);
        let expected = format!("sha256:{}", crate::names::hex(&Sha256::digest(b"use redis-cli")));
        assert_eq!(first["redis"].content_hash, expected);
        let again = register(state.conn(), repo, dir.path(), &skills, &names).unwrap();
        assert_eq!(again["redis"].version, 1);
        std::fs::write(dir.path().join("skills/redis.md"), "use redis-cli --scan").unwrap();
        let changed = register(state.conn(), repo, dir.path(), &skills, &names).unwrap();
        assert_eq!(changed["redis"].version, 2);
        let rows: i64 = state.conn().query_row("SELECT count(*) FROM skills", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 2, "both versions are kept");

        let grant = Grant {
            task: "t-1",
            iteration: 2,
            agent: "impl",
            role: "implementer",
            tokens: &[("mcp-redis".into(), "j1".into()), ("other".into(), "j2".into())],
        };
        record_grant(state.conn(), &changed["redis"], &grant).unwrap();
        let (skill, version, decision, meta): (String, i64, String, String) = state
            .conn()
            .query_row(
                "SELECT skill, skill_version, decision, metadata FROM approval_history WHERE task_id = 't-1' AND iteration = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!((skill.as_str(), version, decision.as_str()), ("redis", 2, "granted"));
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        assert_eq!(meta["tokens"], serde_json::json!([{ "audience": "mcp-redis", "jti": "j1" }]));
    }

    #[test]
    fn a_missing_file_is_a_user_error() {
        let (dir, state, repo) = setup();
        let skills: IndexMap<String, SkillConfig> =
            [("x".to_string(), SkillConfig { path: "nope.md".into(), mcp: vec![] })].into();
        let err = register(state.conn(), repo, dir.path(), &skills, &["x".to_string()]).unwrap_err();
        let user = err.downcast_ref::<UserError>().unwrap();
        assert!(user.message.starts_with("skill x: cannot read"), "{user:?}");
    }
}
