//! The configuration's templates render for every branch (the env file, the compose override,
//! the health checks and the migrations URL), and each branch's rendered files under `.cfn/`
//! (and its `.env` block for plain `docker compose`) are there and current. A template that
//! does not render fails; a missing or stale file warns, since every command that runs compose
//! writes the files again anyway. What plain compose runs in each worktree is reported from the
//! same look (`plain-compose`).

use super::docker::plural;
use super::scratch;
use super::survey::{Problem, Survey};
use super::Check;
use crate::branch::{BranchEnv, Workspace};
use crate::config::MigrationTarget;

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let mut templates = Vec::new();
    let mut rendered = Vec::new();
    let mut plain = Vec::new();
    let envs: Vec<&BranchEnv> = survey.envs.iter().filter(|e| e.path.is_dir()).collect();
    for env in &envs {
        if let Err(e) = other_templates(ws, env) {
            templates.push(broken(env, &e));
        }
        // a `.cfn` the checkout made a link: nothing is rendered through it (render::no_follow)
        let cfn_dir = crate::branch::files::cfn_dir(&env.path);
        if crate::render::no_follow::is_link(&cfn_dir) {
            let p = Problem::from_error(&crate::render::no_follow::link_refused(&cfn_dir));
            let hint = p.hint.unwrap_or_default();
            rendered.push(Check::fail("rendered", format!("{}: {}", env.branch, p.message), hint));
            continue;
        }
        let found = scratch::stale_and_plain(ws, env);
        if let Ok((_, state)) = &found {
            plain.push((env.branch.clone(), state.clone()));
        }
        match found.map(|(stale, _)| stale) {
            Ok(stale) if stale.is_empty() => {}
            Ok(stale) => rendered.push(Check::warn(
                "rendered",
                format!("rendered files of {} are missing or out of date: {}", env.branch, stale.join(", ")),
                "`cfn doctor --fix` renders them again (so does every `cfn up`)",
            )),
            Err(e) => templates.push(broken(env, &e)),
        }
    }
    let n = envs.len();
    if templates.is_empty() {
        templates.push(Check::ok("templates", format!("templates render for {n} checkout{}", plural(n))));
    }
    if rendered.is_empty() && !templates.iter().any(|c| c.status == super::Status::Fail) {
        rendered
            .push(Check::ok("rendered", format!("rendered files of {n} checkout{} are current", plural(n))));
    }
    templates.extend(rendered);
    templates.extend(super::plain::checks(&plain));
    templates
}

/// The templated values of cfn.toml: health checks, and the PostgreSQL migrations URL.
fn other_templates(ws: &Workspace, env: &BranchEnv) -> anyhow::Result<()> {
    crate::branch::health::checks(ws, env)?;
    if ws.config.migrations.target == MigrationTarget::Postgres {
        let template = ws.config.migrations.url.as_deref().unwrap_or_default();
        let vars = crate::branch::files::template_vars(ws, env)?;
        crate::branch::files::renderer(ws).render_str("migrations.url", template, &vars)?;
    }
    Ok(())
}

fn broken(env: &BranchEnv, e: &anyhow::Error) -> Check {
    let p = Problem::from_error(e);
    Check::fail(
        "templates",
        format!("{}: {}", env.branch, p.message),
        p.hint.unwrap_or_else(|| "fix the template or the value in cfn.toml".into()),
    )
}
