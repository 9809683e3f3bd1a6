//! What the machine still knows about a repository's worktrees when the registry does not: the
//! rendered `.cfn/env` in each checkout (project, slot, a port per key) and the engine's
//! containers (labels naming the repository, branch and slot; the host ports they publish).

use crate::branch::files::{CFN_DIR, ENV_FILE};
use crate::compose::dotenv;
use crate::config::{Config, PortKeyConfig};
use crate::engine::{Engine, ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL};
use crate::protocol::Protocol;
use anyhow::Result;
use bollard::models::ContainerSummaryStateEnum;
use bollard::query_parameters::ListContainersOptionsBuilder;
use indexmap::IndexMap;
use std::collections::HashMap;
use std::path::Path;

/// The labels cfn's compose override puts on every service.
const CFN_PROJECT_LABEL: &str = "dev.cfn.project";
const CFN_BRANCH_LABEL: &str = "dev.cfn.branch";
const CFN_SLOT_LABEL: &str = "dev.cfn.slot";

/// What one checkout's `.cfn/env` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    pub project: String,
    pub branch: String,
    pub slot: Option<u32>,
    /// Port by configured key, for the keys the file names.
    pub ports: IndexMap<String, u16>,
    /// The remote engine the stack ran on (`CFN_ENGINE`), if any.
    pub engine: Option<String>,
}

impl EnvFile {
    /// Why a worktree that ran on a remote engine is not registered again: which engine a stack
    /// may run on is approved, or the user's `--engine`, and a worktree's own files cannot vouch
    /// for one (the approvals went with the lost registry).
    pub fn remote_engine(&self) -> Option<String> {
        let engine = crate::names::printable(self.engine.as_deref()?);
        Some(format!("it ran on engine {engine}; add it again with --engine"))
    }
}

/// Reads `<checkout>/.cfn/env`; `None` when there is none or it names no compose project.
pub fn env_file(checkout: &Path, config: &Config) -> Option<EnvFile> {
    let text = std::fs::read_to_string(checkout.join(CFN_DIR).join(ENV_FILE)).ok()?;
    let vars = dotenv::parse_literal(&text);
    let project = vars.get("COMPOSE_PROJECT_NAME").filter(|p| !p.is_empty())?.clone();
    let ports = config
        .ports
        .keys
        .keys()
        .filter_map(|key| {
            let port = vars.get(&crate::names::port_env_name(key))?.parse().ok()?;
            Some((key.clone(), port))
        })
        .collect();
    Some(EnvFile {
        project,
        branch: vars.get("WORKTREE_BRANCH").cloned().unwrap_or_default(),
        slot: vars.get("CFN_SLOT").and_then(|s| s.parse().ok()),
        ports,
        engine: vars.get("CFN_ENGINE").filter(|e| !e.is_empty()).cloned(),
    })
}

/// One compose project of the repository as the engine shows it.
#[derive(Debug, Clone, Default)]
pub struct Stack {
    pub project: String,
    pub branch: Option<String>,
    pub slot: Option<u32>,
    /// Port by configured key, from what its running containers publish.
    pub ports: IndexMap<String, u16>,
}

/// The compose projects whose containers carry the repository label `repo_project`, in one
/// engine query. An unreachable engine is the error.
pub fn stacks(repo_project: &str, config: &Config) -> Result<Vec<Stack>> {
    crate::runtime::wait(async {
        let engine = Engine::connect().await?;
        let filters = HashMap::from([("label", vec![format!("{CFN_PROJECT_LABEL}={repo_project}")])]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        let list = engine.docker.list_containers(Some(options)).await?;
        let mut stacks: IndexMap<String, Stack> = IndexMap::new();
        for c in list {
            let labels = c.labels.unwrap_or_default();
            if labels.get(ONEOFF_LABEL).is_some_and(|v| v.eq_ignore_ascii_case("true")) {
                continue;
            }
            let Some(project) = labels.get(PROJECT_LABEL) else { continue };
            let stack = stacks
                .entry(project.clone())
                .or_insert_with(|| Stack { project: project.clone(), ..Stack::default() });
            stack.branch = stack.branch.take().or_else(|| labels.get(CFN_BRANCH_LABEL).cloned());
            stack.slot = stack.slot.or_else(|| labels.get(CFN_SLOT_LABEL).and_then(|s| s.parse().ok()));
            // A stopped container publishes nothing: only a running one holds its ports.
            if c.state != Some(ContainerSummaryStateEnum::RUNNING) {
                continue;
            }
            let service = labels.get(SERVICE_LABEL).map(String::as_str).unwrap_or_default();
            for p in c.ports.unwrap_or_default() {
                let Some(public) = p.public_port else { continue };
                let protocol = Protocol::of_engine(p.typ);
                if let Some(key) = key_of(config, service, p.private_port, protocol) {
                    stack.ports.insert(key.to_string(), public);
                }
            }
        }
        Ok(stacks.into_values().collect())
    })?
}

/// The configured key publishing container port `target`/`protocol` of `service`.
fn key_of<'a>(config: &'a Config, service: &str, target: u16, protocol: Protocol) -> Option<&'a str> {
    let matches = |k: &PortKeyConfig| k.service == service && k.target == target && k.protocol == protocol;
    config.ports.keys.iter().find(|(_, k)| matches(k)).map(|(key, _)| key.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_env_template_writes() {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(
            "[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 6379\n\n\
             [ports.keys.web_443-udp]\nservice = \"web\"\ntarget = 443\nprotocol = \"udp\"\nbase = 8443\n",
            Path::new("cfn.toml"),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join(".cfn")).unwrap();
        std::fs::write(
            dir.path().join(".cfn/env"),
            "COMPOSE_PROJECT_NAME=shop-feat\nWORKTREE_BRANCH='feat/it'\nCFN_SLOT=3\n\
             CFN_REDIS_PORT=6382\nCFN_WEB_443_UDP_PORT=8446\nCFN_OTHER_PORT=1\n",
        )
        .unwrap();
        let env = env_file(dir.path(), &config).unwrap();
        assert_eq!((env.project.as_str(), env.branch.as_str(), env.slot), ("shop-feat", "feat/it", Some(3)));
        let ports: Vec<(&str, u16)> = env.ports.iter().map(|(k, p)| (k.as_str(), *p)).collect();
        assert_eq!(ports, [("redis", 6382), ("web_443-udp", 8446)]);
        assert_eq!(key_of(&config, "web", 443, Protocol::Udp), Some("web_443-udp"));
        assert_eq!(key_of(&config, "web", 443, Protocol::Tcp), None);
        std::fs::remove_file(dir.path().join(".cfn/env")).unwrap();
        assert_eq!(env_file(dir.path(), &config), None);
    }
}
