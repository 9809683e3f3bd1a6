//! The Docker engine, through its API (bollard): reaching it, and reading the state of stacks.
//!
//! cfn finds a stack's containers by the labels compose puts on them
//! (`com.docker.compose.project`, `com.docker.compose.service`), never by name: compose v1 and
//! v2 name containers differently. The engine here speaks API 1.41 while bollard defaults to a
//! newer one, so the version is negotiated on connect.

mod containers;
mod diagnose;
mod port_claims;
mod published;
mod ssh_bridge;
mod target;
mod teardown;

pub use containers::{ContainerInfo, Health, RunState};
pub use diagnose::{last_health_output, last_log_lines};
pub use port_claims::{PortClaim, ProjectClaim, MAIN_CHECKOUT_OPERATION};
pub use published::PublishedPort;
pub use target::{docker_command, EngineSpec, Target, TlsFolder};
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
    /// The local socket an `ssh://` engine is reached through, for as long as a clone lives.
    _bridge: Option<std::sync::Arc<ssh_bridge::SshBridge>>,
}

/// Seconds a request to a remote engine may take: an engine that accepts and then stalls must
/// not hold a command for bollard's default 2 minutes.
const REQUEST_TIMEOUT: u64 = 30;

impl Engine {
    /// Connects to the local engine (honouring `DOCKER_HOST`), negotiates the API version and
    /// checks the engine answers; an unreachable engine is one clear line with a hint.
    pub async fn connect() -> Result<Engine> {
        Engine::connect_to(&Target::local()).await
    }

    /// Connects to the engine a branch names (`None`: the local engine).
    pub async fn connect_named(spec: Option<&str>) -> Result<Engine> {
        Engine::connect_to(&Target::resolve(spec)?).await
    }

    /// Connects to the engine `target` (a branch's), like [`Engine::connect`].
    pub async fn connect_to(target: &Target) -> Result<Engine> {
        let host = match &target.host {
            Some(host) => host.clone(),
            None => std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into()),
        };
        let hint = if target.is_local() {
            "start the engine (`sudo systemctl start docker`, or `dockerd &` as root) or set DOCKER_HOST"
        } else {
            "check that the engine host is up and reachable from here (`cfn doctor`, docs/remote.md)"
        };
        let host = crate::names::printable(&host);
        let unreachable = |detail: String| -> anyhow::Error {
            // An engine that speaks only TLS answers a plain request with this 400.
            let hint = if detail.contains("HTTP request to an HTTPS server") {
                "the engine wants TLS: set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem), or use a docker context with its certificates"
            } else {
                hint
            };
            UserError::new(format!("cannot reach the Docker engine at {host}: {detail}"))
                .kind(crate::error::Kind::Unavailable)
                .hint(hint)
                .into()
        };
        if let Some(TlsFolder(dir)) = &target.tls {
            for file in ["ca.pem", "cert.pem", "key.pem"] {
                if !dir.join(file).is_file() {
                    return Err(unreachable(format!("the TLS folder {} has no {file}", dir.display())));
                }
            }
        }
        let bridge = match target.ssh() {
            Some(destination) => Some(std::sync::Arc::new(
                ssh_bridge::SshBridge::open(&destination).map_err(|e| unreachable(format!("{e:#}")))?,
            )),
            None => None,
        };
        let docker = match (&target.host, &target.tls) {
            (None, _) => Docker::connect_with_defaults(),
            (Some(_), _) if bridge.is_some() => {
                let socket =
                    bridge.as_ref().map(|b| b.socket().to_string_lossy().into_owned()).unwrap_or_default();
                Docker::connect_with_unix(&socket, REQUEST_TIMEOUT, bollard::API_DEFAULT_VERSION)
            }
            (Some(h), Some(TlsFolder(dir))) => Docker::connect_with_ssl(
                h,
                &dir.join("key.pem"),
                &dir.join("cert.pem"),
                &dir.join("ca.pem"),
                REQUEST_TIMEOUT,
                bollard::API_DEFAULT_VERSION,
            ),
            (Some(h), None) if h.starts_with("unix://") => {
                Docker::connect_with_unix(h, REQUEST_TIMEOUT, bollard::API_DEFAULT_VERSION)
            }
            (Some(h), None) => Docker::connect_with_http(h, REQUEST_TIMEOUT, bollard::API_DEFAULT_VERSION),
        }
        .map_err(|e| unreachable(e.to_string()))?;
        // An ssh that failed says why on its stderr: that, rather than the HTTP client's guess.
        let said = |detail: String| match bridge.as_ref().and_then(|b| b.last_error()) {
            Some(ssh) => format!("ssh: {ssh}"),
            None => detail,
        };
        let docker = tokio::time::timeout(std::time::Duration::from_secs(10), docker.negotiate_version())
            .await
            .map_err(|_| unreachable(said("no answer within 10 s".into())))?
            .map_err(|e| unreachable(said(short(&e))))?;
        tokio::time::timeout(std::time::Duration::from_secs(10), docker.ping())
            .await
            .map_err(|_| unreachable(said("no answer within 10 s".into())))?
            .map_err(|e| unreachable(said(short(&e))))?;
        Ok(Engine { docker, _bridge: bridge })
    }
}

/// The first line of an engine error, without bollard's nested wrapping, and the innermost
/// cause when there is one (a TLS or connection failure says its reason only there).
fn short(e: &bollard::errors::Error) -> String {
    let first = |text: String| text.lines().next().unwrap_or(&text).to_string();
    let mut line = first(e.to_string());
    let mut source = std::error::Error::source(e);
    let mut innermost = None;
    while let Some(cause) = source {
        innermost = Some(cause.to_string());
        source = cause.source();
    }
    if let Some(cause) = innermost.map(first).filter(|c| !line.contains(c.as_str())) {
        line = format!("{line}: {cause}");
    }
    line
}
