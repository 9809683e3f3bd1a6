use crate::context::Context;
use crate::stack_files;
use crate::workspace::Workspace;
use anyhow::Result;
use std::io::Write as _;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Dotenv,
    Shell,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The branch (default: the checkout you are in).
    branch: Option<String>,
    #[arg(long, value_enum, default_value = "dotenv")]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let env = ws.branch_env(args.branch.as_deref())?;
    let vars = stack_files::env_vars(&ws, &env)?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => return crate::output::json(&vars),
        Format::Dotenv => {
            for (k, v) in &vars {
                writeln!(out, "{k}={}", crate::render::dotenv::quote(v))?;
            }
        }
        Format::Shell => {
            for (k, v) in &vars {
                writeln!(out, "export {k}={}", shell_quote(v))?;
            }
        }
    }
    Ok(())
}

/// POSIX single quoting: safe for `eval "$(cfn env --format shell)"`.
fn shell_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}
