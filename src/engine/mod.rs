//! The Docker engine, through its API (bollard): reaching it, and reading the state of stacks.
//!
//! cfn finds a stack's containers by the labels compose puts on them
//! (`com.docker.compose.project`, `com.docker.compose.service`), never by name: compose v1 and
//! v2 name containers differently. The engine here speaks API 1.41 while bollard defaults to a
//! newer one, so the version is negotiated on connect.

mod containers;
mod diagnose;
mod published;
mod teardown;

pub use containers::{ContainerInfo, Health, RunState};
pub use diagnose::{last_health_output, last_log_lines};
pub use published::PublishedPort;
pub use teardown::{Teardown, DATA_HELPER_LABEL};

use crate::error::UserError;
use anyhow::Result;
use bollard::Docker;

pub const PROJECT_LABEL: &str = "com.docker.compose.project";
pub const SERVICE_LABEL: &str = "com.docker.compose.service";
pub const ONEOFF_LABEL: &str = "com.docker.compose.oneoff";

/// A connection to the Docker engine.
#[derive(Clone)]
pub struct Engine {
    pub docker: Docker,
}

impl Engine {
    /// Connects (honouring `DOCKER_HOST`), negotiates the API version and checks the engine
    /// answers; an unreachable engine is one clear line with a hint.
    pub async fn connect() -> Result<Engine> {
        let host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
        let unreachable = |detail: String| -> anyhow::Error {
            UserError::new(format!("cannot reach the Docker engine at {host}: {detail}"))
                .kind(crate::error::Kind::Unavailable)
                .hint("start the engine (`sudo systemctl start docker`, or `dockerd &` as root) or set DOCKER_HOST")
                .into()
        };
        let docker = Docker::connect_with_defaults().map_err(|e| unreachable(e.to_string()))?;
        let docker = tokio::time::timeout(std::time::Duration::from_secs(10), docker.negotiate_version())
            .await
            .map_err(|_| unreachable("no answer within 10 s".into()))?
            .map_err(|e| unreachable(short(&e)))?;
        docker.ping().await.map_err(|e| unreachable(short(&e)))?;
        Ok(Engine { docker })
    }
}

/// The first line of an engine error, without bollard's nested wrapping.
fn short(e: &bollard::errors::Error) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or(&text).to_string()
}
