//! `cfn.toml`: the project's committed configuration, parsed once into checked types.
//!
//! Unknown keys are errors (a typo must not be silently ignored). Precedence, where a value can
//! come from several places: command-line flag > `CFN_*` environment variable > `cfn.toml` >
//! built-in default. docs/configuration.md describes every key.

pub mod agents;
pub mod data;
pub mod engine;
mod migrations;
mod ports;
pub mod proxy;
pub mod skills;

pub use migrations::{MigrationTarget, MigrationsConfig, OnMerge};
pub use ports::{PortKeyConfig, PortsConfig, Scheme};

use crate::error::UserError;
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "cfn.toml";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub project: ProjectConfig,
    #[serde(default)]
    pub ports: PortsConfig,
    #[serde(default)]
    pub migrations: MigrationsConfig,
    /// Health checks run by `cfn health` and after `cfn up`, by name; their string values are
    /// templates (`{{ ports.redis }}`, `{{ env.PGPASSWORD }}`).
    #[serde(default, skip_serializing)]
    pub health: IndexMap<String, crate::health::CheckConfig>,
    /// The loop's mode, thresholds and default team.
    #[serde(default, rename = "loop")]
    pub work_loop: agents::LoopConfig,
    /// Agent profiles by id.
    #[serde(default)]
    pub agents: IndexMap<String, agents::AgentProfile>,
    /// Model providers: which environment variables hold each one's credentials.
    #[serde(default)]
    pub providers: IndexMap<String, agents::ProviderConfig>,
    /// Project lifecycle hooks: argument lists run in the worktree, after approval.
    #[serde(default)]
    pub hooks: HooksConfig,
    /// Git-ignored files copied (or linked) into every new worktree.
    #[serde(default)]
    pub copy: CopyConfig,
    /// What a branch's data is, for `cfn data` and `worktree add --data-from`.
    #[serde(default)]
    pub data: data::DataConfig,
    /// The hostname proxy (`cfn proxy`) the branch's `CFN_<KEY>_HOST_URL` point at.
    #[serde(default, skip_serializing_if = "proxy::ProxyConfig::is_default")]
    pub proxy: proxy::ProxyConfig,
    /// Skills by name: a file of the repository and the MCP servers it needs.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub skills: IndexMap<String, skills::SkillConfig>,
    /// MCP servers by name (a token's audience) with the URL agents reach them at.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub mcp_servers: IndexMap<String, skills::McpServerConfig>,
    /// The Docker engine the stacks run on (docs/remote.md); the local one when absent.
    #[serde(default, skip_serializing_if = "engine::EngineConfig::is_default")]
    pub engine: engine::EngineConfig,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HooksConfig {
    #[serde(default)]
    pub post_create: Vec<Vec<String>>,
    #[serde(default)]
    pub pre_remove: Vec<Vec<String>>,
    #[serde(default)]
    pub post_up: Vec<Vec<String>>,
    #[serde(default)]
    pub pre_down: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopyConfig {
    /// Globs of git-ignored files to copy from the main checkout (also read from
    /// `.worktreeinclude`).
    #[serde(default)]
    pub include: Vec<String>,
    /// Globs of git-ignored files or folders to link to the main checkout's instead of copying.
    #[serde(default)]
    pub symlink: Vec<String>,
    /// Rewrite the main checkout's ports to the branch's in copied dotenv files.
    #[serde(default = "default_true")]
    pub rewrite_ports: bool,
}

/// Written by hand, not derived: a section left out of cfn.toml gets this value, which must be the
/// documented default of every key (a derived one would turn `rewrite_ports` off).
impl Default for CopyConfig {
    fn default() -> Self {
        CopyConfig { include: Vec::new(), symlink: Vec::new(), rewrite_ports: true }
    }
}

pub(crate) fn default_true() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Compose project name of the main checkout; branches get `<name>-<branch-slug>`.
    pub name: Option<String>,
    /// Base compose files, relative to the repository root, in `-f` order.
    #[serde(default)]
    pub compose_files: Vec<String>,
    /// Where `worktree add` puts a worktree: a template relative to the repository root.
    pub worktree_dir: Option<String>,
    /// A folder (relative to the repository root) whose templates replace the built-in ones.
    pub templates_dir: Option<String>,
}

/// Where `worktree add` puts a worktree when `project.worktree_dir` is not set.
pub const DEFAULT_WORKTREE_DIR: &str = "../{{ project_name }}";

impl ProjectConfig {
    /// `worktree_dir`, or its documented default.
    pub fn worktree_dir_template(&self) -> &str {
        self.worktree_dir.as_deref().unwrap_or(DEFAULT_WORKTREE_DIR)
    }
}

