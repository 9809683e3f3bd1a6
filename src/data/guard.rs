//! Never copying a volume while its service writes to it: the target's stack must be stopped;
//! the source's containers that mount a volume are refused while running, or stopped for the
//! copy and started again afterwards when asked (`--stop-source`).

use crate::engine::{Engine, RunState};
use crate::error::UserError;
use anyhow::Result;
use bollard::query_parameters::{ListContainersOptionsBuilder, StopContainerOptionsBuilder};
use std::collections::HashMap;

/// Refuses a data operation on a branch whose stack runs on a remote engine: copies go through
/// this machine's files (snapshots, SQLite, the direct volume copy), which are not that host's.
pub fn local_engine_only(branch: &crate::branch::BranchEnv, what: &str) -> Result<()> {
    match branch.engine.as_deref() {
        None => Ok(()),
        Some(engine) => Err(UserError::new(format!(
            "{what} is not available for {}: its stack runs on the engine {}",
            crate::names::printable(&branch.branch),
            crate::names::printable(engine)
        ))
        .hint("copy its volumes on that engine with docker there; branch data on remote engines is not built yet (docs/remote.md)")
        .into()),
    }
}

/// Refuses when any container of `project` runs, but those of the `servers` services (the
/// PostgreSQL servers whose database is copied with SQL, which must run).
pub async fn target_stopped(engine: &Engine, project: &str, branch: &str, servers: &[String]) -> Result<()> {
    let running = engine
        .containers(&[project])
        .await?
        .into_iter()
        .any(|c| c.state == RunState::Running && !servers.contains(&c.service));
    if running {
        let hint = match servers.first() {
            None => format!("stop it first: `cfn down -b {branch}` (volumes are kept)"),
            Some(db) => format!(
                "stop it first: `cfn down -b {branch}` (volumes are kept), then start only its database: `cfn up -b {branch} {db}`"
            ),
        };
        return Err(UserError::new(format!("the stack of {branch} is running; its data cannot be replaced"))
            .hint(hint)
            .into());
    }
    Ok(())
}

/// Running containers that mount `volume`: (id, name).
pub async fn users_of(engine: &Engine, volume: &str) -> Result<Vec<(String, String)>> {
    let filters =
        HashMap::from([("volume", vec![volume.to_string()]), ("status", vec!["running".to_string()])]);
    let list = engine
        .docker
        .list_containers(Some(ListContainersOptionsBuilder::default().filters(&filters).build()))
        .await?;
    Ok(list
        .into_iter()
        .filter(|c| !c.labels.as_ref().is_some_and(|l| l.contains_key(super::helper::HELPER_LABEL)))
        .map(|c| {
            let name = c
                .names
                .and_then(|n| n.first().cloned())
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string();
            (c.id.unwrap_or_default(), name)
        })
        .collect())
}

/// Source containers stopped for a copy; [`Paused::resume`] starts them again.
#[derive(Default)]
pub struct Paused {
    ids: Vec<String>,
    /// The journal entry naming them ([`super::paused`]), until they run again.
    journal: Option<std::path::PathBuf>,
}

/// Checks that nothing writes to `volumes` of `branch`; with `stop`, stops what does.
pub async fn quiet_source(engine: &Engine, volumes: &[&str], branch: &str, stop: bool) -> Result<Paused> {
    let mut users = Vec::new();
    for v in volumes {
        for u in users_of(engine, v).await? {
            if !users.contains(&u) {
                users.push(u);
            }
        }
    }
    if users.is_empty() {
        return Ok(Paused::default());
    }
    if !stop {
        let names: Vec<&str> = users.iter().map(|(_, n)| n.as_str()).collect();
        return Err(UserError::new(format!(
            "{} of {branch} is running and writes to its data",
            names.join(", ")
        ))
        .hint(format!(
            "pass --stop-source to stop it for the copy (started again after), or `cfn down -b {branch}`"
        ))
        .into());
    }
    // written before the first stop: a copy killed from here on leaves the names to start again
    let home = crate::state::home_dir()?;
    let entry = super::paused::PausedEntry {
        pid: std::process::id(),
        branch: branch.to_string(),
        containers: users.clone(),
    };
    let mut paused = Paused { ids: Vec::new(), journal: Some(super::paused::record(&home, &entry)?) };
    for (id, _) in users {
        let opts = StopContainerOptionsBuilder::default().t(30).build();
        engine.docker.stop_container(&id, Some(opts)).await?;
        paused.ids.push(id);
    }
    Ok(paused)
}

impl Paused {
    /// Starts the stopped containers again and waits (up to a minute) until each is ready —
    /// running and healthy when it has a health check — so the source serves again when the
    /// command returns.
    pub async fn resume(self, engine: &Engine) -> Result<()> {
        for id in &self.ids {
            engine
                .docker
                .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
                .await?;
        }
        if let Some(journal) = &self.journal {
            super::paused::forget(journal);
        }
        let deadline = std::time::Instant::now() + RESUME_TIMEOUT;
        loop {
            let mut waiting = Vec::new();
            for id in &self.ids {
                if let Some(name) = not_ready(engine, id).await? {
                    waiting.push(name);
                }
            }
            if waiting.is_empty() {
                return Ok(());
            }
            if std::time::Instant::now() >= deadline {
                return Err(UserError::new(format!(
                    "{} started again but is not ready after {}s",
                    waiting.join(", "),
                    RESUME_TIMEOUT.as_secs()
                ))
                .hint("see `cfn logs` and `cfn status` of the source branch")
                .into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
    }
}

const RESUME_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// The container's name while it is neither running-and-healthy nor running without a check.
async fn not_ready(engine: &Engine, id: &str) -> Result<Option<String>> {
    use bollard::models::HealthStatusEnum;
    let c = engine.docker.inspect_container(id, None).await?;
    let state = c.state.unwrap_or_default();
    let health = state.health.and_then(|h| h.status);
    let ready = state.running == Some(true)
        && matches!(
            health,
            None | Some(HealthStatusEnum::HEALTHY | HealthStatusEnum::NONE | HealthStatusEnum::EMPTY)
        );
    Ok((!ready).then(|| c.name.unwrap_or_default().trim_start_matches('/').to_string()))
}
