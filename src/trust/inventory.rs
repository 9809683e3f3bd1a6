//! Everything of a repository that cfn would run for a branch, as trust items: the lifecycle
//! hooks, the health `command` checks, the migrations and the agents of cfn.toml, each with the
//! files it names hashed in the branch's checkout. What an item "runs" is what will run in
//! that checkout: a health command rendered for the branch, an agent with what it receives.

use super::files::{self, FileHash};
use super::Item;
use crate::agents::AgentProfile;
use crate::lifecycle::HookPoint;
use crate::workspace::{BranchEnv, Workspace};
use anyhow::Result;

/// A lifecycle hook's command.
pub fn hook(branch: &BranchEnv, point: HookPoint, argv: &[String]) -> Item {
    Item::new(point.name(), argv.to_vec(), files::referenced(argv, &branch.path))
}

/// The health `command` checks as they run in this branch: the argument vector rendered with
/// the branch's values (a template such as `{{ env.HC }}` takes them from the checkout's
/// `.env`, which a branch commits), with the files it names in this checkout. A branch that
/// renders another command is another item.
pub fn health(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    if !ws.config.health.values().any(|c| c.command.is_some()) {
        return Ok(Vec::new());
    }
    let checks = crate::branch_health::checks(ws, branch)?;
    let mut items = Vec::new();
    for check in &checks {
        let crate::health::CheckKind::Command { argv, .. } = &check.kind else { continue };
        let named = files::referenced(argv, &branch.path);
        items.push(Item::new(format!("health.{}", check.name), argv.clone(), named));
    }
    Ok(items)
}

/// Every migration file of the branch's checkout (up and down scripts hashed).
pub fn migrations(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    let dir = crate::branch_db::migrations_dir(ws, branch);
    let shown = |file: &str| {
        let path = dir.join(file);
        path.strip_prefix(&branch.path).unwrap_or(&path).to_string_lossy().replace('\\', "/")
    };
    let mut items = Vec::new();
    for migration in crate::branch_db::migrations(ws, branch)? {
        let down = migration.file.replace(".up.sql", ".down.sql");
        let named = [&migration.file, &down]
            .into_iter()
            .filter_map(|file| {
                files::hash_file(&dir.join(file)).map(|sha256| FileHash { path: shown(file), sha256 })
            })
            .collect();
        items.push(Item::new("migration", vec![migration.file.clone()], named));
    }
    Ok(items)
}

/// Fields of `[agents.<id>]` that change neither what an agent runs nor what it receives.
/// Every other field (`image` and `command` in `runs`; `env`, `provider`, the limits and any
/// field added later) is part of what is approved.
const AGENT_FIELDS_NOT_APPROVED: &[&str] = &["role", "model", "temperature", "max_tokens", "timeout"];

/// An agent: its image (if any) and command, with the files the command names, and as settings
/// everything else that decides what it runs and receives: the variables it is given
/// (`env`), its provider (the profile's, else `[loop] default_provider`), the variables each
/// `[providers.*]` hands its agents (cfn's caller may route an agent to any of them), limits.
pub fn agent(ws: &Workspace, branch: &BranchEnv, id: &str, profile: &AgentProfile) -> Item {
    let command = profile.command.clone().unwrap_or_default();
    let mut runs = Vec::new();
    if let Some(image) = &profile.image {
        runs.push(format!("image={image}"));
    }
    runs.extend(command.iter().cloned());
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
    if profile.provider.is_none() {
        if let Some(default) = &ws.config.work_loop.default_provider {
            settings.push(format!("provider={default}"));
        }
    }
    for (name, provider) in &ws.config.providers {
        if !provider.env.is_empty() {
            settings.push(format!("providers.{name}.env={}", provider.env.join(",")));
        }
    }
    Item::new(format!("agent.{id}"), runs, files::referenced(&command, &branch.path)).with_settings(settings)
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

/// Everything the repository may make cfn run for `branch`.
pub fn all(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = HookPoint::ALL
        .into_iter()
        .flat_map(|point| point.commands(ws).iter().map(move |argv| hook(branch, point, argv)))
        .collect();
    items.extend(health(ws, branch)?);
    items.extend(migrations(ws, branch)?);
    items.extend(ws.config.agents.iter().map(|(id, profile)| agent(ws, branch, id, profile)));
    Ok(items)
}
