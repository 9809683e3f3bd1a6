//! Running one agent, as a process or a container, to an outcome: exited (with a code), killed
//! at its deadline, or failed to start. Whether it reported is the bus's business, not this.

use super::{container, process};
use crate::engine::Engine;
use anyhow::Result;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Duration;

/// Everything needed to start one agent.
#[derive(Debug, Clone)]
pub struct AgentRun {
    pub agent_id: String,
    pub command: Option<Vec<String>>,
    pub image: Option<String>,
    pub workdir: PathBuf,
    /// The complete environment the agent gets (nothing else is inherited).
    pub env: Vec<(String, String)>,
    pub timeout: Duration,
    pub log: PathBuf,
    pub memory: Option<String>,
    pub cpus: Option<f64>,
    /// The uid:gid a container agent runs as: the caller's.
    pub user: (u32, u32),
    /// Container process limit.
    pub pids: Option<i64>,
    /// For container agents: the stack's compose project (network, labels).
    pub project: String,
    /// For container agents: the repository's id, labelled so `cfn doctor` knows whose they are.
    pub repository: Option<String>,
    /// The turn's report token (also in `env`): the loop checks reports against it.
    pub token: Option<super::report_token::AgentToken>,
    /// For a CLI kind: which parser reads its output, and the prompt it reads on stdin.
    pub adapter: Option<AdapterRun>,
}

/// How an adapter agent is fed and read.
#[derive(Debug, Clone)]
pub struct AdapterRun {
    pub kind: super::AgentKind,
    pub stdin: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct AgentOutcome {
    pub agent_id: String,
    pub exit_code: Option<i64>,
    pub timed_out: bool,
    pub error: Option<String>,
    pub elapsed_ms: u64,
    pub log: String,
    /// What cfn took from a CLI agent's output (adapter kinds only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<super::adapters::AgentResult>,
}

impl AgentOutcome {
    pub fn exited(spec: &AgentRun, code: Option<i32>, elapsed_ms: u64) -> Self {
        AgentOutcome { exit_code: code.map(i64::from), elapsed_ms, ..Self::base(spec) }
    }

    pub fn exited_with(spec: &AgentRun, code: i64, elapsed_ms: u64) -> Self {
        AgentOutcome { exit_code: Some(code), elapsed_ms, ..Self::base(spec) }
    }

    pub fn timed_out(spec: &AgentRun, elapsed_ms: u64) -> Self {
        AgentOutcome { timed_out: true, elapsed_ms, ..Self::base(spec) }
    }

    pub fn failed_to_start(spec: &AgentRun, error: String) -> Self {
        AgentOutcome { error: Some(error), ..Self::base(spec) }
    }

    fn base(spec: &AgentRun) -> Self {
        AgentOutcome {
            agent_id: spec.agent_id.clone(),
            exit_code: None,
            timed_out: false,
            error: None,
            elapsed_ms: 0,
            log: spec.log.to_string_lossy().into_owned(),
            result: None,
        }
    }

    /// Opens the agent's log for appending, created 0600: a log may hold what the agent printed
    /// of its own key. A link in its place (an agent may plant one) is refused, not followed.
    pub fn open_log(spec: &AgentRun) -> std::io::Result<std::fs::File> {
        use std::os::unix::fs::OpenOptionsExt as _;
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .mode(0o600)
            .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
            .open(&spec.log)
    }

    /// One line for feedback: why this agent counts as failed, if it does for its own part.
    pub fn problem(&self) -> Option<String> {
        if self.timed_out {
            Some(format!("agent {} was killed after its timeout ({} ms)", self.agent_id, self.elapsed_ms))
        } else if let Some(e) = &self.error {
            Some(format!("agent {} could not start: {e}", self.agent_id))
        } else {
            match self.exit_code {
                Some(0) => None,
                Some(code) => Some(format!("agent {} exited with status {code}", self.agent_id)),
                None => Some(format!("agent {} was killed by a signal", self.agent_id)),
            }
        }
    }
}

/// What an agent was started as, told to the caller the moment it runs: a coordinator that
/// dies mid-turn leaves it behind, and the one that resumes the run finds it by this.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A process group led by `pid`, which started at `start_time` (`process::start_time`).
    Process { pid: u32, start_time: u64 },
    /// A container, by id.
    Container { id: String },
}

/// Runs the agent to its outcome; containers need the engine. `started` hears how it runs once
/// it does.
pub async fn run_agent(
    spec: &AgentRun,
    engine: Option<&Engine>,
    started: &dyn Fn(Started),
) -> Result<AgentOutcome> {
    match (&spec.image, &spec.command) {
        (Some(image), _) => match engine {
            Some(engine) => container::run(spec, engine, image, started).await,
            None => Ok(AgentOutcome::failed_to_start(spec, "container agents need a Docker engine".into())),
        },
        (None, Some(argv)) if spec.adapter.is_some() => super::streamed::run(spec, argv, started).await,
        (None, Some(argv)) => process::run(spec, argv, started).await,
        (None, None) => {
            Ok(AgentOutcome::failed_to_start(spec, "the profile has neither command nor image".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_planted_as_a_link_is_refused_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("elsewhere");
        std::fs::write(&target, "untouched").unwrap();
        let log = tmp.path().join("agent.log");
        std::os::unix::fs::symlink(&target, &log).unwrap();
        let spec = AgentRun {
            agent_id: "a".into(),
            command: None,
            image: None,
            workdir: tmp.path().to_path_buf(),
            env: Vec::new(),
            timeout: Duration::from_secs(1),
            log: log.clone(),
            memory: None,
            cpus: None,
            user: (0, 0),
            pids: None,
            project: "p".into(),
            repository: None,
            token: None,
            adapter: None,
        };
        assert!(AgentOutcome::open_log(&spec).is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "untouched");
        std::fs::remove_file(&log).unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        let file = AgentOutcome::open_log(&spec).unwrap();
        assert_eq!(file.metadata().unwrap().permissions().mode() & 0o777, 0o600);
    }
}
