//! `[skills.<name>]` and `[mcp_servers.<name>]` of cfn.toml: what an agent may be given.
//!
//! A skill is a file of the repository (its instructions) and the MCP servers it needs (the
//! seed's `skill_to_mcp_mapping`). An agent declares its skills (`[agents.<id>] skills`); the
//! loop hands it one token per server its skills need, and each server's URL, and nothing for a
//! server none of its skills names. A server is declared once with the URL agents reach it at,
//! a template rendered for the branch (`{{ ports.<key> }}`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The audience of cfn's own tokens: no MCP server may take its name (it would get its keys).
pub const RESERVED_SERVER: &str = "cfn";

/// The longest skill or server name (the token claims' limit).
const MAX_NAME: usize = 128;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillConfig {
    /// The skill's file, relative to the repository root (its content hash versions the skill).
    pub path: String,
    /// The MCP servers the skill needs: names of `[mcp_servers]`.
    #[serde(default)]
    pub mcp: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpServerConfig {
    /// Where an agent reaches the server: a template rendered for the branch, e.g.
    /// `http://127.0.0.1:{{ ports.mcp_redis }}/`.
    pub url: String,
}

/// `CFN_MCP_<SERVER>`: the stem of the variables that carry a server's token and URL
/// (`mcp-redis` → `CFN_MCP_MCP_REDIS`).
pub fn env_stem(server: &str) -> String {
    let upper: String = server
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
        .collect();
    format!("CFN_MCP_{upper}")
}

/// A skill or server name: what a compose service name allows, at most 128 characters.
pub fn is_valid_name(name: &str) -> bool {
    name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Checks skills, servers and the agents' skills against each other: the message and the hint
/// of the first problem.
pub fn check(
    skills: &IndexMap<String, SkillConfig>,
    servers: &IndexMap<String, McpServerConfig>,
    agents: &IndexMap<String, super::agents::AgentProfile>,
    port_variables: &[String],
) -> Result<(), (String, String)> {
    let mut stems: IndexMap<String, &String> = IndexMap::new();
    for name in servers.keys() {
        if !is_valid_name(name) {
            return Err((
                format!("mcp server name {name:?} is not a server name"),
                "use letters, digits, '.', '_' and '-', as in a compose service name".into(),
            ));
        }
        if name == RESERVED_SERVER {
            return Err((
                "mcp server name \"cfn\" is cfn's own audience".into(),
                "name the server otherwise: no service gets the keys of cfn's own tokens".into(),
            ));
        }
        let stem = env_stem(name);
        if let Some(taken) = [format!("{stem}_TOKEN"), format!("{stem}_URL")]
            .into_iter()
            .find(|variable| port_variables.contains(variable))
        {
            return Err((
                format!("mcp server {name:?} would set {taken}, a variable of a port key"),
                "rename the server or the port key so that neither hides the other".into(),
            ));
        }
        if let Some(first) = stems.insert(env_stem(name), name) {
            return Err((
                format!("mcp servers {first:?} and {name:?} both become the variables {}_*", env_stem(name)),
                "rename one of them".into(),
            ));
        }
    }
    for (name, skill) in skills {
        if !is_valid_name(name) {
            return Err((
                format!("skill name {name:?} is not valid"),
                "use letters, digits, '.', '_' and '-'".into(),
            ));
        }
        if skill.path.trim().is_empty() {
            return Err((
                format!("skills.{name}.path is empty"),
                "name the skill's instructions file, relative to the repository root".into(),
            ));
        }
        if let Some(server) = skill.mcp.iter().find(|s| !servers.contains_key(*s)) {
            return Err((
                format!("skills.{name}.mcp names {server:?}, which is not an MCP server"),
                format!("add [mcp_servers.{server}] with its url (docs/configuration.md#mcp_servers)"),
            ));
        }
    }
    for (id, profile) in agents {
        if let Some(skill) = profile.skills.iter().find(|s| !skills.contains_key(*s)) {
            let known = if skills.is_empty() {
                "none".to_string()
            } else {
                skills.keys().cloned().collect::<Vec<_>>().join(", ")
            };
            return Err((
                format!("agents.{id}.skills names {skill:?}, which is not a skill"),
                format!("add [skills.{skill}] with its path, or use one of the defined skills: {known}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::error::UserError;
    use std::path::Path;

    const BASE: &str = "[mcp_servers.mcp-redis]\nurl = \"http://127.0.0.1:{{ ports.mcp_redis }}/\"\n\
        [skills.redis-debugging]\npath = \"skills/redis.md\"\nmcp = [\"mcp-redis\"]\n\
        [skills.docs]\npath = \"skills/docs.md\"\n";

    fn refused(toml: &str) -> UserError {
        let err = Config::parse(toml, Path::new("/r/cfn.toml")).unwrap_err();
        err.downcast::<UserError>().unwrap()
    }

    #[test]
    fn skills_servers_and_agents_skills_parse() {
        let toml = format!("{BASE}[agents.impl]\nrole = \"implementer\"\ncommand = [\"x\"]\nskills = [\"redis-debugging\"]\n");
        let c = Config::parse(&toml, Path::new("cfn.toml")).unwrap();
        assert_eq!(c.skills["redis-debugging"].mcp, ["mcp-redis"]);
        assert!(c.skills["docs"].mcp.is_empty());
        assert_eq!(c.mcp_servers["mcp-redis"].url, "http://127.0.0.1:{{ ports.mcp_redis }}/");
        assert_eq!(c.agents["impl"].skills, ["redis-debugging"]);
        assert_eq!(super::env_stem("mcp-redis"), "CFN_MCP_MCP_REDIS");
    }

    #[test]
    fn a_server_named_cfn_or_hiding_a_port_variable_is_refused() {
        let e = refused("[mcp_servers.cfn]\nurl = \"http://127.0.0.1:1/\"\n");
        assert!(e.message.ends_with("mcp server name \"cfn\" is cfn's own audience"), "{e:?}");
        let toml = "[ports.keys.mcp_a]\nservice = \"mcp-a\"\ntarget = 80\nbase = 8100\n\
                    [mcp_servers.a_host]\nurl = \"http://x/\"\n";
        let e = refused(toml);
        assert!(
            e.message
                .ends_with("mcp server \"a_host\" would set CFN_MCP_A_HOST_URL, a variable of a port key"),
            "{e:?}"
        );
    }

    #[test]
    fn a_skill_path_that_is_empty_or_outside_is_refused() {
        for (path, message) in [
            ("", "skills.docs.path is empty"),
            ("  ", "skills.docs.path is empty"),
            ("/etc/passwd", "skills.docs.path \"/etc/passwd\" is outside the repository (an absolute path)"),
            (
                "skills/../../x.md",
                "skills.docs.path \"skills/../../x.md\" is outside the repository (it climbs out with `..`)",
            ),
        ] {
            let e = refused(&format!("[skills.docs]\npath = \"{path}\"\n"));
            assert!(e.message.ends_with(message), "{e:?}");
        }
    }

    #[test]
    fn an_unknown_skill_of_an_agent_is_refused_with_a_hint() {
        let e = refused(&format!("{BASE}[agents.impl]\nrole = \"implementer\"\nskills = [\"browser\"]\n"));
        assert_eq!(
            e.message,
            "invalid /r/cfn.toml: agents.impl.skills names \"browser\", which is not a skill"
        );
        assert_eq!(
            e.hint.as_deref(),
            Some(
                "add [skills.browser] with its path, or use one of the defined skills: redis-debugging, docs"
            )
        );
    }

    #[test]
    fn a_skill_naming_an_undeclared_server_is_refused() {
        let e = refused("[skills.web]\npath = \"s.md\"\nmcp = [\"mcp-playwright\"]\n");
        assert!(
            e.message.ends_with("skills.web.mcp names \"mcp-playwright\", which is not an MCP server"),
            "{e:?}"
        );
        assert!(e.hint.unwrap().contains("[mcp_servers.mcp-playwright]"));
    }

    #[test]
    fn bad_names_paths_and_colliding_servers_are_refused() {
        let e = refused("[skills.\"a b\"]\npath = \"s.md\"\n");
        assert!(e.message.contains("skill name \"a b\" is not valid"), "{e:?}");
        let e = refused("[skills.up]\npath = \"../outside.md\"\n");
        assert!(e.message.contains("skills.up.path"), "{e:?}");
        let e = refused("[mcp_servers.a-b]\nurl = \"x\"\n[mcp_servers.a_b]\nurl = \"y\"\n");
        assert!(e.message.contains("both become the variables CFN_MCP_A_B_*"), "{e:?}");
        let e = refused("[skills.x]\npath = \"s.md\"\nmcps = []\n");
        assert!(e.message.contains("mcps"), "unknown keys are errors: {e:?}");
    }
}
