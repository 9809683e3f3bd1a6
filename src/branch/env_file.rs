//! The branch's env file (`.cfn/env`, from the env template): reading what the template
//! rendered, refusing names and values the variables' readers (shells, compose, hooks, agents)
//! must not get, writing each value back quoted; and which branch names and worktree paths can
//! be written into such a file at all.

use crate::error::UserError;
use crate::render;
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use std::path::Path;

/// `.cfn/env`: each variable quoted by `render::dotenv::quote`, whatever the template wrote.
pub fn text(env: &IndexMap<String, String>) -> String {
    let mut text = String::from(
        "# Rendered by cfn from env.j2 for one branch; every cfn command that needs it writes it again.\n",
    );
    for (name, value) in env {
        text.push_str(&format!("{name}={}\n", render::dotenv::quote(value)));
    }
    text
}

/// The variables of a rendered env file. A name that is not `[A-Za-z_][A-Za-z0-9_]*` is
/// refused: the variables reach shells (`cfn env --format shell`, `.cfn/compose.env`), hooks,
/// agents and compose, and a project's `env.j2` must not slip `$(…)` in as a name. So is a
/// name that changes how those programs run (`BASH_ENV`, `LD_PRELOAD`, ...): an approved hook
/// must run what was approved, not what the template loads into it. So is a compose setting
/// (`COMPOSE_FILE`, `COMPOSE_PROFILES`, ...) but `COMPOSE_PROJECT_NAME` set to the branch's own
/// `project`: after `eval "$(cfn env --format shell)"`, plain `docker compose down -v` would
/// otherwise act on whatever project or files the template named.
pub fn parse(text: &str, project: &str) -> Result<IndexMap<String, String>> {
    let vars = crate::compose::dotenv::parse_literal(text);
    if let Some(bad) = vars.keys().find(|k| !render::dotenv::is_env_name(k)) {
        return Err(UserError::new(format!(
            "template env.j2 renders a variable named {bad:?}, which is not a valid variable name"
        ))
        .hint("names are letters, digits and `_`, not starting with a digit: fix env.j2 in the project's templates_dir")
        .into());
    }
    if let Some(bad) = vars.keys().find(|k| render::dotenv::changes_how_programs_run(k)) {
        return Err(UserError::new(format!(
            "template env.j2 sets {bad}, which changes how the programs receiving the branch's variables run"
        ))
        .hint(format!(
            "remove {bad} from env.j2 in the project's templates_dir (docs/security.md lists the names a branch may not set)"
        ))
        .into());
    }
    if let Some((bad, _)) = vars.iter().find(|(_, v)| !render::dotenv::portable(v)) {
        return Err(UserError::new(format!(
            "template env.j2 gives {bad} a value that no dotenv quoting carries as it is to shells and compose"
        ))
        .hint(
            "a value may not hold a single quote or a backslash together with `$` or a backtick, nor a newline: \
             fix env.j2 in the project's templates_dir",
        )
        .into());
    }
    let not_ours = |(k, v): &(&String, &String)| {
        render::dotenv::is_compose_setting(k)
            && !(k.as_str() == "COMPOSE_PROJECT_NAME" && v.as_str() == project)
    };
    if let Some((bad, _)) = vars.iter().find(not_ours) {
        return Err(UserError::new(format!(
            "template env.j2 sets {bad}, which would point plain `docker compose` at other files or another project"
        ))
        .hint(format!(
            "remove {bad} from env.j2 in the project's templates_dir: cfn sets COMPOSE_PROJECT_NAME (to {project}) \
             and the compose files itself (docs/security.md)"
        ))
        .into());
    }
    Ok(vars)
}

/// Fails with a clear message when a path cannot be written into a dotenv file portably, or
/// holds a `$`: compose hands back absolute paths of the checkout unescaped in the files cfn
/// writes for it, and would then read `${NAME}` in them as a variable (`worktree_dir` comes
/// from the repository, which must not be able to make compose expand a secret).
pub fn check_path_is_representable(path: &Path) -> Result<()> {
    check_path_text(path)?;
    let text = path.to_string_lossy();
    if !render::dotenv::portable(&text) {
        return Err(UserError::usage(format!("worktree path cannot be written to the branch's env file: {text:?}"))
            .hint("a path holding a single quote and a backtick reads back differently in shells and compose; choose another --path")
            .into());
    }
    Ok(())
}

/// Fails with a clear message for a branch name no dotenv quoting reads back the same in
/// shells and both compose versions (a single quote with a `$` or a backtick): its env file,
/// `.env` block and `cfn env` output would name another branch to some of their readers.
pub fn check_branch_is_representable(branch: &str) -> Result<()> {
    if render::dotenv::portable(branch) {
        return Ok(());
    }
    Err(UserError::usage(format!("branch name {branch:?} cannot be written to a dotenv file as it is"))
        .hint("shells and compose read a single quote with `$` or a backtick differently; rename the branch (`git branch -m`)")
        .into())
}

/// Newlines, and `$`, which compose would read as a variable.
fn check_path_text(path: &Path) -> Result<()> {
    let text = path.to_str().context("worktree paths must be valid UTF-8")?;
    if text.contains(['\n', '\r']) {
        return Err(UserError::usage(format!("worktree path contains a newline: {text:?}"))
            .hint("choose another --path")
            .into());
    }
    if text.contains('$') {
        return Err(UserError::usage(format!("worktree path contains a `$`: {text:?}"))
            .hint("compose would read it as a variable; choose another --path or project.worktree_dir")
            .into());
    }
    Ok(())
}
