//! Waiting until every service of a stack is ready, through the engine API.
//!
//! Ready means running and healthy (or running without a health check), or — for a one-shot
//! job such as a migration — exited with status 0. An exit with any other status fails the wait
//! at once; anything else is waited for until the deadline. This behaves the same with compose
//! v1, which has no `up --wait`, and v2, whose `--wait` fails on one-shot jobs that exit 0.
//! The loop wakes on the engine's container events for the project, with a short tick as a
//! backstop, so a state change is seen as soon as the engine reports it.

use crate::engine::{ContainerInfo, Engine, Health, RunState, PROJECT_LABEL};
use anyhow::Result;
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Where a container stands relative to "ready".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    Waiting,
    Failed,
}

pub fn readiness(c: &ContainerInfo) -> Readiness {
    match (c.state, c.health) {
        (RunState::Running, Health::None | Health::Healthy) => Readiness::Ready,
        (RunState::Exited, _) if c.exit_code == Some(0) => Readiness::Ready,
        (RunState::Exited | RunState::Dead, _) => Readiness::Failed,
        _ => Readiness::Waiting,
    }
}

#[derive(Debug)]
pub enum WaitOutcome {
    Ready(Vec<ContainerInfo>),
    /// A service failed: the failing containers.
    Failed(Vec<ContainerInfo>),
    /// The deadline passed: the containers still not ready.
    TimedOut(Vec<ContainerInfo>),
}

/// Who watches a wait: the command line draws progress lines, other callers may ignore it.
pub trait Watch {
    /// The containers' states so far, `elapsed` after the wait began.
    fn update(&mut self, containers: &[ContainerInfo], elapsed: Duration);
    /// The wait is over; what was shown may stay.
    fn finish(&mut self) {}
    /// One line of what a failed or late service last said (health output, log lines).
    fn detail(&mut self, _line: &str) {}
}

const TICK: Duration = Duration::from_millis(500);

/// Waits for the containers of `project` (only `services`, when not empty).
pub async fn wait_ready(
    engine: &Engine,
    project: &str,
    services: &[String],
    timeout: Duration,
    progress: &mut dyn Watch,
) -> Result<WaitOutcome> {
    let start = Instant::now();
    let deadline = start + timeout;
    let filters = HashMap::from([
        ("type", vec!["container".to_string()]),
        ("label", vec![format!("{PROJECT_LABEL}={project}")]),
    ]);
    let mut events = engine.docker.events(Some(EventsOptionsBuilder::default().filters(&filters).build()));
    loop {
        let containers: Vec<ContainerInfo> = engine
            .containers(&[project])
            .await?
            .into_iter()
            .filter(|c| services.is_empty() || services.contains(&c.service))
            .collect();
        progress.update(&containers, start.elapsed());
        let failed: Vec<_> =
            containers.iter().filter(|c| readiness(c) == Readiness::Failed).cloned().collect();
        if !failed.is_empty() {
            progress.finish();
            return Ok(WaitOutcome::Failed(failed));
        }
        let waiting: Vec<_> =
            containers.iter().filter(|c| readiness(c) == Readiness::Waiting).cloned().collect();
        if waiting.is_empty() {
            progress.finish();
            return Ok(WaitOutcome::Ready(containers));
        }
        let now = Instant::now();
        if now >= deadline {
            progress.finish();
            return Ok(WaitOutcome::TimedOut(waiting));
        }
        let nap = TICK.min(deadline - now);
        tokio::select! {
            _ = events.next() => {}
            _ = tokio::time::sleep(nap) => {}
        }
    }
}
