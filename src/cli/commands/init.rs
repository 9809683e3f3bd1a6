//! `cfn init`: writes cfn.toml from the compose files and sets up the main checkout.

use crate::context::Context;
use crate::error::UserError;
use crate::init::{self, InitOptions};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    yes: bool,
    /// Derive cfn.toml again even if it exists.
    #[arg(long)]
    force: bool,
    /// Compose project name of the main checkout (default: the directory name).
    #[arg(long)]
    name: Option<String>,
    /// Print what was found as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let (checkout, plan) = init::plan(ctx, &InitOptions { force: args.force, name: args.name })?;
    if !args.json {
        ctx.say(format!(
            "project {}: {} compose file(s), {} port key(s)",
            plan.project,
            plan.compose_files.len(),
            plan.keys.len()
        ));
        for k in &plan.keys {
            let profiles = if k.profiles.is_empty() {
                String::new()
            } else {
                format!(" (profiles {})", k.profiles.join(", "))
            };
            ctx.say(format!(
                "  {:<16} {}:{}/{} base {}{profiles}",
                k.key,
                k.service,
                k.target,
                k.protocol.as_str(),
                k.base
            ));
        }
        for c in &plan.conflicts {
            ctx.say(format!("  conflict: {c}"));
        }
        for f in &plan.findings {
            ctx.say(format!("  note: {f}"));
        }
        for note in crate::init::mcp_services::notes(&plan.mcp_servers) {
            ctx.say(format!("  {note}"));
        }
    }
    if ctx.interactive() && !args.yes {
        let go = ctx.confirm("Write cfn.toml?", true)?;
        if !go {
            return Err(UserError::new("init cancelled; nothing was written").into());
        }
    }
    let file = checkout.root.join(crate::config::FILE_NAME);
    init::apply(ctx, checkout, &plan)?;
    if args.json {
        return crate::cli::output::json(&plan);
    }
    ctx.say(format!("wrote {}", file.display()));
    Ok(())
}
