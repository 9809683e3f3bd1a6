//! Everything of a repository that cfn would run for a branch, as trust items: the lifecycle
//! hooks, the health `command` checks, the migrations and the agents of cfn.toml, each with the
//! files it names hashed in the branch's checkout. What an item "runs" is what will run in
//! that checkout: a health command rendered for the branch, an agent with what it receives.
//! Every item whose command receives the branch's variables (all but migrations and the
//! worktree folder) also names the project's `env.j2` (`super::env_template`).

use super::env_template::with_files as and_env_template;
use super::files::{self, FileHash};
use super::Item;
use crate::agents::AgentProfile;
use crate::branch::project_hooks::HookPoint;
use crate::branch::{BranchEnv, Workspace};
use anyhow::Result;

/// A lifecycle hook's command.
pub fn hook(ws: &Workspace, branch: &BranchEnv, point: HookPoint, argv: &[String]) -> Item {
    Item::new(point.name(), argv.to_vec(), and_env_template(ws, files::referenced(argv, &branch.path)))
}

/// The health `command` checks as they run in this branch: the argument vector rendered with
/// the branch's values (a template such as `{{ env.HC }}` takes them from the checkout's
/// `.env`, which a branch commits), with the files it names in this checkout. A branch that
/// renders another command is another item. The values cfn itself chose for the branch (its
/// ports, its checkout's path, its SQLite file) are written back as the template names them,
/// so that a command differing only by them is the same item in every worktree.
pub fn health(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    if !ws.config.health.values().any(|c| c.command.is_some()) {
        return Ok(Vec::new());
    }
    let checks = crate::branch::health::checks(ws, branch)?;
    let own = own_values(ws, branch);
    let mut items = Vec::new();
    for check in &checks {
        let crate::health::CheckKind::Command { argv, .. } = &check.kind else { continue };
        let named = and_env_template(ws, files::referenced(argv, &branch.path));
        let runs = argv.iter().map(|arg| in_template_terms(arg, &own)).collect();
        items.push(Item::new(format!("health.{}", check.name), runs, named));
    }
    Ok(items)
}

/// A value cfn chose for the branch, and how a template names it.
struct OwnValue {
    text: String,
    name: String,
    /// Whether it counts only as a whole number (a port), not inside a longer one.
    number: bool,
}

/// The branch's paths (longest first: the SQLite file lies in the checkout) and ports.
fn own_values(ws: &Workspace, branch: &BranchEnv) -> Vec<OwnValue> {
    let path = |p: &std::path::Path, name: &str| OwnValue {
        text: p.to_string_lossy().into_owned(),
        name: format!("{{{{ {name} }}}}"),
        number: false,
    };
    let mut own =
        vec![path(&crate::branch::files::sqlite_path(ws, branch), "db_path"), path(&branch.path, "worktree")];
    own.extend(branch.ports.iter().map(|(key, port)| OwnValue {
        text: port.to_string(),
        name: format!("{{{{ ports.{key} }}}}"),
        number: true,
    }));
    own
}

/// `arg` with every value of `own` replaced by its template name.
fn in_template_terms(arg: &str, own: &[OwnValue]) -> String {
    let mut text = arg.to_string();
    for value in own.iter().filter(|v| !v.text.is_empty()) {
        text = if value.number {
            replace_number(&text, &value.text, &value.name)
        } else {
            text.replace(&value.text, &value.name)
        };
    }
    text
}

/// `text` with `number` replaced where it stands alone (no digit right before or after it).
fn replace_number(text: &str, number: &str, name: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(number) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + number.len()..].chars().next();
        out.push_str(&rest[..at]);
        let alone = !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit());
        out.push_str(if alone { name } else { number });
        rest = &rest[at + number.len()..];
    }
    out.push_str(rest);
    out
}

/// The loop's checks (`[loop.checks.<name>]`), as they run: in the branch's checkout, with
/// the files they name hashed there.
pub fn loop_checks(ws: &Workspace, branch: &BranchEnv) -> Vec<Item> {
    ws.config
        .work_loop
        .checks
        .iter()
        .map(|(name, check)| {
            Item::new(
                format!("check.{name}"),
                check.command.clone(),
                and_env_template(ws, files::referenced(&check.command, &branch.path)),
            )
        })
        .collect()
}

