//! What an agent receives for its skills: for each MCP server one of its skills needs, a token
//! signed for that server (audience), the run (task) and the agent's deadline, and the server's
//! URL — `CFN_MCP_<SERVER>_TOKEN` and `CFN_MCP_<SERVER>_URL`. A server none of its skills needs
//! gives it nothing. A container agent, on the stack's network, gets the service's address
//! there (`http://<service>:<port>/`) when the server is a service of the stack with a port key;
//! the rendered URL (`127.0.0.1` and the branch's port) is for agents on the host. Each grant is recorded in the approval history with the token's id; the
//! token itself goes only into the agent's environment, never into a log, event or record.

use crate::agents::skills::{self, Grant, SkillVersion};
use crate::config::skills::env_stem;
use crate::token::{Authority, Claims, TokenRequest};
use anyhow::{anyhow, Result};
use indexmap::IndexMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

/// A token outlives its agent's timeout by this much: the agent's last call must not be
/// refused while cfn is still waiting for it.
pub const TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// Where agents reach one MCP server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrls {
    /// `[mcp_servers.<name>] url` rendered for the branch: from the host.
    pub host: String,
    /// From the stack's network, when the server is one of its services with a port key.
    pub network: Option<String>,
}

/// The skills of a run's team and the authority that signs their tokens; empty when no agent
/// of the team has a skill (then no key file is ever created).
#[derive(Default)]
pub struct McpAccess {
    skills: IndexMap<String, SkillVersion>,
    /// Each server's URLs, by name.
    urls: IndexMap<String, ServerUrls>,
    authority: Option<Mutex<Authority>>,
}

impl McpAccess {
    /// Opens the token authority of `home` when any skill is given, for `skills` (registered)
    /// and the servers' rendered `urls`.
    pub fn open(
        home: &Path,
        skills: IndexMap<String, SkillVersion>,
        urls: IndexMap<String, ServerUrls>,
    ) -> Result<McpAccess> {
        if skills.is_empty() {
            return Ok(McpAccess::default());
        }
        let authority = Some(Mutex::new(Authority::open(home)?));
        Ok(McpAccess { skills, urls, authority })
    }

    /// The servers the given skills need, each once, in the order the skills name them.
    pub fn servers_of(&self, skills: &[String]) -> Vec<String> {
        let mut servers: Vec<String> = Vec::new();
        for server in skills.iter().filter_map(|s| self.skills.get(s)).flat_map(|s| &s.mcp) {
            if !servers.contains(server) {
                servers.push(server.clone());
            }
        }
        servers
    }

    /// Issues the agent's tokens, records its skills in the approval history, and returns the
    /// variables to add to its environment (`in_container`: the network's URLs where known).
    pub fn grant(
        &self,
        agent: &str,
        in_container: bool,
        profile: &crate::agents::AgentProfile,
        task: &str,
        iteration: u32,
        timeout: Duration,
    ) -> Result<Vec<(String, String)>> {
        let Some(authority) = &self.authority else { return Ok(Vec::new()) };
        if profile.skills.is_empty() {
            return Ok(Vec::new());
        }
        let authority = authority.lock().map_err(|_| anyhow!("the token authority is poisoned"))?;
        let ttl = Duration::from_secs((timeout + TOKEN_MARGIN).as_secs_f64().ceil() as u64);
        let mut env = Vec::new();
        let mut issued = Vec::new();
        for server in self.servers_of(&profile.skills) {
            let request = TokenRequest {
                agent: agent.to_string(),
                task: task.to_string(),
                audience: server.clone(),
                ttl,
                role: Some(profile.role),
                skills: profile.skills.clone(),
            };
            let claims = Claims::new(&request, crate::token::now())?;
            let token = authority.issue(&claims)?;
            let stem = env_stem(&server);
            env.push((format!("{stem}_TOKEN"), token));
            if let Some(urls) = self.urls.get(&server) {
                let url = match (&urls.network, in_container) {
                    (Some(network), true) => network,
                    _ => &urls.host,
                };
                env.push((format!("{stem}_URL"), url.clone()));
            }
            issued.push((server, claims.jti));
        }
        let conn = authority.state().conn();
        let grant = Grant { task, iteration, agent, role: profile.role.as_str(), tokens: &issued };
        for name in &profile.skills {
            if let Some(skill) = self.skills.get(name) {
                skills::record_grant(conn, skill, &grant)?;
            }
        }
        Ok(env)
    }
}

/// Adds an agent's MCP server variables to its environment, refusing one that would hide a
/// variable the branch already gives it (the `[mcp_servers]` check in cfn.toml catches those of
/// port keys; this catches `env.j2`'s).
pub fn add_without_hiding(
    env: &mut Vec<(String, String)>,
    granted: Vec<(String, String)>,
    agent: &str,
) -> Result<()> {
    if let Some((name, _)) = granted.iter().find(|(name, _)| env.iter().any(|(have, _)| have == name)) {
        return Err(crate::error::UserError::new(format!(
            "agent {agent}: the MCP server variable {name} is also one of the branch's variables"
        ))
        .hint(
            "rename the server in [mcp_servers] (or the variable in env.j2) so that neither hides the other",
        )
        .into());
    }
    env.extend(granted);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_server_variable_never_hides_one_of_the_branch() {
        let var = |k: &str, v: &str| (k.to_string(), v.to_string());
        let mut env = vec![var("CFN_MCP_A_HOST_URL", "http://web.feat.shop.localhost:7355")];
        let err =
            super::add_without_hiding(&mut env, vec![var("CFN_MCP_A_HOST_URL", "http://evil/")], "val-1")
                .unwrap_err();
        assert!(
            err.to_string().contains("CFN_MCP_A_HOST_URL is also one of the branch's variables"),
            "{err}"
        );
        assert_eq!(env.len(), 1, "nothing added");
        super::add_without_hiding(&mut env, vec![var("CFN_MCP_B_URL", "http://b/")], "val-1").unwrap();
        assert_eq!(env.len(), 2);
    }
}
