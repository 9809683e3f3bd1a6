//! Project lifecycle hooks (`[hooks]` of cfn.toml): `post_create`, `pre_remove`, `post_up`,
//! `pre_down`. Each is a list of argument vectors run in the worktree with cfn's own
//! environment and the branch's variables (never the checkout's `.env`; no variable that
//! changes how programs run: `render::dotenv`), never through a shell, with their output on
//! cfn's standard error (cfn's standard output is for its own results). A pre hook that fails
//! vetoes the operation; a post hook that fails is reported and undoes nothing.
//!
//! cfn.toml is committed, so its commands come from whoever wrote the repository: a hook runs
//! only once the user trusted it (the repository's trust rule, `crate::branch::trust`: the command and
//! the files it names, hashed in the branch's checkout). On a terminal cfn asks; `--yes`
//! approves; otherwise an untrusted hook is skipped with a hint to run `cfn trust`.

use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::error::UserError;
use crate::process::Cmd;
use anyhow::Result;
use serde::Serialize;

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

/// Runs the hooks of `point` for the branch. `yes` approves unapproved ones.
pub fn run(ctx: &Context, ws: &Workspace, branch: &BranchEnv, point: HookPoint, yes: bool) -> Result<()> {
    let commands = point.commands(ws).to_vec();
    if commands.is_empty() {
        return Ok(());
    }
    let env = crate::branch::files::env_vars(ws, branch)?;
    for argv in &commands {
        let shown = display(argv);
        let item = crate::branch::trust::inventory::hook(ws, branch, point, argv);
        if !crate::branch::trust::decide(ctx, ws, &item, yes, true)? {
            ctx.warn(format!(
                "skipped untrusted {}; review and approve it with `cfn trust`",
                item.describe()
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
            .ending_with_cfn()
            .interactive_on_stderr();
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