/// Every migration file of the branch's checkout (up and down scripts hashed). With a
/// PostgreSQL target, where they run is part of each: `migrations.url` as rendered for the
/// branch (a branch's `.env` or cfn.toml could point approved SQL at another server), its
/// password left out and the branch's own ports written as the template names them.
pub fn migrations(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    let settings = match ws.config.migrations.target {
        crate::config::MigrationTarget::Sqlite => Vec::new(),
        crate::config::MigrationTarget::Postgres => {
            let url = crate::branch::migrations::postgres_url(ws, branch)?;
            let shown = in_template_terms(&crate::health::redact::redact_url(&url), &own_values(ws, branch));
            vec![format!("target={shown}")]
        }
    };
    let dir = crate::branch::migrations::migrations_dir(ws, branch);
    let shown = |file: &str| {
        let path = dir.join(file);
        path.strip_prefix(&branch.path).unwrap_or(&path).to_string_lossy().replace('\\', "/")
    };
    let mut items = Vec::new();
    for migration in crate::branch::migrations::migrations(ws, branch)? {
        let down = migration.file.replace(".up.sql", ".down.sql");
        let named = [&migration.file, &down]
            .into_iter()
            .filter_map(|file| {
                files::hash_file(&dir.join(file)).map(|sha256| FileHash { path: shown(file), sha256 })
            })
            .collect();
        items.push(
            Item::new("migration", vec![migration.file.clone()], named).with_settings(settings.clone()),
        );
    }
    Ok(items)
}

/// Fields of `[agents.<id>]` that change neither what an agent runs nor what it receives.
/// Every other field (`image` and `command` in `runs`; `env`, `provider`, the limits and any
/// field added later) is part of what is approved. `kind` is in `runs` for a CLI kind.
const AGENT_FIELDS_NOT_APPROVED: &[&str] =
    &["role", "model", "temperature", "max_tokens", "timeout", "kind", "confidence"];

/// An agent: what it runs, with the files that names, and as settings everything else that
/// decides what it runs and receives: the variables it is given (`env`), its provider (the
/// profile's, else `[loop] default_provider`), what each `[providers.*]` hands its agents and
/// where it sends them (cfn's caller may route an agent to any of them), limits, and its
/// skills (`skills=` from the profile) with the MCP servers each one maps to and their URLs: a
/// skill given to an agent later, or a skill mapped to another server, changes which tokens it
/// receives and where it sends them.
///
/// What it runs: its image (if any) and command; for a CLI kind, the invocation cfn builds
/// (with the profile's model; the prompt file shown as `<prompt-file>`) after a `kind=` word,
/// so a changed kind, program, model or argument is a new item.
pub fn agent(ws: &Workspace, branch: &BranchEnv, id: &str, profile: &AgentProfile) -> Item {
    let (runs, named) = if profile.kind != crate::agents::AgentKind::Command {
        let argv = crate::agents::adapters::argv(profile, profile.model.as_deref(), "<prompt-file>");
        let mut runs = vec![format!("kind={}", profile.kind.as_str())];
        runs.extend(argv.iter().cloned());
        (runs, files::referenced(&argv, &branch.path))
    } else {
        let command = profile.command.clone().unwrap_or_default();
        let mut runs = Vec::new();
        if let Some(image) = &profile.image {
            runs.push(format!("image={image}"));
        }
        runs.extend(command.iter().cloned());
        (runs, files::referenced(&command, &branch.path))
    };
    let mut settings = Vec::new();
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(profile) {
        for (name, value) in fields {
            if ["image", "command"].contains(&name.as_str())
                || AGENT_FIELDS_NOT_APPROVED.contains(&name.as_str())
            {
                continue;
            }
            if let Some(value) = setting_value(&value) {
                settings.push(format!("{name}={value}"));
            }
        }
    }
    // In name order whatever order serialization gives, so that the hash stays put.
    settings.sort();
    if profile.provider.is_none() {
        if let Some(default) = &ws.config.work_loop.default_provider {
            settings.push(format!("provider={default}"));
        }
    }
    for (name, provider) in &ws.config.providers {
        if !provider.env.is_empty() {
            settings.push(format!("providers.{name}.env={}", provider.env.join(",")));
        }
        if let Some(url) = &provider.base_url {
            settings.push(format!("providers.{name}.base_url={url}"));
        }
        if let Some(key) = &provider.api_key_env {
            settings.push(format!("providers.{name}.api_key_env={key}"));
        }
    }
    // Its skills decide which servers it gets a token for and where it sends it.
    for name in &profile.skills {
        if let Some(skill) = ws.config.skills.get(name) {
            settings.push(format!("skills.{name}.mcp={}", skill.mcp.join(",")));
            for server in skill.mcp.iter().filter_map(|s| Some((s, ws.config.mcp_servers.get(s)?))) {
                settings.push(format!("mcp_servers.{}.url={}", server.0, server.1.url));
            }
        }
    }
    Item::new(format!("agent.{id}"), runs, and_env_template(ws, named)).with_settings(settings)
}