impl Config {
    /// Reads `cfn.toml` from the repository root.
    pub fn load(repo_root: &Path) -> Result<Config> {
        // a committed link to any file would be read, and its text shown in parse errors
        let path = crate::safe_path::inside(repo_root, FILE_NAME, FILE_NAME)?;
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(UserError::new(format!("no {FILE_NAME} in {}", repo_root.display()))
                    .hint("run `cfn init` in the main checkout first")
                    .into())
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        let config = Self::parse(&text, &path)?;
        config.check_paths_inside(repo_root)?;
        Ok(config)
    }

    /// The repository's paths, links resolved, are inside `repo_root` (safe_path).
    pub fn check_paths_inside(&self, repo_root: &Path) -> Result<()> {
        for file in &self.project.compose_files {
            crate::safe_path::inside(repo_root, file, "project.compose_files")?;
        }
        if let Some(dir) = &self.project.templates_dir {
            crate::safe_path::inside(repo_root, dir, "project.templates_dir")?;
        }
        crate::safe_path::inside(repo_root, &self.migrations.dir, "migrations.dir")?;
        for (name, skill) in &self.skills {
            crate::safe_path::inside(repo_root, &skill.path, &format!("skills.{name}.path"))?;
        }
        Ok(())
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let msg = e.message().to_string();
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            let at = line.map(|l| format!(":{l}")).unwrap_or_default();
            UserError::new(format!("invalid {}{at}: {msg}", path.display()))
                .hint("see docs/configuration.md for every key")
        })?;
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let bad = |msg: String| -> anyhow::Error {
            UserError::new(format!("invalid {}: {msg}", path.display()))
                .hint("see docs/configuration.md")
                .into()
        };
        let m = &self.migrations;
        if m.target == MigrationTarget::Postgres && m.url.is_none() {
            return Err(bad("migrations.target = \"postgres\" needs migrations.url".into()));
        }
        if m.sqlite_file.contains('/') || matches!(m.sqlite_file.as_str(), "" | "." | "..") {
            return Err(bad("migrations.sqlite_file must be a plain file name".into()));
        }
        self.check_paths_lexically()?;
        let port_variables: Vec<String> = self
            .ports
            .keys
            .keys()
            .flat_map(|key| [crate::names::port_env_name(key), crate::names::host_url_env_name(key)])
            .collect();
        skills::check(&self.skills, &self.mcp_servers, &self.agents, &port_variables).map_err(
            |(msg, hint)| {
                anyhow::Error::from(UserError::new(format!("invalid {}: {msg}", path.display())).hint(hint))
            },
        )?;
        if let Some(name) = &self.project.name {
            if !crate::names::is_valid_project_name(name) {
                return Err(bad(format!("project.name {name:?} must match [a-z0-9][a-z0-9_-]*")));
            }
        }
        self.engine.validate().map_err(|e| {
            let user = e.downcast_ref::<UserError>().cloned();
            match user {
                Some(u) => anyhow::Error::from(
                    UserError::new(format!("invalid {}: {}", path.display(), u.message))
                        .hint(u.hint.unwrap_or_default()),
                ),
                None => e,
            }
        })?;
        let p = &self.ports;
        if p.bind.parse::<IpAddr>().is_err() {
            return Err(bad(format!("ports.bind {:?} is not an IP address", p.bind)));
        }
        if p.slots < 2 {
            return Err(bad("ports.slots must be at least 2".into()));
        }
        if p.scheme == Scheme::Offset && p.stride == 0 {
            return Err(bad("ports.stride must be at least 1".into()));
        }
        if p.scheme == Scheme::Block && (p.block_width as usize) < p.keys.len() {
            return Err(bad(format!(
                "ports.block_width {} is smaller than the {} port keys",
                p.block_width,
                p.keys.len()
            )));
        }
        if p.keys.len() > MAX_PORT_KEYS {
            return Err(bad(format!(
                "{} port keys under [ports.keys]; at most {MAX_PORT_KEYS} are allowed (each one leases a \
                 host port in every worktree)",
                p.keys.len()
            )));
        }
        if let Some((a, b, name)) = keys_sharing_a_variable(p.keys.keys()) {
            return Err(bad(format!(
                "port keys {a:?} and {b:?} both become the variable {name}: rename one"
            )));
        }
        for (key, k) in &p.keys {
            if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                return Err(bad(format!("port key {key:?} may use only letters, digits, '_' and '-'")));
            }
            // Port 0 would reach the state database's CHECK as a raw SQLite error.
            if k.base == 0 {
                return Err(bad(format!("ports.keys.{key}.base must be a port number from 1 to 65535")));
            }
            if k.target == 0 {
                return Err(bad(format!("ports.keys.{key}.target must be a port number from 1 to 65535")));
            }
            // A base below 1024 is allowed for the main checkout; branches' ports start above 1024.
        }
        Ok(())
    }

    /// Every path of the repository is relative and does not climb out with `..` (safe_path).
    fn check_paths_lexically(&self) -> Result<()> {
        let p = &self.project;
        let keyed = p.compose_files.iter().map(|f| ("project.compose_files", f));
        let keyed = keyed.chain(p.templates_dir.iter().map(|d| ("project.templates_dir", d)));
        let keyed = keyed.chain([("migrations.dir", &self.migrations.dir)]);
        for (key, value) in keyed {
            crate::safe_path::inside_lexically(value, key)?;
        }
        for (name, skill) in &self.skills {
            crate::safe_path::inside_lexically(&skill.path, &format!("skills.{name}.path"))?;
        }
        let globs = self.copy.include.iter().map(|g| ("copy.include", g));
        for (key, glob) in globs.chain(self.copy.symlink.iter().map(|g| ("copy.symlink", g))) {
            crate::safe_path::glob_inside(glob, key)?;
        }
        Ok(())
    }

    /// The compose project name of the main checkout.
    pub fn project_name(&self, repo_root: &Path) -> String {
        self.project.name.clone().unwrap_or_else(|| default_project_name(repo_root))
    }

    /// Base compose files as absolute paths.
    pub fn compose_paths(&self, repo_root: &Path) -> Vec<PathBuf> {
        self.project.compose_files.iter().map(|f| repo_root.join(f)).collect()
    }
}

