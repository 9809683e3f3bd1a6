//! `cfn url`: a branch's hostname URLs through the proxy (`CFN_<KEY>_HOST_URL`).

use crate::branch::Workspace;
use crate::cli::commands::args::{BranchArg, JsonArg};
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A service or port key (default: every one of the branch).
    service: Option<String>,
    #[command(flatten)]
    branch: BranchArg,
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let env = ws.branch_env(args.branch.name.as_deref())?;
    let mut views = crate::branch::hostnames::urls_of(&ws, &env)?;
    if let Some(wanted) = &args.service {
        // A service's web key first, then a key of that name.
        let found = views
            .iter()
            .position(|v| &v.service == wanted)
            .or_else(|| views.iter().position(|v| &v.key == wanted));
        let Some(index) = found else {
            let known: Vec<&str> = views.iter().map(|v| v.service.as_str()).collect();
            return Err(UserError::usage(format!("no such service or port key with a hostname: {wanted}"))
                .hint(format!("the branch's are: {}; `cfn url` lists them", known.join(", ")))
                .into());
        };
        views = vec![views.swap_remove(index)];
        if !args.json.on {
            return crate::cli::output::line(format_args!("{}", views[0].url));
        }
    }
    if args.json.on {
        return crate::cli::output::json(&views);
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| vec![v.service.clone(), v.key.clone(), v.url.clone(), v.variable.clone()])
        .collect();
    crate::cli::output::table(&["SERVICE", "KEY", "URL", "VARIABLE"], &rows)
}
