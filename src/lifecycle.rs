//! Project lifecycle hooks (`[hooks]` of cfn.toml): `post_create`, `pre_remove`, `post_up`,
//! `pre_down`. Each is a list of argument vectors run in the worktree with the branch's
//! variables, never through a shell. A pre hook that fails vetoes the operation; a post hook
//! that fails is reported and undoes nothing.
//!
//! cfn.toml is committed, so its commands come from whoever wrote the repository: a hook runs
//! only once the user approved that exact command (its SHA-256 is recorded; a changed command
//! is asked about again). On a terminal cfn asks; `--yes` approves; otherwise an unapproved
//! hook is skipped with a hint to run `cfn hooks approve`.

use crate::context::Context;
use crate::error::UserError;
use crate::process::Cmd;
use crate::workspace::{BranchEnv, Workspace};
use anyhow::Result;
use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookPoint {
    PostCreate,
    PreRemove,
    PostUp,
    PreDown,
}

impl HookPoint {
    pub const ALL: [HookPoint; 4] =
        [HookPoint::PostCreate, HookPoint::PreRemove, HookPoint::PostUp, HookPoint::PreDown];

    pub fn name(self) -> &'static str {
        match self {
            HookPoint::PostCreate => "post_create",
            HookPoint::PreRemove => "pre_remove",
            HookPoint::PostUp => "post_up",
            HookPoint::PreDown => "pre_down",
        }
    }

    fn is_pre(self) -> bool {
        matches!(self, HookPoint::PreRemove | HookPoint::PreDown)
    }

    pub fn commands(self, ws: &Workspace) -> &[Vec<String>] {
        let h = &ws.config.hooks;
        match self {
            HookPoint::PostCreate => &h.post_create,
            HookPoint::PreRemove => &h.pre_remove,
            HookPoint::PostUp => &h.post_up,
            HookPoint::PreDown => &h.pre_down,
        }
    }
}

/// The hash an approval is tied to: the hook point and the exact argument vector.
pub fn command_hash(point: HookPoint, argv: &[String]) -> String {
    let text = serde_json::json!([point.name(), argv]).to_string();
    crate::names::hex(&Sha256::digest(text.as_bytes()))
}

pub fn is_approved(conn: &Connection, repo_id: i64, point: HookPoint, argv: &[String]) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM hook_approvals WHERE repo_id = ?1 AND hook = ?2 AND command_hash = ?3)",
        params![repo_id, point.name(), command_hash(point, argv)],
        |r| r.get(0),
    )?)
}

pub fn approve(conn: &Connection, repo_id: i64, point: HookPoint, argv: &[String]) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO hook_approvals (repo_id, hook, command_hash) VALUES (?1, ?2, ?3)",
        params![repo_id, point.name(), command_hash(point, argv)],
    )?;
    Ok(())
}

/// Runs the hooks of `point` for the branch. `yes` approves unapproved ones.
pub fn run(ctx: &Context, ws: &Workspace, branch: &BranchEnv, point: HookPoint, yes: bool) -> Result<()> {
    let commands = point.commands(ws).to_vec();
    if commands.is_empty() {
        return Ok(());
    }
    let env = crate::stack_files::env_vars(ws, branch)?;
    for argv in &commands {
        let shown = display(argv);
        if !approved_now(ctx, ws, point, argv, yes)? {
            ctx.warn(format!(
                "skipped unapproved {} hook `{shown}`; approve it with `cfn hooks approve`",
                point.name()
            ));
            continue;
        }
        let Some((program, args)) = argv.split_first() else { continue };
        ctx.say(format!("{} hook: {shown}", point.name()));
        let status = Cmd::new(program)
            .args(args)
            .cwd(&branch.path)
            .envs(env.iter())
            .env("CFN_HOOK", point.name())
            .interactive();
        let failed = match status {
            Ok(s) if s.success() => None,
            Ok(s) => Some(format!("{s}")),
            Err(e) => Some(format!("{e:#}")),
        };
        if let Some(why) = failed {
            if point.is_pre() {
                return Err(UserError::new(format!(
                    "{} hook `{shown}` failed ({why}); nothing was changed",
                    point.name()
                ))
                .hint("fix the hook, or remove it from [hooks] in cfn.toml")
                .into());
            }
            ctx.warn(format!("{} hook `{shown}` failed ({why})", point.name()));
        }
    }
    Ok(())
}

fn approved_now(ctx: &Context, ws: &Workspace, point: HookPoint, argv: &[String], yes: bool) -> Result<bool> {
    let conn = ws.state.conn();
    if is_approved(conn, ws.repo.id, point, argv)? {
        return Ok(true);
    }
    let ok = if yes {
        true
    } else if ctx.interactive() {
        let prompt =
            format!("Run the {} hook `{}` from cfn.toml (now and from now on)?", point.name(), display(argv));
        dialoguer::Confirm::new().with_prompt(prompt).default(false).interact()?
    } else {
        false
    };
    if ok {
        approve(conn, ws.repo.id, point, argv)?;
    }
    Ok(ok)
}

/// An argument vector as a person reads it (for messages only; never run).
pub fn display(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:@%+,".contains(c)) {
                a.clone()
            } else {
                format!("{a:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
