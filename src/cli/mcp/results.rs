//! The structured result of each tool whose data is not already a type of the command it
//! mirrors. Tools serialise these, and their output schemas are derived from the same types
//! (see [`super::schemas`]), so a result and its declared schema cannot part ways.

use crate::cli::commands::worktree::list::Listed;
use crate::stack::{Endpoint, ServiceLog};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// `env`: what `cfn env --format json` prints, with the branch.
#[derive(Debug, Serialize, JsonSchema)]
pub struct EnvResult {
    pub branch: String,
    /// The branch's environment variables, by name.
    pub variables: IndexMap<String, String>,
}

/// `up`: the stack is ready.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UpResult {
    /// The compose project of the branch.
    pub project: String,
    pub endpoints: Vec<Endpoint>,
}

/// `down`: the stack is stopped.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DownResult {
    pub project: String,
    /// Always true: volumes are never deleted through MCP.
    pub volumes_kept: bool,
}

/// `logs`: the last lines of each container.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LogsResult {
    pub lines_per_service: usize,
    pub services: Vec<ServiceLog>,
}

/// `health`: every check passed (a failed check is a tool error whose `data` holds every check).
#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthResult {
    /// Always true here.
    pub ok: bool,
    pub checks: Vec<crate::health::CheckResult>,
}

/// The `data` of a failed `health`: every check's result.
#[derive(Debug, Serialize, JsonSchema)]
pub struct HealthChecks {
    pub checks: Vec<crate::health::CheckResult>,
}

/// `doctor`: what `cfn doctor --json` prints.
#[derive(Debug, Serialize, JsonSchema)]
pub struct DoctorResult {
    /// False when any check failed.
    pub ok: bool,
    pub checks: Vec<crate::doctor::Check>,
}

/// `context_store`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContextStored {
    pub task_id: String,
    pub key: String,
    /// Always true.
    pub stored: bool,
}

/// `context_get`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ContextValue {
    pub task_id: String,
    pub key: String,
    pub value: String,
}

/// `signal_send`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignalSent {
    pub task_id: String,
    pub channel: String,
    /// The signal's id on the channel.
    pub id: String,
}

/// `signal_wait`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SignalReceived {
    pub task_id: String,
    pub channel: String,
    pub payload: String,
}

/// `agent_report`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReportCounted {
    pub agent_id: String,
    pub iteration: u32,
    /// False when an earlier report of this agent and iteration counts instead.
    pub counted: bool,
}

/// `lock_acquire`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LockHeld {
    pub resource: String,
    /// Releases the lock (`lock_release`).
    pub token: String,
}

/// `lock_release`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct LockReleased {
    pub resource: String,
    /// Always true.
    pub released: bool,
}

/// `worktree_list`: what `cfn worktree list --json` prints, as an object.
#[derive(Debug, Serialize, JsonSchema)]
pub struct WorktreeList {
    pub worktrees: Vec<Listed>,
}
