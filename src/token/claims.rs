//! What a token says: who holds it (`sub`), which server it is for (`aud`), for which task, in
//! which role, with which skills, and until when. Built from a [`TokenRequest`], which is checked
//! here, so a token is never signed for an empty agent, an unknown server or an unbounded life.

use super::ttl::check_ttl;
use crate::agents::Role;
use crate::error::UserError;
use anyhow::Result;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The longest agent id, task id, audience or skill name accepted.
const MAX_NAME: usize = 128;

/// The claims of a cfn agent token (a JWT signed with HS256).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The agent the token was issued to.
    pub sub: String,
    /// The one server (MCP service) that may accept the token.
    pub aud: String,
    /// Issued at, in Unix seconds.
    pub iat: u64,
    /// Expires at, in Unix seconds: the token is refused from this second on.
    pub exp: u64,
    /// A random id: what a revocation names.
    pub jti: String,
    /// The task (loop run) the agent works on.
    pub task_id: String,
    /// The agent's role in the loop, when it has one.
    pub role: Option<Role>,
    /// The skills the agent was given (what the server may let it do).
    pub skills: Vec<String>,
}

/// What a caller asks a token for; [`Claims::new`] checks it.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub agent: String,
    pub task: String,
    pub audience: String,
    pub ttl: Duration,
    pub role: Option<Role>,
    pub skills: Vec<String>,
}

impl Claims {
    /// The claims for `request` issued at `now` (Unix seconds), with a fresh random `jti`.
    pub fn new(request: &TokenRequest, now: u64) -> Result<Claims> {
        check_name("agent id", &request.agent)?;
        check_name("task id", &request.task)?;
        check_audience(&request.audience)?;
        for skill in &request.skills {
            check_name("skill name", skill)?;
        }
        check_ttl(request.ttl)?;
        let mut skills = request.skills.clone();
        skills.sort();
        skills.dedup();
        Ok(Claims {
            sub: request.agent.clone(),
            aud: request.audience.clone(),
            iat: now,
            exp: now + request.ttl.as_secs(),
            jti: random_jti()?,
            task_id: request.task.clone(),
            role: request.role,
            skills,
        })
    }
}

/// A server name: what compose allows for a service name (`[A-Za-z0-9][A-Za-z0-9._-]*`).
pub fn check_audience(audience: &str) -> Result<()> {
    if audience.is_empty() {
        return Err(UserError::new("empty audience")
            .hint("name the MCP server the token is for: --audience SERVER")
            .into());
    }
    let well_formed = audience.len() <= MAX_NAME
        && audience.starts_with(|c: char| c.is_ascii_alphanumeric())
        && audience.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !well_formed {
        return Err(UserError::new(format!("audience {audience:?} is not a server name"))
            .hint("a server name is letters, digits, '.', '_' and '-', as a compose service name")
            .into());
    }
    Ok(())
}

/// Refuses an audience that is not one of `known` (the servers an agent can be sent to).
pub fn check_audience_known(audience: &str, known: &[String]) -> Result<()> {
    check_audience(audience)?;
    if known.iter().any(|k| k == audience) {
        return Ok(());
    }
    Err(UserError::new(format!("unknown audience {audience:?}"))
        .hint(format!("the servers of this project are: {}", known.join(", ")))
        .into())
}

/// An agent id, task id or skill name: printable ASCII without spaces, at most 128 characters.
fn check_name(what: &str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(UserError::new(format!("empty {what}")).into());
    }
    if value.len() > MAX_NAME || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(UserError::new(format!("{what} {value:?} is not a valid name"))
            .hint(format!("use at most {MAX_NAME} printable characters without spaces"))
            .into());
    }
    Ok(())
}

/// 128 random bits from the operating system, as hex.
fn random_jti() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
    Ok(crate::names::hex(&bytes))
}

#[cfg(test)]
pub(crate) fn request(audience: &str) -> TokenRequest {
    TokenRequest {
        agent: "implementer-1".into(),
        task: "task-1".into(),
        audience: audience.into(),
        ttl: Duration::from_secs(3600),
        role: Some(Role::Implementer),
        skills: vec!["redis".into(), "browser".into(), "redis".into()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_follow_the_request() {
        let claims = Claims::new(&request("mcp-redis"), 1_000).unwrap();
        assert_eq!((claims.sub.as_str(), claims.aud.as_str()), ("implementer-1", "mcp-redis"));
        assert_eq!((claims.iat, claims.exp), (1_000, 4_600));
        assert_eq!(claims.skills, ["browser", "redis"]);
        assert_eq!(claims.jti.len(), 32);
        assert_ne!(claims.jti, Claims::new(&request("mcp-redis"), 1_000).unwrap().jti);
    }

    #[test]
    fn bad_requests_are_refused() {
        for audience in ["", "-x", "a b", "server/1", &"a".repeat(129)] {
            assert!(Claims::new(&request(audience), 0).is_err(), "audience {audience:?}");
        }
        let mut r = request("web");
        r.agent = String::new();
        assert!(Claims::new(&r, 0).is_err());
        let mut r = request("web");
        r.task = "two words".into();
        assert!(Claims::new(&r, 0).is_err());
        let mut r = request("web");
        r.ttl = Duration::ZERO;
        assert!(Claims::new(&r, 0).is_err());
    }

    #[test]
    fn unknown_audience_is_refused() {
        let known = vec!["web".to_string(), "cfn".to_string()];
        assert!(check_audience_known("web", &known).is_ok());
        let err = check_audience_known("mcp-redis", &known).unwrap_err().to_string();
        assert_eq!(err, "unknown audience \"mcp-redis\"");
    }
}
