//! `[loop]`, `[agents.<id>]` and `[providers.<name>]` of cfn.toml.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Mvp,
    #[default]
    Standard,
    Enterprise,
}

impl Mode {
    /// (gate, consensus, max iterations) of DESIGN §8.
    pub fn defaults(self) -> (f64, f64, u32) {
        match self {
            Mode::Mvp => (0.70, 0.80, 5),
            Mode::Standard => (0.75, 0.90, 10),
            Mode::Enterprise => (0.85, 0.95, 15),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Mvp => "mvp",
            Mode::Standard => "standard",
            Mode::Enterprise => "enterprise",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopConfig {
    #[serde(default)]
    pub mode: Mode,
    /// Overrides of the mode's thresholds and iteration limit.
    pub gate_threshold: Option<f64>,
    pub consensus_threshold: Option<f64>,
    pub max_iterations: Option<u32>,
    /// Seconds a phase (all agents of one role) may take at most.
    pub phase_timeout: Option<f64>,
    /// The default team: agent ids.
    #[serde(default)]
    pub implementers: Vec<String>,
    #[serde(default)]
    pub validators: Vec<String>,
    pub product_owner: Option<String>,
    /// Provider used when neither the profile, a rule nor `CFN_DEFAULT_PROVIDER` names one.
    pub default_provider: Option<String>,
    /// `[loop.checks.<name>]`: commands run in the branch after the implementers, whose
    /// results are the validators' evidence (docs/loop.md#checks).
    #[serde(default)]
    pub checks: indexmap::IndexMap<String, LoopCheck>,
    /// Checks that must pass for the gate to pass, whatever the confidences.
    #[serde(default)]
    pub gate_requires: Vec<String>,
    /// Where the implementers work: the branch's worktree, or one worktree each, merged back
    /// (docs/loop.md#implementers-that-dont-collide).
    #[serde(default)]
    pub isolation: Isolation,
    /// Budgets of one run: exceeding one ends it as `budget`.
    pub max_wall_seconds: Option<f64>,
    pub max_tokens: Option<u64>,
    pub max_cost_usd: Option<f64>,
    /// Seconds a person who is the product owner has to decide (default a day).
    pub decision_timeout: Option<f64>,
}

/// Where a run's implementers work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Isolation {
    /// All of them in the branch's worktree, as every other agent.
    #[default]
    Shared,
    /// Each in a git worktree of its own branched from the branch's last commit, sharing the
    /// branch's stack; what each changed is committed and merged into the branch before the
    /// checks and validators.
    Worktrees,
}

/// A check of the loop: a command of the repository, run in the branch's worktree with the
/// branch's variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoopCheck {
    /// The program and its arguments (never a shell string).
    pub command: Vec<String>,
    /// Seconds before it is killed and counts as failed (default [`DEFAULT_CHECK_TIMEOUT`]).
    pub timeout: Option<f64>,
}

/// Seconds a check may run when it sets no timeout.
pub const DEFAULT_CHECK_TIMEOUT: f64 = 300.0;

/// Where a validator's confidence comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfidenceSource {
    /// The confidence the validator reports (default).
    #[default]
    Reported,
    /// Passed checks over all checks of the iteration, whatever the validator reports.
    Checks,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Implementer,
    Validator,
    ProductOwner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Implementer => "implementer",
            Role::Validator => "validator",
            Role::ProductOwner => "product-owner",
        }
    }
}

/// Which program an agent is: a command of the project's own (`command`), or a coding-agent CLI
/// that cfn drives through its documented non-interactive mode (`agents::adapters`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AgentKind {
    #[default]
    Command,
    ClaudeCode,
    Codex,
    Gemini,
    Aider,
    Opencode,
    /// A person, not a program: only a product owner may be one; the run waits for their
    /// decision (`cfn loop decide`, the portal; docs/loop.md#a-person-as-product-owner).
    Person,
}

impl AgentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentKind::Command => "command",
            AgentKind::ClaudeCode => "claude-code",
            AgentKind::Codex => "codex",
            AgentKind::Gemini => "gemini",
            AgentKind::Aider => "aider",
            AgentKind::Opencode => "opencode",
            AgentKind::Person => "person",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentProfile {
    pub role: Role,
    /// `command` (default): `command` or `image` runs; any other kind: cfn builds the CLI's
    /// invocation, prompt and result handling (docs/agents.md).
    #[serde(default)]
    pub kind: AgentKind,
    /// The program and its arguments (never a shell string).
    pub command: Option<Vec<String>>,
    /// For a CLI kind: the executable to run instead of the CLI's usual name (`claude`, …).
    pub program: Option<String>,
    /// For a CLI kind: further arguments, appended after the ones cfn builds.
    #[serde(default)]
    pub args: Vec<String>,
    /// For a CLI kind: the template the prompt is rendered from (default `agent-prompt.md.j2`).
    pub prompt_template: Option<String>,
    /// A container image to run instead of a process (`command` then overrides its command).
    pub image: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    /// Seconds before the agent is killed and counted as failed.
    pub timeout: Option<f64>,
    /// For a validator: its confidence as reported, or computed from the checks.
    pub confidence: Option<ConfidenceSource>,
    /// Container memory limit, e.g. `512m`, `2g`.
    pub memory: Option<String>,
    /// Container CPU limit, e.g. `1.5`.
    pub cpus: Option<f64>,
    /// Container process limit (default [`DEFAULT_PIDS`]).
    pub pids: Option<i64>,
    /// Further variables of cfn's environment this agent receives (its environment is an
    /// allowlist: see `agents::environment`). Another provider's credentials never pass.
    #[serde(default)]
    pub env: Vec<String>,
    /// Skills (`[skills.<name>]`) the agent is given: a token and the URL of each MCP server
    /// they need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
}

/// A container agent's process limit when its profile sets none.
pub const DEFAULT_PIDS: i64 = 512;
/// A container agent's memory limit when its profile sets none.
pub const DEFAULT_MEMORY: &str = "2g";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    /// Environment variables holding this provider's credentials and settings; an agent of this
    /// provider receives them, no other agent does.
    #[serde(default)]
    pub env: Vec<String>,
    /// The model used when the profile names none.
    pub model: Option<String>,
    /// The provider's API endpoint for a CLI that speaks its protocol (an Anthropic-compatible
    /// one for `claude-code`, an OpenAI-compatible one for `codex`).
    pub base_url: Option<String>,
    /// Which of `env` holds the provider's API key, when a CLI needs it under its own name.
    pub api_key_env: Option<String>,
}
