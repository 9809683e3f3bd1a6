//! The stack of a worktree that prune forgets. Its files are gone, so compose cannot be asked:
//! the containers are found by their compose project label, as `cfn down` does when its files
//! are broken. The stack is stopped (volumes kept) before the worktree's leases are released, or
//! kept running with its leases; when the engine cannot tell, nothing is released.

use crate::config::Config;
use crate::engine::Engine;
use serde::Serialize;
use std::path::Path;

/// Whether the repository at `main_root` may have stacks: its cfn.toml names compose files, or
/// cannot be read (then nobody can say it has none).
pub fn has_stack(main_root: &Path) -> bool {
    Config::load(main_root).map_or(true, |c| !c.project.compose_files.is_empty())
}

/// What became of the stack of a worktree whose checkout is gone.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum StackFate {
    /// Its containers and networks were removed; its volumes were kept.
    Stopped { containers: Vec<String>, networks: Vec<String> },
    /// Kept as asked (`--keep-stacks`): the worktree's row and leases stay.
    Kept { containers: Vec<String> },
    /// It could not be checked or stopped (engine unreachable, branch busy, a removal that
    /// failed): the worktree's row and leases stay for the next prune.
    Unsettled { error: String },
}

impl StackFate {
    /// Whether the worktree's row and leases must stay.
    pub fn keeps_leases(&self) -> bool {
        !matches!(self, StackFate::Stopped { .. })
    }
}

/// The engine as prune sees it: asked once per worktree, and not again once it did not answer
/// (so one prune does not wait for an unreachable engine once per worktree).
#[derive(Default)]
pub struct Stacks {
    /// The engine that did not answer (by what worktrees name it; `None` local), and its error.
    unreachable: std::collections::HashMap<Option<String>, String>,
}

impl Stacks {
    /// Whether the engine did not answer (so every later worktree is left unsettled too).
    pub fn unreachable(&self) -> bool {
        !self.unreachable.is_empty()
    }

    /// Stops the stack of compose project `project`, or with `keep` keeps whatever of it
    /// exists. `None` when the engine has nothing of it.
    pub async fn settle(&mut self, project: &str, engine: Option<&str>, keep: bool) -> Option<StackFate> {
        if let Some(error) = self.unreachable.get(&engine.map(str::to_string)) {
            return Some(StackFate::Unsettled { error: error.clone() });
        }
        let answer = async {
            let engine =
                Engine::connect_named(engine).await.map_err(|e| Failure::Unreachable(format!("{e:#}")))?;
            settle_on(&engine, project, keep).await.map_err(|e| Failure::Engine(format!("{e:#}")))
        };
        match answer.await {
            Ok(fate) => fate,
            Err(Failure::Unreachable(error)) => {
                self.unreachable.insert(engine.map(str::to_string), error.clone());
                Some(StackFate::Unsettled { error })
            }
            Err(Failure::Engine(error)) => Some(StackFate::Unsettled { error }),
        }
    }
}

/// Why the engine could not settle a stack: it did not answer at all, or it failed a request.
enum Failure {
    Unreachable(String),
    Engine(String),
}

async fn settle_on(engine: &Engine, project: &str, keep: bool) -> anyhow::Result<Option<StackFate>> {
    if keep {
        let containers: Vec<String> =
            engine.containers(&[project]).await?.into_iter().map(|c| c.name).collect();
        return Ok((!containers.is_empty()).then_some(StackFate::Kept { containers }));
    }
    let done = engine.teardown(project, false).await?;
    if done.containers.is_empty() && done.networks.is_empty() {
        return Ok(None);
    }
    Ok(Some(StackFate::Stopped { containers: done.containers, networks: done.networks }))
}
