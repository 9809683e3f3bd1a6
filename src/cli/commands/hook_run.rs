//! What cfn's git hooks run. Never fails the git command that triggered it for cfn's sake:
//! problems are reported as warnings.

use crate::branch::Workspace;
use crate::context::Context;
use crate::state::WorktreeRow;
use crate::worktrees;
use anyhow::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The git hook being run.
    hook: String,
    /// The arguments git gave the hook.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    args: Vec<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let result = match args.hook.as_str() {
        "post-checkout" => post_checkout(ctx, &args.args),
        "post-merge" => post_merge(ctx),
        _ => Ok(()),
    };
    if let Err(e) = result {
        ctx.warn(format!("cfn {} hook: {e:#}", args.hook));
    }
    Ok(())
}

/// A new worktree (git reports a null previous HEAD) that cfn did not create: provision it.
/// A switch to another commit: render the checkout's files again.
fn post_checkout(ctx: &Context, args: &[String]) -> Result<()> {
    if args.first().map(|a| a.trim_start_matches('0')) != Some("") {
        let switched = args.get(2).map(String::as_str) == Some("1") && args.first() != args.get(1);
        return if switched { render_again(ctx) } else { Ok(()) };
    }
    let checkout = crate::git::discover(&ctx.cwd)?;
    if checkout.is_main() || !checkout.main_root.join(crate::config::FILE_NAME).exists() {
        return Ok(());
    }
    let mut ws = Workspace::open(ctx)?;
    if let Some(env) = worktrees::adopt(ctx, &mut ws, &checkout)? {
        ctx.say(format!(
            "cfn: provisioned {} (slot {}, {})",
            env.branch,
            env.slot,
            crate::cli::commands::view::ports_inline(&env.ports)
        ));
    }
    Ok(())
}

/// After a merge: render the checkout's files again, and apply or announce migrations the
/// merge brought.
fn post_merge(ctx: &Context) -> Result<()> {
    let Some((ws, branch)) = managed_checkout(ctx)? else { return Ok(()) };
    if let Err(e) = crate::branch::files::render(&ws, &branch) {
        ctx.warn(format!("cfn post-merge hook: {e:#}"));
    }
    // Applying migrations is a migrate like any other: not while up, down or a removal runs.
    let _lock = match ws.config.migrations.on_merge {
        crate::config::OnMerge::Apply => Some(crate::branch::lock::acquire(ctx, &branch.project, "migrate")?),
        crate::config::OnMerge::Announce => None,
    };
    crate::branch::migrations::after_merge(ctx, &ws, &branch)
}

/// The base compose files may differ after a checkout or a merge: the checkout's rendered
/// files (the `.env` block of plain `docker compose` among them) are written again.
fn render_again(ctx: &Context) -> Result<()> {
    let Some((ws, branch)) = managed_checkout(ctx)? else { return Ok(()) };
    crate::branch::files::render(&ws, &branch)?;
    Ok(())
}

/// The workspace and branch of the checkout the hook runs in; `None` for a checkout cfn does
/// not manage (no cfn.toml, or a worktree it has not registered), which the hooks leave alone.
fn managed_checkout(ctx: &Context) -> Result<Option<(Workspace, crate::branch::BranchEnv)>> {
    let checkout = crate::git::discover(&ctx.cwd)?;
    if !checkout.main_root.join(crate::config::FILE_NAME).exists() {
        return Ok(None);
    }
    let ws = Workspace::open(ctx)?;
    match ws.branch_env(None) {
        Ok(branch) => Ok(Some((ws, branch))),
        // A registered worktree whose own cfn.toml is broken is said, never skipped in silence.
        Err(e) if WorktreeRow::find_by_path(ws.state.conn(), &checkout.root)?.is_some() => Err(e),
        Err(_) => Ok(None),
    }
}
