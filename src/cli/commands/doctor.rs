//! `cfn doctor`: what is wrong with this set-up, and how to fix it.
use crate::context::Context;
use crate::doctor::{self, Check, Status};
use crate::error::{exit, SilentExit};
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Repair what is safe to repair, then check again (volumes are deleted only when
    /// confirmed on a terminal or with --yes; other programs are never stopped).
    #[arg(long)]
    fix: bool,
    /// With --fix: also delete orphaned volumes without asking.
    #[arg(long, short = 'y', requires = "fix")]
    yes: bool,
    /// Print the checks as a JSON array of {name, status, message, hint}.
    #[arg(long)]
    json: bool,
}

pub async fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut checks = doctor::diagnose(ctx).await?;
    let state_broken = checks.iter().any(|c| c.name == "state" && c.status == Status::Fail);
    if args.fix && state_broken {
        ctx.warn("nothing repaired: the state database must be usable first (see its check below)");
    } else if args.fix {
        let mut ask = |question: &str| -> Result<bool> { ctx.confirm(question, false) };
        let mut agree = |_: &str| -> Result<bool> { Ok(true) };
        let confirm: Option<doctor::Confirm> = if args.yes {
            Some(&mut agree)
        } else if ctx.interactive() {
            Some(&mut ask)
        } else {
            None
        };
        let repairs = doctor::fix(ctx, confirm).await?;
        for r in &repairs {
            if r.done {
                ctx.say(format!("fixed: {}", r.message));
            } else {
                ctx.warn(r.message.clone());
            }
        }
        if repairs.is_empty() {
            ctx.say("nothing to fix");
        }
        checks = doctor::diagnose(ctx).await?;
    }
    if args.json {
        crate::cli::output::json(&checks)?;
    } else {
        let shown = doctor::for_display(&checks);
        print(&shown)?;
        ctx.say(doctor::summary(&shown));
    }
    if doctor::any_failed(&checks) {
        return Err(SilentExit(exit::FAILURE).into());
    }
    Ok(())
}

fn print(checks: &[Check]) -> Result<()> {
    let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in checks {
        let status = match c.status {
            Status::Ok => "ok  ",
            Status::Warn => "warn",
            Status::Fail => "fail",
        };
        // Messages name repositories' paths and values: shown, never sent to the terminal.
        let message = crate::names::printable(&c.message);
        crate::cli::output::line(format_args!("{status}  {:<width$}  {message}", c.name))?;
        if let Some(hint) = &c.hint {
            let hint = crate::names::printable(hint);
            crate::cli::output::line(format_args!("      {:<width$}  hint: {hint}", ""))?;
        }
    }
    Ok(())
}
