//! Everything of a repository that cfn would run for a branch, as trust items: the lifecycle
//! hooks, the health `command` checks, the migrations and the agents of cfn.toml, each with the
//! files it names hashed in the branch's checkout.

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

/// The health `command` checks: the command as cfn.toml writes it (the same for every branch),
/// with the files its rendered form names in this branch.
pub fn health(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    if !ws.config.health.values().any(|c| c.command.is_some()) {
        return Ok(Vec::new());
    }
    let checks = crate::branch_health::checks(ws, branch)?;
    let mut items = Vec::new();
    for (name, config) in &ws.config.health {
        let Some(written) = &config.command else { continue };
        let rendered = checks.iter().find(|c| &c.name == name).and_then(|c| match &c.kind {
            crate::health::CheckKind::Command { argv, .. } => Some(argv.clone()),
            _ => None,
        });
        let named = files::referenced(rendered.as_deref().unwrap_or(written), &branch.path);
        items.push(Item::new(format!("health.{name}"), written.clone(), named));
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

/// An agent: its image (if any) and command, with the files the command names. For a CLI kind
/// the command is the invocation cfn builds (with the profile's model; the prompt file shown
/// as `<prompt-file>`), after a `kind=` word: a changed kind, program, model or argument is a
/// new item.
pub fn agent(branch: &BranchEnv, id: &str, profile: &AgentProfile) -> Item {
    if profile.kind != crate::agents::AgentKind::Command {
        let argv = crate::agents::adapters::argv(profile, profile.model.as_deref(), "<prompt-file>");
        let mut runs = vec![format!("kind={}", profile.kind.as_str())];
        runs.extend(argv.iter().cloned());
        return Item::new(format!("agent.{id}"), runs, files::referenced(&argv, &branch.path));
    }
    let command = profile.command.clone().unwrap_or_default();
    let mut runs = Vec::new();
    if let Some(image) = &profile.image {
        runs.push(format!("image={image}"));
    }
    runs.extend(command.iter().cloned());
    Item::new(format!("agent.{id}"), runs, files::referenced(&command, &branch.path))
}

/// Everything the repository may make cfn run for `branch`.
pub fn all(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Item>> {
    let mut items: Vec<Item> = HookPoint::ALL
        .into_iter()
        .flat_map(|point| point.commands(ws).iter().map(move |argv| hook(branch, point, argv)))
        .collect();
    items.extend(health(ws, branch)?);
    items.extend(migrations(ws, branch)?);
    items.extend(ws.config.agents.iter().map(|(id, profile)| agent(branch, id, profile)));
    Ok(items)
}
