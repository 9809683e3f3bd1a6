//! MCP services in the compose files: `cfn init` writes a `[mcp_servers.<service>]` entry for
//! each service named `mcp-*` (the seed's stacks name them so), with the URL of its first
//! published TCP port for the branch (`http://127.0.0.1:{{ ports.<key> }}/`), so that skills can
//! name it and the loop hand agents its URL and a token (docs/skills.md). A service that
//! publishes no port is reported instead: agents on the host could not reach it.

use crate::compose::load::ComposeFile;
use crate::compose::port_keys::PortKey;
use serde::Serialize;

/// An MCP service of the compose files and the port key its URL uses (`None`: it publishes no
/// TCP port).
#[derive(Debug, Clone, Serialize)]
pub struct McpService {
    pub name: String,
    pub key: Option<String>,
}

/// The `mcp-*` services of `files`, in the order they first appear.
pub fn find(files: &[ComposeFile], keys: &[PortKey]) -> Vec<McpService> {
    crate::compose::service_names(files)
        .into_iter()
        .filter(|name| name.starts_with("mcp-"))
        .map(|name| {
            let key = keys
                .iter()
                .find(|k| k.service == name && k.protocol.as_str() == "tcp")
                .map(|k| k.key.clone());
            McpService { name, key }
        })
        .collect()
}

/// What `cfn init` says of the MCP services it found.
pub fn notes(services: &[McpService]) -> Vec<String> {
    services
        .iter()
        .map(|s| match &s.key {
            Some(key) => format!("MCP server {} (url from port key {key})", s.name),
            None => format!(
                "MCP service {} publishes no TCP port: agents on the host cannot reach it; publish one and run `cfn init --force` to give skills its URL",
                s.name
            ),
        })
        .collect()
}
