//! A container agent, through the engine API: the profile's image on the stack's network (so
//! Redis is reached by service name), the worktree mounted at `/workspace`, memory and CPU
//! limits applied, labelled with the task and agent, killed at its deadline, always removed.

use super::run::{AgentOutcome, AgentRun};
use crate::engine::Engine;
use anyhow::Result;
use bollard::models::{ContainerCreateBody, HostConfig};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder};
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::time::Instant;

pub async fn run(spec: &AgentRun, engine: &Engine, image: &str) -> Result<AgentOutcome> {
    let name =
        format!("{}-agent-{}-{}", spec.project, crate::names::slug(&spec.agent_id), std::process::id());
    let labels = HashMap::from([
        ("dev.cfn.agent".to_string(), spec.agent_id.clone()),
        ("dev.cfn.project".to_string(), spec.project.clone()),
    ]);
    let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let memory = match spec.memory.as_deref().map(parse_bytes).transpose() {
        Ok(m) => m,
        Err(e) => return Ok(AgentOutcome::failed_to_start(spec, e)),
    };
    let host = HostConfig {
        binds: Some(vec![format!("{}:/workspace", spec.workdir.display())]),
        network_mode: Some(format!("{}_default", spec.project)),
        memory,
        nano_cpus: spec.cpus.map(|c| (c * 1e9) as i64),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: spec.command.clone(),
        env: Some(env),
        labels: Some(labels),
        working_dir: Some("/workspace".into()),
        host_config: Some(host),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = match engine.docker.create_container(Some(options), body).await {
        Ok(c) => c,
        Err(e) => return Ok(AgentOutcome::failed_to_start(spec, e.to_string())),
    };
    let started = Instant::now();
    let outcome = async {
        engine.docker.start_container(&created.id, None).await?;
        let mut wait = engine.docker.wait_container(&created.id, None);
        Ok::<_, bollard::errors::Error>(tokio::time::timeout(spec.timeout, wait.next()).await)
    }
    .await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let logs = crate::engine::last_log_lines(engine, &created.id, 200).await.unwrap_or_default();
    let _ = std::fs::write(&spec.log, logs.join("\n"));
    let remove = RemoveContainerOptionsBuilder::default().force(true).build();
    let _ = engine.docker.remove_container(&created.id, Some(remove)).await;
    Ok(match outcome {
        Err(e) => AgentOutcome::failed_to_start(spec, e.to_string()),
        Ok(Err(_)) => AgentOutcome::timed_out(spec, elapsed_ms),
        Ok(Ok(Some(Ok(r)))) => AgentOutcome::exited_with(spec, r.status_code, elapsed_ms),
        // A non-zero exit arrives as an error carrying the code.
        Ok(Ok(Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })))) => {
            AgentOutcome::exited_with(spec, code, elapsed_ms)
        }
        Ok(Ok(other)) => AgentOutcome::failed_to_start(spec, format!("lost the container: {other:?}")),
    })
}

/// `512m`, `2g`, `1048576` → bytes.
fn parse_bytes(text: &str) -> Result<i64, String> {
    let t = text.trim().to_ascii_lowercase();
    let (num, mult) = match t.chars().last() {
        Some('k') => (&t[..t.len() - 1], 1 << 10),
        Some('m') => (&t[..t.len() - 1], 1 << 20),
        Some('g') => (&t[..t.len() - 1], 1 << 30),
        _ => (t.as_str(), 1),
    };
    num.parse::<f64>().map(|n| (n * mult as f64) as i64).map_err(|_| format!("not a memory size: {text:?}"))
}
