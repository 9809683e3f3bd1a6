//! `cfn hooks install|status|…`: the git hooks that keep cfn in step with git.

use crate::cli::commands::args::JsonArg;
use crate::context::Context;
use crate::git_hooks::{self, HookState};
use anyhow::{Context as _, Result};
use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum HooksCommand {
    /// Install cfn's git hooks (post-checkout, post-merge), chaining any existing hook.
    Install(Json),
    /// Remove cfn's git hooks and restore the hooks they chained.
    Uninstall(Json),
    /// Show which hooks are installed.
    Status(Json),
    /// Same as `cfn trust`: review and approve what the repository makes cfn run.
    Approve(super::trust::Args),
}

#[derive(Debug, clap::Args)]
pub struct Json {
    #[command(flatten)]
    json: JsonArg,
}

pub fn run(ctx: &Context, cmd: HooksCommand) -> Result<()> {
    if let HooksCommand::Approve(a) = cmd {
        return super::trust::run(ctx, a);
    }
    let checkout = crate::git::discover(&ctx.cwd)?;
    let (states, json) = match cmd {
        HooksCommand::Install(a) => {
            let exe = std::env::current_exe().context("cannot find cfn's own path")?;
            (git_hooks::install(&checkout.root, &exe)?, a.json.on)
        }
        HooksCommand::Uninstall(a) => (git_hooks::uninstall(&checkout.root)?, a.json.on),
        HooksCommand::Status(a) => (git_hooks::status(&checkout.root)?, a.json.on),
        HooksCommand::Approve(_) => return Ok(()),
    };
    if json {
        return crate::cli::output::json(&states);
    }
    let rows: Vec<Vec<String>> = states.iter().map(row).collect();
    crate::cli::output::table(&["HOOK", "STATE", "PATH"], &rows)
}

fn row(s: &HookState) -> Vec<String> {
    let state = match (s.installed, s.chained, s.foreign) {
        (true, true, _) => "installed (chains the previous hook)",
        (true, false, _) => "installed",
        (false, _, true) => "not installed (another hook is there)",
        (false, _, false) => "not installed",
    };
    vec![s.hook.clone(), state.to_string(), s.path.clone()]
}
