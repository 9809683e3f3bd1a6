use crate::commands::view::{ports_inline, WorktreeView};
use crate::context::Context;
use crate::workspace::Workspace;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let views: Vec<WorktreeView> = ws.all_envs()?.iter().map(WorktreeView::from).collect();
    if args.json {
        return crate::output::json(&views);
    }
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let mark = if v.exists { "" } else { " (missing)" };
            vec![
                v.branch.clone(),
                v.slot.to_string(),
                v.project.clone(),
                format!("{}{mark}", v.path),
                ports_inline(&v.ports),
            ]
        })
        .collect();
    crate::output::table(&["BRANCH", "SLOT", "PROJECT", "PATH", "PORTS"], &rows)
}
