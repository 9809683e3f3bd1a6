//! The MCP servers of `[mcp_servers]` as a branch sees them: each URL template rendered with
//! the branch's values; the access a loop run gives its agents (their skills registered, the
//! token authority open); and the verifier keys the branch's MCP services read (docs/skills.md).

use super::mcp_access::{McpAccess, ServerUrls};
use super::{BranchEnv, Workspace};
use crate::agents::AgentProfile;
use crate::config::Config;
use anyhow::Result;
use indexmap::IndexMap;
use std::path::PathBuf;

/// An MCP service of the stack: named in `[mcp_servers]`, or `mcp-*` as in the seed's compose.
pub fn is_mcp_service(config: &Config, service: &str) -> bool {
    service.starts_with("mcp-") || config.mcp_servers.contains_key(service)
}

/// Writes each MCP service's verifying keys (its own audience's only) into its folder, and
/// removes the project-wide file of earlier versions, which held the signing secrets. The
/// signing key is created on first use; nothing is opened for a stack without MCP services.
pub fn write_verifier_keys(ws: &Workspace, project: &str, services: &[(String, PathBuf)]) -> Result<()> {
    crate::token::verifier_file::remove_project_wide(ws.state.home(), project)?;
    if services.is_empty() {
        return Ok(());
    }
    let keyring = crate::token::key_file::load_or_create(ws.state.home(), crate::token::now())?;
    for (service, dir) in services {
        crate::token::verifier_file::write(dir, &keyring, service)?;
    }
    Ok(())
}

/// Refreshes the branch's verifier keys, so that a key made by a rotation since the stack
/// started verifies the tokens about to be issued.
fn refresh_verifier_keys(ws: &Workspace, branch: &BranchEnv) -> Result<()> {
    let config = ws.config_of(branch)?;
    let files = super::files::load_compose_files(ws, &branch.path)?;
    let home = ws.state.home();
    let services = crate::compose::service_names(&files)
        .into_iter()
        .filter(|s| is_mcp_service(&config, s))
        .map(|s| Ok((s.clone(), crate::token::verifier_file::dir(home, &branch.project, &s)?)))
        .collect::<Result<Vec<_>>>()?;
    write_verifier_keys(ws, &branch.project, &services)
}

/// Each configured server's URLs for `branch`: its `url` rendered (`{{ ports.<key> }}` is the
/// branch's port), and, for a server that is a service of the stack with a TCP port key, its
/// address on the stack's network.
pub fn urls(ws: &Workspace, branch: &BranchEnv) -> Result<IndexMap<String, ServerUrls>> {
    if ws.config.mcp_servers.is_empty() {
        return Ok(IndexMap::new());
    }
    let vars = super::files::template_vars(ws, branch)?;
    let renderer = super::files::renderer(ws);
    let config = ws.config_of(branch)?;
    ws.config
        .mcp_servers
        .iter()
        .map(|(name, server)| {
            let host = renderer.render_str(&format!("mcp_servers.{name}.url"), &server.url, &vars)?;
            Ok((name.clone(), ServerUrls { host, network: network_url(&config, name) }))
        })
        .collect()
}

/// `http://<service>:<port>/` of the service `name`'s first TCP port key, if it has one.
fn network_url(config: &Config, name: &str) -> Option<String> {
    let key = config.ports.keys.values().find(|k| k.service == name && k.protocol.as_str() == "tcp")?;
    Some(format!("http://{name}:{}/", key.target))
}

/// Registers the skills `team` uses (their files in the branch's worktree) and opens the token
/// authority when there is any; nothing is opened or written for a team without skills.
pub fn access<'a>(
    ws: &Workspace,
    branch: &BranchEnv,
    team: impl Iterator<Item = &'a AgentProfile>,
) -> Result<McpAccess> {
    let names: Vec<String> = team.flat_map(|p| p.skills.iter().cloned()).collect();
    if names.is_empty() {
        return Ok(McpAccess::default());
    }
    refresh_verifier_keys(ws, branch)?;
    let skills = crate::agents::skills::register(
        ws.state.conn(),
        ws.repo.id,
        &branch.path,
        &ws.config.skills,
        &names,
    )?;
    McpAccess::open(ws.state.home(), skills, urls(ws, branch)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn a_service_of_the_stack_is_reached_by_name_on_its_network() {
        let text = "[project]\nname = \"s\"\n\n[ports.keys.mcp_redis]\nservice = \"mcp-redis\"\ntarget = 6379\nbase = 8391\n\n\
                    [mcp_servers.mcp-redis]\nurl = \"http://127.0.0.1:{{ ports.mcp_redis }}/\"\n\n\
                    [mcp_servers.remote]\nurl = \"https://mcp.example.org/\"\n";
        let config = Config::parse(text, Path::new("cfn.toml")).unwrap();
        assert_eq!(network_url(&config, "mcp-redis").as_deref(), Some("http://mcp-redis:6379/"));
        assert_eq!(network_url(&config, "remote"), None, "not a service of the stack");
    }
}