/// A setting as text, or `None` when it is unset (so that an agent setting nothing more keeps
/// the hash it was approved by).
fn setting_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) if items.is_empty() => None,
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .map(|i| i.as_str().map(str::to_string).unwrap_or_else(|| i.to_string()))
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => Some(other.to_string()),
    }
}

/// A `project.worktree_dir` other than the default: git fills the folder it names with the
/// branch's files, so where that is must be approved (as the template's text).
pub fn worktree_dir(ws: &Workspace) -> Option<Item> {
    let template = ws.config.project.worktree_dir.as_deref()?;
    (template.trim() != crate::config::DEFAULT_WORKTREE_DIR)
        .then(|| Item::new("worktree_dir", vec![template.to_string()], Vec::new()))
}

/// The repository's `[engine]`: where its stacks run, and so where the branches' variables,
/// files and data go — a cloned repository must not send them to an engine of its choosing.
pub fn engine(ws: &Workspace) -> Option<Item> {
    engine_of(&ws.config.engine)
}

/// [`engine`] for a repository's `[engine]` read without a workspace (the proxy's routes).
pub fn engine_of(engine: &crate::config::engine::EngineConfig) -> Option<Item> {
    let spec = engine.spec()?;
    let key = if engine.host.is_some() { "host" } else { "context" };
    let mut values = vec![format!("{key}={spec}")];
    values.extend(engine.publish_address.as_ref().map(|a| format!("publish_address={a}")));
    Some(Item::new("engine", values, Vec::new()))
}

/// Everything the repository may make cfn run for `branch`.
pub fn all(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = worktree_dir(ws).into_iter().collect();
    items.extend(engine(ws));
    items.extend(
        HookPoint::ALL
            .into_iter()
            .flat_map(|point| point.commands(ws).iter().map(move |argv| hook(ws, branch, point, argv))),
    );
    items.extend(health(ws, branch)?);
    items.extend(migrations(ws, branch)?);
    items.extend(loop_checks(ws, branch));
    items.extend(ws.config.agents.iter().map(|(id, profile)| agent(ws, branch, id, profile)));
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_branch_s_own_values_are_written_as_the_template_names_them() {
        let own = vec![
            OwnValue {
                text: "/w/shop-feat/.cfn/data/app.db".into(),
                name: "{{ db_path }}".into(),
                number: false,
            },
            OwnValue { text: "/w/shop-feat".into(), name: "{{ worktree }}".into(), number: false },
            OwnValue { text: "6389".into(), name: "{{ ports.redis }}".into(), number: true },
        ];
        assert_eq!(
            in_template_terms("http://127.0.0.1:6389/up", &own),
            "http://127.0.0.1:{{ ports.redis }}/up"
        );
        assert_eq!(in_template_terms("sleep 63890; x 16389", &own), "sleep 63890; x 16389");
        assert_eq!(
            in_template_terms("/w/shop-feat/check.sh /w/shop-feat/.cfn/data/app.db", &own),
            "{{ worktree }}/check.sh {{ db_path }}"
        );
        assert_eq!(in_template_terms("echo PWNED >> /tmp/x", &own), "echo PWNED >> /tmp/x");
    }
}