/// How many port keys one cfn.toml may have: every key leases a host port in every worktree,
/// so a branch's file must not be able to take the machine's ports by the thousand.
pub const MAX_PORT_KEYS: usize = 256;

/// Two keys whose environment variable is the same (`web-admin` and `web_admin` both give
/// `CFN_WEB_ADMIN_PORT`): one of them would be silently lost in the env file.
fn keys_sharing_a_variable<'a>(keys: impl Iterator<Item = &'a String>) -> Option<(String, String, String)> {
    let mut seen: std::collections::HashMap<String, &String> = std::collections::HashMap::new();
    for key in keys {
        let name = crate::names::port_env_name(key);
        if let Some(first) = seen.get(&name) {
            return Some((first.to_string(), key.clone(), name));
        }
        seen.insert(name, key);
    }
    None
}

/// The main checkout's directory name made compose-safe (`My Shop` → `my-shop`).
pub fn default_project_name(repo_root: &Path) -> String {
    let base = repo_root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let slug = crate::names::slug(&base);
    if slug.is_empty() || !crate::names::is_valid_project_name(&slug) {
        format!("p{}", crate::names::short_hash(&base))
    } else {
        slug
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_errors() {
        let err = Config::parse("[ports]\nstrid = 3\n", Path::new("cfn.toml")).unwrap_err();
        assert!(err.to_string().contains("strid"), "{err}");
    }

    #[test]
    fn port_zero_is_refused_before_it_reaches_the_state_database() {
        let toml = "[ports.keys.redis]\nservice = \"redis\"\ntarget = 6379\nbase = 0\n";
        let err = Config::parse(toml, Path::new("/r/cfn.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid /r/cfn.toml: ports.keys.redis.base must be a port number from 1 to 65535"
        );
    }

    #[test]
    fn two_keys_of_one_variable_are_refused_naming_both() {
        let key = |name: &str, base: u16| {
            format!("[ports.keys.{name}]\nservice = \"web\"\ntarget = 80\nbase = {base}\n")
        };
        let toml = format!("{}{}", key("web-admin", 8081), key("web_admin", 8082));
        let err = Config::parse(&toml, Path::new("/r/cfn.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid /r/cfn.toml: port keys \"web-admin\" and \"web_admin\" both become the variable \
             CFN_WEB_ADMIN_PORT: rename one"
        );
        assert!(
            Config::parse(&format!("{}{}", key("web-admin", 8081), key("web", 8082)), Path::new("c")).is_ok()
        );
    }

    #[test]
    fn more_port_keys_than_the_cap_are_refused() {
        let toml = |n: usize| -> String {
            (0..n)
                .map(|i| format!("[ports.keys.k{i}]\nservice = \"s{i}\"\ntarget = 80\nbase = {}\n", 2000 + i))
                .collect()
        };
        assert!(Config::parse(&toml(MAX_PORT_KEYS), Path::new("c")).is_ok());
        let err = Config::parse(&toml(MAX_PORT_KEYS + 1), Path::new("/r/cfn.toml")).unwrap_err();
        assert!(
            err.to_string().starts_with("invalid /r/cfn.toml: 257 port keys under [ports.keys]; at most 256"),
            "{err}"
        );
    }

    #[test]
    fn defaults() {
        let c = Config::parse("", Path::new("cfn.toml")).unwrap();
        assert_eq!(c.ports.bind, "127.0.0.1");
        assert_eq!(c.ports.scheme, Scheme::Offset);
    }
}

#[cfg(test)]
#[path = "defaults_tests.rs"]
mod defaults_tests;
