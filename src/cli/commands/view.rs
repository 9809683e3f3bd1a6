//! The JSON shape of a worktree, shared by every command that reports one.

use crate::branch::BranchEnv;
use indexmap::IndexMap;
use serde::Serialize;

#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct WorktreeView {
    pub branch: String,
    pub path: String,
    pub project: String,
    pub slot: u32,
    pub main: bool,
    pub exists: bool,
    pub ports: IndexMap<String, u16>,
    /// The engine the stack runs on, when it is not the local one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
}

impl From<&BranchEnv> for WorktreeView {
    fn from(b: &BranchEnv) -> Self {
        WorktreeView {
            branch: b.branch.clone(),
            path: b.path.to_string_lossy().into_owned(),
            project: b.project.clone(),
            slot: b.slot,
            main: b.is_main,
            exists: b.path.is_dir(),
            ports: b.ports.clone(),
            engine: b.engine.clone(),
        }
    }
}

/// `redis=6389 postgres=5442` for one-line summaries.
pub fn ports_inline(ports: &IndexMap<String, u16>) -> String {
    ports.iter().map(|(k, p)| format!("{k}={p}")).collect::<Vec<_>>().join(" ")
}
