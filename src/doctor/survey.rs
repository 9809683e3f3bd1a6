//! Everything the checks look at, gathered once: the checkout, the configuration, the registry,
//! git's worktree list, the compose files, the compose program and one look at the engine.
//!
//! Gathering first and judging afterwards keeps each check a pure function of what was seen,
//! and asks the engine for its containers, networks and volumes once instead of once a check.

use super::paths::PathIndex;
use super::snapshot::{self, Container, Snapshot};
use super::Check;
use crate::branch::{BranchEnv, Workspace};
use crate::compose::runner::{self, ComposeTool};
use crate::compose::{self, ComposeFile};
use crate::config::Config;
use crate::context::Context;
use crate::error::UserError;
use crate::git::{self, Checkout, GitWorktree};
use crate::state::WorktreeRow;
use anyhow::Result;
use indexmap::IndexMap;
use std::path::Path;

pub struct Survey {
    pub checkout: Checkout,
    /// The verdict on cfn.toml and the compose files it names.
    pub config_checks: Vec<Check>,
    /// `None` when cfn.toml cannot be read; most checks are then skipped.
    pub workspace: Option<Workspace>,
    /// The repository's registered worktrees, with their state.
    pub rows: Vec<WorktreeRow>,
    /// The main checkout first, then every registered worktree (directory there or not).
    pub envs: Vec<BranchEnv>,
    pub git_worktrees: Result<Vec<GitWorktree>, String>,
    /// The main checkout's compose files, when they load.
    pub compose_files: Vec<ComposeFile>,
    /// Image → the services that run it (services with `build:` are left out: compose makes
    /// their image itself).
    pub images: IndexMap<String, Vec<String>>,
    pub engine: Result<Snapshot, Problem>,
    pub compose_tool: Result<ComposeTool, Problem>,
    /// `git_worktrees` and `rows` by path, each path resolved once.
    pub(super) git_paths: PathIndex,
    pub(super) row_paths: PathIndex,
}

/// An error as a check reports it: its message and, if it has one, its hint.
#[derive(Debug, Clone)]
pub struct Problem {
    pub message: String,
    pub hint: Option<String>,
}

impl Problem {
    pub fn from_error(e: &anyhow::Error) -> Problem {
        let user = e.chain().find_map(|c| c.downcast_ref::<UserError>());
        match user {
            Some(u) => Problem { message: u.message.clone(), hint: u.hint.clone() },
            None => Problem { message: format!("{e:#}"), hint: None },
        }
    }
}

impl Survey {
    pub async fn take(ctx: &Context) -> Result<Survey> {
        let checkout = git::discover(&ctx.cwd)?;
        let mut config_checks = Vec::new();
        let (workspace, compose_files) = match Config::load(&checkout.main_root) {
            Ok(config) => {
                let ws = match Workspace::with_config(ctx, checkout.clone(), config.clone()) {
                    Ok(ws) => ws,
                    Err(e) => {
                        config_checks.push(Check::ok("config", describe_config(&config)));
                        return Ok(Survey::without_state(checkout, config_checks, &e).await);
                    }
                };
                let files = match crate::branch::files::load_compose_files(&ws, ws.main_root()) {
                    Ok(files) => files,
                    Err(e) => {
                        let p = Problem::from_error(&e);
                        let hint =
                            p.hint.unwrap_or_else(|| "fix the compose file, then run cfn again".into());
                        config_checks.push(Check::fail("config", p.message, hint));
                        Vec::new()
                    }
                };
                if config_checks.is_empty() {
                    config_checks.push(Check::ok("config", describe_config(&ws.config)));
                }
                (Some(ws), files)
            }
            Err(e) => {
                let p = Problem::from_error(&e);
                let hint = p.hint.unwrap_or_else(|| "see docs/configuration.md".into());
                config_checks.push(Check::fail("config", p.message, hint));
                (None, Vec::new())
            }
        };
        let (rows, envs) = match &workspace {
            Some(ws) => {
                let rows = WorktreeRow::list(ws.state.conn(), ws.repo.id)?;
                let mut envs = vec![ws.main_env()];
                envs.extend(rows.iter().cloned().map(|r| ws.env_from_row(r)));
                (rows, envs)
            }
            None => (Vec::new(), Vec::new()),
        };
        let git_worktrees = git::list_worktrees(&checkout.main_root).map_err(|e| format!("{e:#}"));
        let images = match &workspace {
            Some(ws) => images_of(ws, &envs, &compose_files),
            None => IndexMap::new(),
        };
        let wanted: Vec<String> = images.keys().cloned().collect();
        let engine = snapshot::take(&wanted).await.map_err(|e| Problem::from_error(&e));
        let compose_tool = runner::detect().map_err(|e| Problem::from_error(&e));
        let git_paths = PathIndex::new(git_worktrees.iter().flatten().map(|w| w.path.as_path()));
        let row_paths = PathIndex::new(rows.iter().map(|r| r.path.as_path()));
        Ok(Survey {
            checkout,
            config_checks,
            workspace,
            rows,
            envs,
            git_worktrees,
            compose_files,
            images,
            engine,
            compose_tool,
            git_paths,
            row_paths,
        })
    }

