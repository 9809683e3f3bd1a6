//! `cfn trust` (also `cfn hooks approve`): review and approve everything the repository makes
//! cfn run for a branch — hooks, health commands, migrations, agents — each with what it runs
//! and the hashes of the files it names.

use crate::branch::trust::{self, files::FileHash, inventory};
use crate::branch::Workspace;
use crate::cli::commands::args::JsonArg;
use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;
use serde::Serialize;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Approve every pending item without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The branch whose checkout the items are rendered and hashed in (default: the checkout you are in).
    #[arg(long, short = 'b')]
    pub branch: Option<String>,
    #[command(flatten)]
    pub json: JsonArg,
}

#[derive(Serialize)]
struct ItemView {
    kind: String,
    /// What it runs as shown to people (a lone URL's password hidden).
    runs: Vec<String>,
    settings: Vec<String>,
    files: Vec<FileHash>,
    hash: String,
    trusted: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = ws.branch_env(args.branch.as_deref())?;
    let mut views = Vec::new();
    let mut pending = 0;
    for item in inventory::all(&ws, &branch)? {
        let trusted = trust::decide(ctx, &ws, &item, args.yes, !args.json.on)?;
        pending += usize::from(!trusted);
        views.push(ItemView {
            hash: item.hash(),
            runs: item.shown_argv(),
            kind: item.kind,
            settings: item.settings,
            files: item.files,
            trusted,
        });
    }
    if args.json.on {
        crate::cli::output::json(&views)?;
    } else {
        let rows: Vec<Vec<String>> = views
            .iter()
            .map(|v| {
                let state = if v.trusted { "trusted" } else { "not trusted" };
                let files: Vec<String> =
                    v.files.iter().map(|f| format!("{} sha256:{}", f.path, f.sha256)).collect();
                vec![
                    v.kind.clone(),
                    state.to_string(),
                    crate::branch::project_hooks::display(&v.runs),
                    v.settings.join(" "),
                    files.join(" "),
                ]
            })
            .collect();
        crate::cli::output::table(&["ITEM", "STATE", "RUNS", "WITH", "FILES"], &rows)?;
    }
    if pending > 0 {
        return Err(UserError::new(format!("{pending} item(s) of this repository are not trusted"))
            .hint("review what they run and the files above, then run `cfn trust --yes`")
            .into());
    }
    Ok(())
}
