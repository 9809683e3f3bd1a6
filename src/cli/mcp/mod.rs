//! `cfn mcp`: the branch's environment served over the Model Context Protocol (stdio,
//! newline-delimited JSON-RPC), for agents. Bound to one checkout, or with `--repo` to every
//! branch of the repository for an orchestrating agent.

mod bus_ops;
mod framing;
mod gate;
mod limits;
mod ops;
mod outcome;
mod params;
mod repo_tools;
mod resources;
mod results;
mod schemas;
mod scope;
mod server;
mod stdio;

use crate::context::Context;
use anyhow::{Context as _, Result};
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::ServiceExt as _;

pub use scope::Scope;

/// Serves until the client closes the stream. Fails before serving anything when the checkout
/// (or `branch`) is not one cfn knows.
pub async fn serve(ctx: &Context, repo: bool, branch: Option<&str>) -> Result<()> {
    let scope = Scope::start(ctx, repo, branch)?;
    let (reader, writer) = stdio::take_over()?;
    let server = server::CfnServer::new(ctx.clone(), scope);
    // Malformed lines are answered as JSON-RPC prescribes before the server sees them.
    let gate = gate::open(reader, writer);
    // The gate already refused longer lines; the library must not drop one the gate passed.
    let transport = AsyncRwTransport::new_server(gate.server_reader, gate.server_writer)
        .with_max_line_length(limits::max_line_bytes().saturating_add(2));
    let running = server.serve(transport).await.context("the MCP session did not start")?;
    running.waiting().await.context("the MCP session failed")?;
    gate.flushed.await.context("the MCP session's writer stopped")??;
    Ok(())
}
