//! `cfn ports`: the branch's leased ports.

use super::view::WorktreeView;
use crate::branch::Workspace;
use crate::cli::commands::args::{BranchArg, JsonArg, OldBranchPositional};
use crate::context::Context;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    branch: BranchArg,
    #[command(flatten)]
    old_branch: OldBranchPositional,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = args.branch.or_positional(args.old_branch);
    let env = ws.branch_env(branch.as_deref())?;
    if !env.is_main && !env.path.is_dir() {
        // Its ports stay leased until it is forgotten: say so rather than list them as if in use.
        ctx.warn(format!(
            "worktree {}: its directory {} is gone; it still holds these ports until \
             `cfn worktree prune` forgets it and releases them",
            env.branch,
            env.path.display()
        ));
    }
    if args.json.on {
        return crate::cli::output::json(&WorktreeView::from(&env));
    }
    // The keys of the cfn.toml governing the branch (its own, if it has one).
    let config = ws.config_of(&env)?;
    let rows: Vec<Vec<String>> = config
        .ports
        .keys
        .iter()
        .filter_map(|(key, k)| {
            let port = env.ports.get(key)?;
            Some(vec![
                key.clone(),
                port.to_string(),
                format!("{}:{}/{}", k.service, k.target, k.protocol),
                crate::names::port_env_name(key),
            ])
        })
        .collect();
    crate::cli::output::table(&["KEY", "PORT", "SERVICE", "VARIABLE"], &rows)
}
