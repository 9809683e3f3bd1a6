//! `cfn init`: derive the project's configuration from its compose files and set up the main
//! checkout (slot 0) — `cfn.toml`, `.cfn/` excluded from git, the rendered files.
//!
//! Run in a registered worktree, it writes that branch's own `cfn.toml` from the branch's
//! compose files (a branch that adds a service gets its port key without touching the main
//! checkout), then leases the new keys and renders the worktree's files.

pub mod dotenv;
pub mod mcp_services;

use crate::branch;
use crate::branch::Workspace;
use crate::compose::{self, Finding, PortKey};
use crate::config::{self, Config};
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, Checkout};
use crate::ports::lanes::Conflict;
use crate::render::{self, Renderer};
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::path::Path;

pub struct InitOptions {
    pub force: bool,
    pub name: Option<String>,
}

/// What init found, for the summary it prints (or `--json`).
#[derive(Debug, Serialize)]
pub struct Plan {
    pub project: String,
    pub compose_files: Vec<String>,
    pub keys: Vec<PortKey>,
    /// Keys whose services publish the same port and protocol and can run together.
    pub conflicts: Vec<Conflict>,
    pub findings: Vec<Finding>,
    /// The compose files' `mcp-*` services: `[mcp_servers]` entries for those with a port.
    pub mcp_servers: Vec<mcp_services::McpService>,
    #[serde(skip)]
    pub toml: String,
}

/// Reads the compose files and prepares `cfn.toml`, writing nothing.
pub fn plan(ctx: &Context, opts: &InitOptions) -> Result<(Checkout, Plan)> {
    let checkout = git::discover(&ctx.cwd)?;
    if !checkout.is_main() && !checkout.main_root.join(config::FILE_NAME).exists() {
        return Err(UserError::new(format!(
            "cfn init runs in the main checkout first, not in {}",
            checkout.root.display()
        ))
        .hint(format!("cd {}", checkout.main_root.display()))
        .into());
    }
    // The checkout you stand in: the main one, or a worktree writing its branch's own file.
    let root = &checkout.root;
    if root.join(config::FILE_NAME).exists() && !opts.force {
        return Err(UserError::new(format!("{} already exists", root.join(config::FILE_NAME).display()))
            .hint("pass --force to derive it again from the compose files")
            .into());
    }
    // A worktree keeps the repository's project name (the main checkout's decides it).
    let previous = if checkout.is_main() {
        if opts.force {
            Config::load(root).ok()
        } else {
            None
        }
    } else {
        Config::load(&checkout.main_root).ok()
    };
    let paths = compose::find_compose_files(root);
    let files = paths.iter().map(|p| compose::load(p)).collect::<Result<Vec<_>, _>>().map_err(user)?;
    // `include:` and `extends:` resolved, so their ports become keys and their names findings.
    let files = compose::resolve(files)?;
    let dotenv = compose::read_checkout_dotenv(root, &root.join(".env"));
    let lookup = |name: &str| dotenv.get(name).cloned();
    let keys = compose::port_keys(&compose::published_ports(&files, &lookup).map_err(user)?);
    let findings = compose::findings(&files);
    let project = opts
        .name
        .clone()
        .or_else(|| previous.as_ref().and_then(|c| c.project.name.clone()))
        .unwrap_or_else(|| config::default_project_name(root));
    if !crate::names::is_valid_project_name(&project) {
        return Err(UserError::usage(format!("invalid project name {project:?}"))
            .hint("use lower-case letters, digits, '-' and '_', starting with a letter or digit")
            .into());
    }
    let compose_files: Vec<String> = paths.iter().map(|p| relative(root, p)).collect();
    let mcp_servers = mcp_services::find(&files, &keys);
    let servers: Vec<&mcp_services::McpService> = mcp_servers.iter().filter(|s| s.key.is_some()).collect();
    let toml = Renderer::new(None).render(
        "cfn.toml.j2",
        &serde_json::json!({ "name": project, "compose_files": compose_files, "keys": keys, "mcp_servers": servers }),
    )?;
    let config = Config::parse(&toml, &root.join(config::FILE_NAME))
        .context("the generated cfn.toml does not parse")?;
    let conflicts = crate::ports::lanes::layout(&config.ports.keys).conflicts;
    Ok((checkout, Plan { project, compose_files, keys, conflicts, findings, mcp_servers, toml }))
}

/// Writes `cfn.toml`, excludes `.cfn/` (and an untracked `.env`, init_dotenv.rs) from git, registers the repository and renders slot 0.
pub fn apply(ctx: &Context, checkout: Checkout, plan: &Plan) -> Result<Workspace> {
    if !checkout.is_main() {
        return apply_in_worktree(ctx, &checkout, plan);
    }
    let root = checkout.main_root.clone();
    let config = Config::parse(&plan.toml, &root.join(config::FILE_NAME))?;
    render::write_atomic(&root.join(config::FILE_NAME), &plan.toml, 0o644)?;
    exclude_cfn_dir(&checkout.common_dir)?;
    let note = crate::init::dotenv::exclude_dotenv(
        &root,
        &checkout.common_dir,
        plan.compose_files.first().map(String::as_str),
    )?;
    crate::init::dotenv::say(ctx, &note);
    let ws = Workspace::with_config(ctx, checkout, config)?;
    branch::files::render(&ws, &ws.main_env())?;
    Ok(ws)
}

/// Writes a registered worktree's own `cfn.toml`, then resolves the worktree, which leases its
/// new keys, releases the gone ones and renders its files (as any command there would).
fn apply_in_worktree(ctx: &Context, checkout: &Checkout, plan: &Plan) -> Result<Workspace> {
    let ws = Workspace::open(ctx)?;
    // Refused before writing anything: init provisions no worktree (`cfn worktree add` does).
    if crate::state::WorktreeRow::find_by_path(ws.state.conn(), &checkout.root)?.is_none() {
        return Err(UserError::new(format!(
            "this worktree is not registered with cfn: {}",
            checkout.root.display()
        ))
        .hint("create worktrees with `cfn worktree add`, or run `cfn doctor --fix` to register it")
        .into());
    }
    let path = checkout.root.join(config::FILE_NAME);
    Config::parse(&plan.toml, &path)?;
    render::write_atomic(&path, &plan.toml, 0o644)?;
    ws.branch_env(None)?;
    Ok(ws)
}

/// Adds `/.cfn/` to `info/exclude` of the shared git directory (covers every worktree).
pub fn exclude_cfn_dir(common_dir: &Path) -> Result<()> {
    let path = common_dir.join("info").join("exclude");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current.lines().any(|l| matches!(l.trim(), ".cfn/" | "/.cfn/" | ".cfn" | "/.cfn")) {
        return Ok(());
    }
    let mut text = current;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("# cfn's rendered files (env, compose override, per-branch data)\n.cfn/\n");
    std::fs::create_dir_all(path.parent().unwrap_or(common_dir))?;
    render::write_atomic(&path, &text, 0o644)?;
    Ok(())
}

/// A compose error with its hint: `cfn init` refuses what it cannot isolate in one line.
fn user(e: compose::ComposeError) -> UserError {
    UserError::from(e)
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().into_owned()
}
