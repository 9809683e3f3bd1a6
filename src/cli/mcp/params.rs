//! The arguments of each tool: their JSON schemas are generated from these types. Every type
//! refuses fields it does not name (`additionalProperties: false` in its schema), so that a
//! misspelt or unsupported argument is an error rather than silently ignored.

use schemars::JsonSchema;
use serde::Deserialize;

/// Which branch a tool acts on.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchArg {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
}

/// No arguments: any is refused.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoArgs {}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// Services to start (default: all).
    #[serde(default)]
    pub services: Vec<String>,
    /// Seconds to wait for every service to be ready (default 120, at most 600).
    #[serde(default)]
    pub timeout: Option<f64>,
    /// Start the stack and return without waiting for readiness (default false).
    #[serde(default)]
    pub no_wait: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogsArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// Services whose logs to return (default: all).
    #[serde(default)]
    pub services: Vec<String>,
    /// Lines from the end of each service's log (default 100, at most 1000).
    #[serde(default)]
    pub lines: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextStoreArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    pub key: String,
    pub value: String,
    /// Seconds before the value expires (default 24 h).
    #[serde(default)]
    pub ttl: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextGetArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    pub key: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalSendArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    pub channel: String,
    #[serde(default)]
    pub payload: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignalWaitArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    pub channel: String,
    /// Seconds to wait (default 60, at most 300).
    #[serde(default)]
    pub timeout: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentReportArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    /// The reporting agent (default: CFN_AGENT_ID of the server).
    #[serde(default)]
    pub agent_id: Option<String>,
    /// The loop iteration (default: CFN_ITERATION of the server, else 1).
    #[serde(default)]
    pub iteration: Option<u32>,
    /// Confidence from 0 to 1.
    pub confidence: f64,
    /// `ok` (default) or `failed`.
    #[serde(default)]
    pub status: Option<String>,
    /// Any JSON value.
    #[serde(default)]
    pub payload: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultsCollectArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    /// The task (loop run) id (default: CFN_TASK_ID of the server).
    #[serde(default)]
    pub task_id: Option<String>,
    /// How many agents are expected.
    pub expected: usize,
    /// Fraction of the expected agents needed (default 1.0).
    #[serde(default)]
    pub threshold: Option<f64>,
    /// Seconds to wait (default 60, at most 300).
    #[serde(default)]
    pub timeout: Option<f64>,
    /// The loop iteration (default: CFN_ITERATION of the server, else 1).
    #[serde(default)]
    pub iteration: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LockAcquireArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    pub resource: String,
    /// Seconds the lock is held at most (default 60).
    #[serde(default)]
    pub ttl: Option<f64>,
    /// Seconds to wait for it (default 0, at most 300).
    #[serde(default)]
    pub wait: Option<f64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LockReleaseArgs {
    /// The branch. A server bound to one checkout accepts only its own branch (the default);
    /// `cfn mcp --repo` accepts any branch with a worktree (default: the checkout it started in).
    #[serde(default)]
    pub branch: Option<String>,
    pub resource: String,
    /// The token `lock_acquire` returned.
    pub token: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorktreeAddArgs {
    /// The branch; created from `base` when it does not exist.
    pub branch: String,
    /// Revision a new branch starts from (default: HEAD of the main checkout).
    #[serde(default)]
    pub base: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorktreeRemoveArgs {
    /// The branch whose worktree to remove.
    pub branch: String,
    /// Remove even with uncommitted or untracked changes, which are lost (default false).
    #[serde(default)]
    pub force: bool,
    /// Delete the branch as well; only a merged one unless `force` (default false).
    #[serde(default)]
    pub delete_branch: bool,
}