    /// The worktree git lists at the same place as `path`.
    pub fn git_worktree_at(&self, path: &Path) -> Option<&GitWorktree> {
        let list = self.git_worktrees.as_ref().ok()?;
        self.git_paths.find(path).map(|i| &list[i])
    }

    /// Whether a registered worktree is at the same place as `path`.
    pub fn is_registered(&self, path: &Path) -> bool {
        self.row_paths.find(path).is_some()
    }

    /// Whether the project has a stack at all (compose files in cfn.toml): only then is an
    /// unreachable engine a failure rather than a warning.
    pub fn has_stack(&self) -> bool {
        self.workspace.as_ref().is_some_and(|ws| !ws.config.project.compose_files.is_empty())
    }

    /// The containers of `project` that are down ([`Container::down`]) while others of it run:
    /// empty when the stack is wholly up or down, or the engine could not be asked.
    pub fn down_in_running_stack(&self, project: &str) -> Vec<&Container> {
        let Ok(snapshot) = self.engine.as_ref() else { return Vec::new() };
        let of: Vec<&Container> =
            snapshot.containers.iter().filter(|c| c.project() == Some(project)).collect();
        if !of.iter().any(|c| c.running) {
            return Vec::new();
        }
        // the main checkout's compose files name the jobs (a branch's own may differ a little)
        let jobs = jobs(&self.compose_files);
        of.into_iter().filter(|c| c.down(&jobs)).collect()
    }

    /// Whether any container of `project` is running; `None` when the engine could not be asked.
    pub fn stack_running(&self, project: &str) -> Option<bool> {
        let snapshot = self.engine.as_ref().ok()?;
        Some(snapshot.containers.iter().any(|c| c.running && c.project() == Some(project)))
    }
}

fn describe_config(config: &Config) -> String {
    let keys = config.ports.keys.len();
    let files = config.project.compose_files.len();
    format!(
        "cfn.toml is valid: {keys} port key{}, {files} compose file{}",
        if keys == 1 { "" } else { "s" },
        if files == 1 { "" } else { "s" }
    )
}

/// The images the stacks of every checkout run, interpolated as compose would (shell
/// environment, then the checkout's `.env`).
fn images_of(
    ws: &Workspace,
    envs: &[BranchEnv],
    main_files: &[ComposeFile],
) -> IndexMap<String, Vec<String>> {
    let mut images: IndexMap<String, Vec<String>> = IndexMap::new();
    for env in envs.iter().filter(|e| e.path.is_dir()) {
        let files = if env.is_main {
            main_files.to_vec()
        } else {
            crate::branch::files::load_compose_files(ws, &env.path).unwrap_or_default()
        };
        let dotenv = compose::read_checkout_dotenv(&env.path, &env.path.join(".env"));
        let lookup = compose::interpolate::shell_then_dotenv(&dotenv);
        for file in &files {
            for (service, body) in file.services() {
                if body.contains_key("build") {
                    continue;
                }
                let Some(raw) = body.get("image").and_then(|v| v.as_str()) else { continue };
                let Ok(image) = compose::interpolate(raw, &lookup) else { continue };
                let users = images.entry(image).or_default();
                if !users.iter().any(|s| s == service) {
                    users.push(service.to_string());
                }
            }
        }
    }
    images
}

/// The services of `files` that run to completion: another service waits for them with
/// `depends_on: {<service>: {condition: service_completed_successfully}}`.
fn jobs(files: &[ComposeFile]) -> Vec<String> {
    use serde_norway::Value;
    let mut out = Vec::new();
    for file in files {
        for (_, body) in file.services() {
            let Some(deps) = body.get("depends_on").and_then(Value::as_mapping) else { continue };
            for (name, dep) in deps {
                let completed =
                    dep.get("condition").and_then(Value::as_str) == Some("service_completed_successfully");
                if let (true, Some(name)) = (completed, name.as_str()) {
                    out.push(name.to_string());
                }
            }
        }
    }
    out
}
