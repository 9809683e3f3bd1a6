//! `cfn env`: the branch's environment variables, as dotenv, shell or JSON.

use crate::branch;
use crate::branch::Workspace;
use crate::cli::commands::args::{BranchArg, OldBranchPositional};
use crate::context::Context;
use crate::error::UserError;
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
    #[command(flatten)]
    branch: BranchArg,
    #[command(flatten)]
    old_branch: OldBranchPositional,
    #[arg(
        long,
        value_enum,
        default_value = "dotenv",
        help = "`shell`: `export NAME='value'` lines for `eval \"$(cfn env --format shell)\"`, every value single-quoted."
    )]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let ws = Workspace::open(ctx)?;
    let branch = args.branch.or_positional(args.old_branch);
    let env = ws.branch_env(branch.as_deref())?;
    let vars = branch::files::env_vars(&ws, &env)?;
    // Checked where the variables are rendered too; a name printed here is `eval`ed.
    if let Some(bad) = vars.keys().find(|k| !crate::render::dotenv::is_env_name(k)) {
        return Err(UserError::new(format!("refusing to print the variable name {bad:?}"))
            .hint("names are letters, digits and `_`, not starting with a digit")
            .into());
    }
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => return crate::cli::output::json(&vars),
        Format::Dotenv => {
            if let Some((bad, _)) = vars.iter().find(|(_, v)| !crate::render::dotenv::portable(v)) {
                return Err(UserError::new(format!(
                    "{bad}'s value cannot be printed as dotenv so that every reader gets it back as it is"
                ))
                .hint("use --format shell or --format json")
                .into());
            }
            for (k, v) in &vars {
                writeln!(out, "{k}={}", crate::render::dotenv::quote(v))?;
            }
        }
        Format::Shell => {
            for (k, v) in &vars {
                writeln!(out, "export {k}={}", crate::render::sh_quote(v))?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::render::sh_quote as shell_quote;

    /// A real `sh` reads back every value literally: nothing in it runs.
    #[test]
    fn shell_values_are_literal() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let m = marker.display();
        for v in
            [format!("$(touch {m})"), format!("`touch {m}`"), format!("'; touch {m}; '"), "a\nb\\".into()]
        {
            let script = format!("export V={}; printf %s \"$V\"", shell_quote(&v));
            let out = std::process::Command::new("sh").arg("-c").arg(&script).output().unwrap();
            assert_eq!(String::from_utf8(out.stdout).unwrap(), v);
        }
        assert!(!marker.exists());
    }
}
