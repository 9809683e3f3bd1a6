//! `cfn hooks approve`: approving the lifecycle hooks of cfn.toml, each tied to its command.

use crate::context::Context;
use crate::error::UserError;
use crate::lifecycle::{self, HookPoint};
use crate::workspace::Workspace;
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct HookView {
    hook: &'static str,
    command: Vec<String>,
    approved: bool,
}

pub fn run(ctx: &Context, yes: bool, json: bool) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let conn = ws.state.conn();
    let mut views = Vec::new();
    let mut pending = 0;
    for point in HookPoint::ALL {
        for argv in point.commands(&ws) {
            let mut approved = lifecycle::is_approved(conn, ws.repo.id, point, argv)?;
            if !approved {
                let ok = yes
                    || (ctx.interactive()
                        && dialoguer::Confirm::new()
                            .with_prompt(format!(
                                "Approve the {} hook `{}`?",
                                point.name(),
                                lifecycle::display(argv)
                            ))
                            .default(false)
                            .interact()?);
                if ok {
                    lifecycle::approve(conn, ws.repo.id, point, argv)?;
                    approved = true;
                } else {
                    pending += 1;
                }
            }
            views.push(HookView { hook: point.name(), command: argv.clone(), approved });
        }
    }
    if json {
        crate::output::json(&views)?;
    } else {
        let rows: Vec<Vec<String>> = views
            .iter()
            .map(|v| {
                let state = if v.approved { "approved" } else { "not approved" };
                vec![v.hook.to_string(), state.to_string(), lifecycle::display(&v.command)]
            })
            .collect();
        crate::output::table(&["HOOK", "STATE", "COMMAND"], &rows)?;
    }
    if pending > 0 {
        return Err(UserError::new(format!("{pending} hook(s) are not approved"))
            .hint("review them in cfn.toml, then run `cfn hooks approve --yes`")
            .into());
    }
    Ok(())
}
