//! `cfn worktree add`: creates a worktree with leased ports and rendered files.

use crate::branch::BranchEnv;
use crate::branch::Workspace;
use crate::cli::commands::data::source_env;
use crate::cli::commands::view::{ports_inline, WorktreeView};
use crate::context::Context;
use crate::data::{clone, snapshot};
use crate::error::UserError;
use crate::worktrees::{self, AddOptions};
use anyhow::Result;
use std::path::PathBuf;

/// Where a new worktree's data comes from: a branch, or a snapshot.
enum DataSource {
    Branch(BranchEnv),
    Snapshot { name: String, dir: PathBuf, meta: snapshot::Meta },
}

impl DataSource {
    fn resolve(ctx: &Context, ws: &Workspace, name: &str) -> Result<DataSource> {
        match source_env(ws, name) {
            Ok(env) => Ok(DataSource::Branch(env)),
            Err(not_a_branch) => match snapshot::read(ctx, ws, name) {
                Ok((dir, meta)) => Ok(DataSource::Snapshot { name: name.to_string(), dir, meta }),
                Err(_) => {
                    Err(not_a_branch.context(format!("--data-from {name}: no such branch or snapshot")))
                }
            },
        }
    }

    /// Copies into the new worktree. A failure keeps the worktree (with empty data) and says
    /// how to copy again; nothing half-copied is left (copies are swapped in only when complete).
    fn copy_into(self, ctx: &Context, ws: &Workspace, env: &BranchEnv, stop_source: bool) -> Result<()> {
        let _lock = crate::branch::lock::acquire(ctx, &env.project, "worktree add")?;
        let (copied, what, retry) = match &self {
            DataSource::Branch(source) => (
                clone::clone(ctx, ws, source, env, stop_source),
                source.branch.clone(),
                // a running source is the usual reason: the retry says how to copy from it
                match stop_source {
                    true => format!(
                        "`cfn data clone --from {} -b {} --yes --stop-source`",
                        source.branch, env.branch
                    ),
                    false => format!(
                        "`cfn data clone --from {0} -b {1} --yes` (add --stop-source while {0} runs)",
                        source.branch, env.branch
                    ),
                },
            ),
            DataSource::Snapshot { name, dir, meta } => (
                snapshot::restore(ctx, ws, env, dir, meta),
                format!("snapshot {name}"),
                format!("`cfn data restore {name} -b {} --yes`", env.branch),
            ),
        };
        match copied {
            Ok(items) if items.is_empty() => ctx.say(format!("{what} has no data to copy")),
            Ok(items) => ctx.say(format!("copied the data of {what}: {}", items.join(", "))),
            Err(e) => {
                return Err(UserError::new(format!(
                    "created {} at {}, but copying the data of {what} failed: {e:#}",
                    env.branch,
                    env.path.display()
                ))
                .hint(format!(
                    "the branch keeps empty data and its post_create hooks did not run; {retry} copies again"
                ))
                .into())
            }
        }
        Ok(())
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch; created from --base when it does not exist.
    branch: String,
    /// Revision a new branch starts from (default: HEAD).
    #[arg(long)]
    base: Option<String>,
    /// Where to put the worktree (default: project.worktree_dir, `../<project>-<branch>`).
    #[arg(long)]
    path: Option<PathBuf>,
    /// Run the project's post_create hooks without asking (approves them).
    #[arg(long, short = 'y')]
    yes: bool,
    /// Start the branch's volumes and SQLite database as copies of this branch's (`main` for the
    /// main checkout) or of this snapshot's.
    #[arg(long, value_name = "SOURCE")]
    data_from: Option<String>,
    /// With --data-from: stop the source's services that use the copied volumes for the copy,
    /// and start them again after (without it a running source is refused).
    #[arg(long, requires = "data_from")]
    stop_source: bool,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let mut ws = Workspace::open(ctx)?;
    // an unknown source is refused before anything is created
    let data_source = match &args.data_from {
        Some(name) => Some(DataSource::resolve(ctx, &ws, name)?),
        None => None,
    };
    let opts = AddOptions { branch: args.branch, base: args.base, path: args.path };
    let worktrees::Added { env, plain } = worktrees::add(ctx, &mut ws, &opts)?;
    if let Some(source) = data_source {
        source.copy_into(ctx, &ws, &env, args.stop_source)?;
    }
    crate::branch::project_hooks::run(
        ctx,
        &ws,
        &env,
        crate::branch::project_hooks::HookPoint::PostCreate,
        args.yes,
    )?;
    // found while rendering: asking again would read the git index of the worktree twice
    if let crate::branch::plain_compose::Plain::Blocked { reason, env_file } = &plain {
        ctx.warn(format!("{}\nhint: {}", reason.message(&env.branch, env_file), reason.hint()));
    }
    if args.json {
        return crate::cli::output::json(&WorktreeView::from(&env));
    }
    ctx.say(format!("created {} at {} (slot {})", env.branch, env.path.display(), env.slot));
    if !env.ports.is_empty() {
        ctx.say(format!("  ports: {}", ports_inline(&env.ports)));
    }
    ctx.say(format!("  cd {}", env.path.display()));
    Ok(())
}
