//! Containers of compose projects, listed in one engine query and read into plain types.

use super::{Engine, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL};
use anyhow::Result;
use bollard::models::{ContainerSummary, ContainerSummaryStateEnum};
use bollard::query_parameters::ListContainersOptionsBuilder;
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RunState {
    Created,
    Running,
    Restarting,
    Paused,
    Exited,
    Dead,
    Other,
}

/// Health as the engine reports it; `None` for a container without a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    None,
    Starting,
    Healthy,
    Unhealthy,
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ContainerInfo {
    pub id: String,
    pub name: String,
    pub project: String,
    pub service: String,
    pub state: RunState,
    pub health: Health,
    /// For an exited container, its exit code.
    pub exit_code: Option<i64>,
    /// The engine's own summary, e.g. `Up 3 seconds (healthy)`.
    pub status: String,
}

impl Engine {
    /// Every non-one-off container of the given compose projects, in ONE engine query (the
    /// label filter selects compose containers; the projects are matched here).
    pub async fn containers(&self, projects: &[&str]) -> Result<Vec<ContainerInfo>> {
        let filters: HashMap<&str, Vec<String>> = if projects.len() == 1 {
            HashMap::from([("label", vec![format!("{PROJECT_LABEL}={}", projects[0])])])
        } else {
            HashMap::from([("label", vec![PROJECT_LABEL.to_string()])])
        };
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = self.docker.list_containers(Some(options)).await?;
        let mut infos: Vec<ContainerInfo> =
            list.into_iter().filter_map(info).filter(|c| projects.contains(&c.project.as_str())).collect();
        infos.sort_by(|a, b| (&a.project, &a.service, &a.name).cmp(&(&b.project, &b.service, &b.name)));
        Ok(infos)
    }
}

fn info(c: ContainerSummary) -> Option<ContainerInfo> {
    let labels = c.labels.unwrap_or_default();
    if labels.get(ONEOFF_LABEL).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return None;
    }
    let status = c.status.unwrap_or_default();
    let state = match c.state {
        Some(ContainerSummaryStateEnum::CREATED) => RunState::Created,
        Some(ContainerSummaryStateEnum::RUNNING) => RunState::Running,
        Some(ContainerSummaryStateEnum::RESTARTING) => RunState::Restarting,
        Some(ContainerSummaryStateEnum::PAUSED) => RunState::Paused,
        Some(ContainerSummaryStateEnum::EXITED) => RunState::Exited,
        Some(ContainerSummaryStateEnum::DEAD) => RunState::Dead,
        _ => RunState::Other,
    };
    Some(ContainerInfo {
        id: c.id.unwrap_or_default(),
        name: c
            .names
            .and_then(|n| n.first().cloned())
            .unwrap_or_default()
            .trim_start_matches('/')
            .to_string(),
        project: labels.get(PROJECT_LABEL)?.clone(),
        service: labels.get(SERVICE_LABEL).cloned().unwrap_or_default(),
        state,
        health: health_from_status(&status),
        exit_code: (state == RunState::Exited).then(|| exit_code_from_status(&status)).flatten(),
        status,
    })
}

/// Before API 1.52 the list has no health field, but the status text carries it:
/// `Up 5 seconds (healthy)`, `Up 2 seconds (health: starting)`, `Up 1 minute (unhealthy)`.
fn health_from_status(status: &str) -> Health {
    if status.contains("(healthy)") {
        Health::Healthy
    } else if status.contains("(unhealthy)") {
        Health::Unhealthy
    } else if status.contains("(health: starting)") {
        Health::Starting
    } else {
        Health::None
    }
}

/// `Exited (1) 3 seconds ago` → 1.
fn exit_code_from_status(status: &str) -> Option<i64> {
    let start = status.find("Exited (")? + "Exited (".len();
    let end = status[start..].find(')')? + start;
    status[start..end].parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_status_text() {
        assert_eq!(health_from_status("Up 5 seconds (healthy)"), Health::Healthy);
        assert_eq!(health_from_status("Up 2 seconds (health: starting)"), Health::Starting);
        assert_eq!(health_from_status("Up 1 minute (unhealthy)"), Health::Unhealthy);
        assert_eq!(health_from_status("Up 1 minute"), Health::None);
        assert_eq!(exit_code_from_status("Exited (137) 3 seconds ago"), Some(137));
        assert_eq!(exit_code_from_status("Exited (0) About a minute ago"), Some(0));
    }
}
