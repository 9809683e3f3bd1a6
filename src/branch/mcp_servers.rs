//! The MCP servers of `[mcp_servers]` as a branch sees them: each URL template rendered with
//! the branch's values, and the access a loop run gives its agents (their skills registered,
//! the token authority open).

use super::{BranchEnv, Workspace};
use crate::agents::{AgentProfile, McpAccess};
use anyhow::Result;
use indexmap::IndexMap;

/// Each configured server's URL for `branch` (`{{ ports.<key> }}` is the branch's port).
pub fn urls(ws: &Workspace, branch: &BranchEnv) -> Result<IndexMap<String, String>> {
    if ws.config.mcp_servers.is_empty() {
        return Ok(IndexMap::new());
    }
    let vars = super::files::template_vars(ws, branch)?;
    let renderer = super::files::renderer(ws);
    ws.config
        .mcp_servers
        .iter()
        .map(|(name, server)| {
            Ok((name.clone(), renderer.render_str(&format!("mcp_servers.{name}.url"), &server.url, &vars)?))
        })
        .collect()
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
    let skills = crate::agents::skills::register(
        ws.state.conn(),
        ws.repo.id,
        &branch.path,
        &ws.config.skills,
        &names,
    )?;
    McpAccess::open(ws.state.home(), skills, urls(ws, branch)?)
}
