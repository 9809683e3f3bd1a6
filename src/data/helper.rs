//! Short-lived helper containers: an image already on the machine, the volumes mounted, one
//! fixed argument list run (never a shell string), then removed whatever happened.

use crate::engine::Engine;
use crate::error::UserError;
use anyhow::{Context as _, Result};
use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{RemoveContainerOptionsBuilder, WaitContainerOptions};
use futures_util::StreamExt as _;
use std::collections::HashMap;

/// Label on every helper container, so doctor can recognise one left by a killed cfn.
pub const HELPER_LABEL: &str = crate::engine::DATA_HELPER_LABEL;

/// A volume mount of a helper: engine volume name, path inside, read-only or not.
pub struct VolumeMount<'a> {
    pub volume: &'a str,
    pub at: &'a str,
    pub read_only: bool,
}

fn host_config(mounts: &[VolumeMount]) -> HostConfig {
    HostConfig {
        mounts: Some(
            mounts
                .iter()
                .map(|m| Mount {
                    target: Some(m.at.to_string()),
                    source: Some(m.volume.to_string()),
                    typ: Some(MountType::VOLUME),
                    read_only: Some(m.read_only),
                    ..Default::default()
                })
                .collect(),
        ),
        network_mode: Some("none".into()),
        ..Default::default()
    }
}

/// A helper's labels: that it is one, and the `CFN_HOME` of the cfn that made it, so that a
/// doctor judges only its own home's leftovers.
fn labels() -> HashMap<String, String> {
    let mut labels = HashMap::from([(HELPER_LABEL.to_string(), "1".to_string())]);
    if let Ok(home) = crate::state::home_dir() {
        labels.insert(super::swap::HOME_LABEL.to_string(), home.display().to_string());
    }
    labels
}

/// Creates (does not start) a helper container; its id.
pub async fn create(
    engine: &Engine,
    image: &str,
    mounts: &[VolumeMount<'_>],
    cmd: Option<&[&str]>,
) -> Result<String> {
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        entrypoint: cmd.map(|_| Vec::new()),
        cmd: cmd.map(|c| c.iter().map(|s| s.to_string()).collect()),
        user: Some("0:0".into()),
        labels: Some(labels()),
        host_config: Some(host_config(mounts)),
        ..Default::default()
    };
    let created = engine
        .docker
        .create_container(None::<bollard::query_parameters::CreateContainerOptions>, body)
        .await
        .with_context(|| format!("cannot create a helper container from image {image}"))?;
    Ok(created.id)
}

/// Removes a helper container, running or not.
pub async fn remove(engine: &Engine, id: &str) {
    let rm = RemoveContainerOptionsBuilder::default().force(true).build();
    let _ = engine.docker.remove_container(id, Some(rm)).await;
}

/// Runs `cmd` in a helper with `mounts` and waits for it; a non-zero exit is an error naming
/// the command. The container is removed in every case.
pub async fn run(engine: &Engine, image: &str, mounts: &[VolumeMount<'_>], cmd: &[&str]) -> Result<()> {
    let id = create(engine, image, mounts, Some(cmd)).await?;
    let result = run_created(engine, &id).await;
    remove(engine, &id).await;
    match result? {
        0 => Ok(()),
        code => Err(UserError::new(format!("`{}` failed in a helper container (exit {code})", cmd.join(" ")))
            .hint("the helper image needs `cp`, `find` and `rm`; set [data] helper_image in cfn.toml to one that has them")
            .into()),
    }
}

/// Runs `cmd` in a helper and returns its exit code and stdout (for `du` and `df`).
pub async fn output(
    engine: &Engine,
    image: &str,
    mounts: &[VolumeMount<'_>],
    cmd: &[&str],
) -> Result<(i64, String)> {
    use bollard::container::LogOutput;
    let id = create(engine, image, mounts, Some(cmd)).await?;
    let result = async {
        let code = run_created(engine, &id).await?;
        let options = bollard::query_parameters::LogsOptionsBuilder::default().stdout(true).build();
        let mut stream = engine.docker.logs(&id, Some(options));
        let mut text = String::new();
        while let Some(chunk) = stream.next().await {
            if let LogOutput::StdOut { message } = chunk? {
                text.push_str(&String::from_utf8_lossy(&message));
            }
        }
        Ok::<_, anyhow::Error>((code, text))
    }
    .await;
    remove(engine, &id).await;
    result
}

async fn run_created(engine: &Engine, id: &str) -> Result<i64> {
    engine.docker.start_container(id, None::<bollard::query_parameters::StartContainerOptions>).await?;
    let mut wait = engine.docker.wait_container(id, None::<WaitContainerOptions>);
    match wait.next().await {
        Some(Ok(r)) => Ok(r.status_code),
        // bollard reports a non-zero exit as an error carrying the code
        Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => Ok(code),
        Some(Err(e)) => Err(e.into()),
        None => Ok(-1),
    }
}

/// Whether the engine has `image` locally (nothing is ever pulled).
pub async fn image_present(engine: &Engine, image: &str) -> bool {
    engine.docker.inspect_image(image).await.is_ok()
}
