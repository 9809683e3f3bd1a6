//! A container agent, through the engine API: the profile's image on the stack's network (so
//! Redis is reached by service name), the worktree mounted at `/workspace`, labelled with the
//! task and agent, killed at its deadline, always removed.
//!
//! The container is hardened, because what runs in it is model-written: it runs as the caller's
//! uid:gid (so nothing it writes into the worktree is owned by root, and no setuid-root file can
//! appear there), with every capability dropped, `no-new-privileges`, a process limit and a
//! memory limit (the profile's or the defaults), and the worktree's `.git` mounted read-only over
//! the writable worktree: hooks and the repository's configuration, which run on the host, are
//! out of its reach. In a linked worktree `.git` is a file naming the main repository's git
//! folder by a host path that is not mounted, so the repository itself is not reachable at all.
//! It gets only its allowlisted environment (no host `PATH` or `HOME`).

use super::run::{AgentOutcome, AgentRun, Started};
use crate::config::agents::{DEFAULT_MEMORY, DEFAULT_PIDS};
use crate::engine::Engine;
use anyhow::Result;
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{CreateContainerOptionsBuilder, RemoveContainerOptionsBuilder};
use futures_util::StreamExt as _;
use std::collections::HashMap;
use std::io::Write as _;
use std::time::Instant;

pub async fn run(
    spec: &AgentRun,
    engine: &Engine,
    image: &str,
    on_start: &dyn Fn(Started),
) -> Result<AgentOutcome> {
    let name = format!(
        "{}-agent-{}-{}",
        spec.project,
        crate::names::slug(&spec.agent_id),
        crate::names::short_hash(&format!("{}-{:?}", std::process::id(), Instant::now()))
    );
    let mut labels = HashMap::from([
        ("dev.cfn.agent".to_string(), spec.agent_id.clone()),
        ("dev.cfn.project".to_string(), spec.project.clone()),
    ]);
    if let Some(repository) = &spec.repository {
        labels.insert("dev.cfn.repository".to_string(), repository.clone());
    }
    let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let memory = spec.memory.as_deref().unwrap_or(DEFAULT_MEMORY);
    let memory = match crate::bus::limits::parse_size(memory).and_then(|m| i64::try_from(m).ok()) {
        Some(m) if m > 0 => m,
        _ => return Ok(AgentOutcome::failed_to_start(spec, format!("not a memory size: {memory:?}"))),
    };
    let (uid, gid) = spec.user;
    let host = HostConfig {
        mounts: Some(mounts(spec)),
        network_mode: Some(format!("{}_default", spec.project)),
        memory: Some(memory),
        nano_cpus: spec.cpus.map(|c| (c * 1e9) as i64),
        pids_limit: Some(spec.pids.unwrap_or(DEFAULT_PIDS)),
        cap_drop: Some(vec!["ALL".into()]),
        security_opt: Some(vec!["no-new-privileges".into()]),
        ..Default::default()
    };
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: spec.command.clone(),
        env: Some(env),
        labels: Some(labels),
        user: Some(format!("{uid}:{gid}")),
        working_dir: Some("/workspace".into()),
        host_config: Some(host),
        ..Default::default()
    };
    let options = CreateContainerOptionsBuilder::default().name(&name).build();
    let created = match engine.docker.create_container(Some(options), body).await {
        Ok(c) => c,
        Err(e) => return Ok(AgentOutcome::failed_to_start(spec, e.to_string())),
    };
    on_start(Started::Container { id: created.id.clone() });
    let started = Instant::now();
    let outcome = async {
        engine.docker.start_container(&created.id, None).await?;
        let mut wait = engine.docker.wait_container(&created.id, None);
        Ok::<_, bollard::errors::Error>(tokio::time::timeout(spec.timeout, wait.next()).await)
    }
    .await;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    let logs = crate::engine::last_log_lines(engine, &created.id, 200).await.unwrap_or_default();
    if let Ok(mut log) = AgentOutcome::open_log(spec) {
        let _ = log.write_all(logs.join("\n").as_bytes());
    }
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

/// The worktree, writable, at `/workspace`; its `.git` (folder or file) read-only over it.
fn mounts(spec: &AgentRun) -> Vec<Mount> {
    let bind = |source: &std::path::Path, target: &str, read_only: bool| Mount {
        source: Some(source.to_string_lossy().into_owned()),
        target: Some(target.to_string()),
        typ: Some(MountType::BIND),
        read_only: Some(read_only),
        ..Default::default()
    };
    let mut mounts = vec![bind(&spec.workdir, "/workspace", false)];
    let git = spec.workdir.join(".git");
    if git.symlink_metadata().is_ok() {
        mounts.push(bind(&git, "/workspace/.git", true));
    }
    mounts
}
