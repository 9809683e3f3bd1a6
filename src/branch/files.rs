//! A branch's rendered files under `.cfn/`: the env file, a sanitized copy of each base compose
//! file, and the compose override — everything `cfn compose` and `cfn up` run with.
//!
//! Why sanitized copies and not only an override: compose v1 (the only one Debian ships)
//! appends `ports:` lists across `-f` files and knows no `!override` tag, so an override alone
//! cannot take away a base file's fixed host ports. cfn therefore runs compose on copies of the
//! base files with exactly what defeats per-branch isolation removed (fixed host ports,
//! `container_name`, global volume and network names, fixed subnets), plus an override
//! rendered from a template that publishes the branch's leased ports. v1 and v2 get the same
//! files and produce the same configuration. The copies are written again by every command that
//! runs compose, so they never lag behind the base files.

use crate::branch::{BranchEnv, Workspace};
use crate::compose::{self, ComposeFile, PortKey, Protocol};
use crate::config::Config;
use crate::error::UserError;
use crate::render::{self, Renderer};
use anyhow::Result;
use indexmap::IndexMap;
use serde::Serialize;
use serde_norway::Value;
use std::path::{Path, PathBuf};

pub use super::compose_files::load_compose_files;
use super::compose_files::{compose_files_of, configured_keys};
pub use crate::render::no_follow::CFN_DIR;
pub const ENV_FILE: &str = "env";
pub const OVERRIDE_FILE: &str = "compose.override.yaml";

/// What compose is run with for one branch.
#[derive(Debug, Clone)]
pub struct StackFiles {
    pub env_file: PathBuf,
    /// Sanitized base files, then the override: the `-f` list in order.
    pub compose_files: Vec<PathBuf>,
    /// The directory relative paths of the base files are resolved against.
    pub project_dir: PathBuf,
    /// The variables of the env file, as compose and agents receive them.
    pub env: IndexMap<String, String>,
    /// What plain `docker compose` in the checkout runs.
    pub plain: super::plain_compose::Plain,
    /// The engine compose runs the stack on.
    pub engine: crate::engine::Target,
}

impl StackFiles {
    /// The compose project these files make, under the branch's project name.
    pub fn project<'a>(&'a self, name: &'a str) -> crate::compose::runner::Project<'a> {
        crate::compose::runner::Project {
            name,
            dir: &self.project_dir,
            files: &self.compose_files,
            env: &self.env,
            engine: &self.engine,
        }
    }
}

#[derive(Serialize)]
struct PortContext {
    key: String,
    env: String,
    service: String,
    target: u16,
    protocol: crate::protocol::Protocol,
    base: u16,
    port: u16,
    /// `CFN_<KEY>_HOST_URL` and its value: the key's hostname URL through `cfn proxy` (TCP
    /// keys with a hostname only).
    host_env: String,
    host_url: Option<String>,
}

#[derive(Serialize)]
struct ServiceContext {
    name: String,
    ports: Vec<String>,
    /// An MCP service (`mcp-*` or a name of `[mcp_servers]`): it gets the token verifier keys.
    mcp: bool,
    /// The host folder of this MCP service's own verifier keys (its audience's only).
    token_keys_dir: Option<String>,
}

#[derive(Serialize)]
struct BranchContext<'a> {
    project: &'a str,
    /// The repository's id ([`crate::state::repository_id`]), labelled on every service so that another
    /// repository of the same project name never takes its containers for orphans.
    repository: &'a str,
    project_name: &'a str,
    branch: &'a str,
    branch_slug: String,
    slot: u32,
    worktree: String,
    repo_root: String,
    bind: &'a str,
    /// Where the branch's ports are reached: loopback, or a remote engine's host.
    host: String,
    /// The engine the stack runs on, as named (`None`: the local engine).
    engine: Option<&'a str>,
    ports: Vec<PortContext>,
    services: Vec<ServiceContext>,
    redis_url: Option<String>,
    db_path: String,
    token_keys_mount: &'static str,
    token_keys_file: String,
}

pub fn renderer(ws: &Workspace) -> Renderer {
    renderer_for(&ws.config, ws.main_root())
}

/// The project's renderer: its templates_dir (if any) before the built-in templates.
pub fn renderer_for(config: &crate::config::Config, repo_root: &Path) -> Renderer {
    Renderer::new(config.project.templates_dir.as_ref().map(|d| repo_root.join(d)))
}

/// Renders and writes the branch's files; only files whose content changed are rewritten.
pub fn render(ws: &Workspace, branch: &BranchEnv) -> Result<StackFiles> {
    let plan = plan(ws, branch)?;
    for file in &plan.files {
        render::write_atomic(&file.path, &file.text, file.mode)?;
    }
    plan.plain.write()?;
    super::mcp_servers::write_verifier_keys(ws, &branch.project, &plan.token_keys)?;
    Ok(plan.stack)
}

/// One file [`render`] writes.
pub struct PlannedFile {
    pub path: PathBuf,
    pub text: String,
    pub mode: u32,
}

/// What [`render`] would write and return, computed without touching the disk (so that
/// `cfn doctor` can compare it with what is there).
pub struct Plan {
    pub files: Vec<PlannedFile>,
    /// The `.env` block and reset override of plain `docker compose` (written by its own rules).
    pub plain: super::plain_compose::Plan,
    pub stack: StackFiles,
    /// Each MCP service of the stack and the folder of its verifier keys.
    pub token_keys: Vec<(String, PathBuf)>,
}

pub fn plan(ws: &Workspace, branch: &BranchEnv) -> Result<Plan> {
    let dir = branch.path.join(CFN_DIR);
    // `include:` and `extends:` resolved: the copy is the merged model (compose/resolve.rs).
    let config = ws.config_of(branch)?;
    let files = compose::resolve(compose_files_of(&config, &branch.path)?)?;
    let keys = configured_keys(&config);
    let dotenv = compose::read_checkout_dotenv(&branch.path, &branch.path.join(".env"));
    let lookup = |name: &str| dotenv.get(name).cloned();
    let mut services = services_with_ports(&config, branch, &files, &keys, &lookup)?;
    let mut token_keys = Vec::new();
    for service in services.iter_mut().filter(|s| s.mcp) {
        let dir = crate::token::verifier_file::dir(ws.state.home(), &branch.project, &service.name)?;
        service.token_keys_dir = Some(dir.to_string_lossy().into_owned());
        token_keys.push((service.name.clone(), dir));
    }
    let ctx = context(ws, &config, branch, services);
    let renderer = renderer(ws);
    let mut planned = Vec::new();

    // Written back from the parsed values, never as the template rendered them: people source
    // this file, and the template is the repository's.
    let env = super::env_file::parse(&renderer.render("env.j2", &ctx)?, &branch.project)?;
    let env_file = dir.join(ENV_FILE);
    planned.push(PlannedFile { path: env_file.clone(), text: super::env_file::text(&env), mode: 0o600 });

    let sanitized_docs = sanitize_all(&files, &keys, &lookup)?;
    let mut compose_files = Vec::new();
    for (i, (file, doc)) in files.iter().zip(&sanitized_docs).enumerate() {
        let sanitized = compose::to_yaml(doc)?;
        let name = file.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let path = dir.join("compose").join(format!("{i}-{name}"));
        let header =
            format!("# Sanitized copy of {} rendered by cfn; edit the original.\n", file.path.display());
        planned.push(PlannedFile { path: path.clone(), text: header + &sanitized, mode: 0o600 });
        compose_files.push(path);
    }
    let override_text = renderer.render("compose.override.yaml.j2", &ctx)?;
    let override_file = dir.join(OVERRIDE_FILE);
    planned.push(PlannedFile { path: override_file.clone(), text: override_text, mode: 0o600 });
    compose_files.push(override_file);

    let plain = super::plain_compose::plan(
        branch,
        &files,
        &sanitized_docs,
        &env,
        super::plain_compose::compose_is_v2,
    )?;

    let project_dir = files.first().and_then(|f| f.path.parent()).unwrap_or(&branch.path).to_path_buf();
    let engine = branch.engine_target()?;
    let stack =
        StackFiles { env_file, compose_files, project_dir, env, plain: plain.state().clone(), engine };
    Ok(Plan { files: planned, plain, stack, token_keys })
}

fn sanitize_all(
    files: &[ComposeFile],
    keys: &[PortKey],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Value>> {
    files.iter().map(|file| Ok(compose::sanitize_with_env(file, keys, lookup)?)).collect()
}

/// The branch's env variables as the env template renders them, without writing anything.
pub fn env_vars(ws: &Workspace, branch: &BranchEnv) -> Result<IndexMap<String, String>> {
    let config = ws.config_of(branch)?;
    let ctx = context(ws, &config, branch, Vec::new());
    super::env_file::parse(&renderer(ws).render("env.j2", &ctx)?, &branch.project)
}

fn context<'a>(
    ws: &'a Workspace,
    config: &'a Config,
    branch: &'a BranchEnv,
    services: Vec<ServiceContext>,
) -> BranchContext<'a> {
    let slug = branch.slug(&ws.repo.project);
    let hostnames =
        crate::branch::hostnames::hostnames(&ws.repo.project, slug.as_deref(), &config.ports.keys);
    let host_url = |key: &str| {
        let name = hostnames.iter().find(|n| n.key == key)?;
        Some(crate::branch::hostnames::host_url(&name.host, ws.config.proxy.port, ws.config.proxy.tls))
    };
    let ports: Vec<PortContext> = config
        .ports
        .keys
        .iter()
        .filter_map(|(key, k)| {
            let port = *branch.ports.get(key)?;
            Some(PortContext {
                key: key.clone(),
                env: crate::names::port_env_name(key),
                service: k.service.clone(),
                target: k.target,
                protocol: k.protocol,
                base: k.base,
                port,
                host_env: crate::branch::hostnames::host_url_env_name(key),
                host_url: host_url(key),
            })
        })
        .collect();
    let redis_url = ports
        .iter()
        .find(|p| p.target == 6379 || p.key == "redis")
        .map(|p| format!("redis://{}:{}", host_for_url(&config.ports.bind), p.port));
    BranchContext {
        project: &ws.repo.project,
        repository: ws.repo.uid.as_deref().unwrap_or_default(),
        project_name: &branch.project,
        branch: &branch.branch,
        branch_slug: crate::names::branch_slug(&ws.repo.project, &branch.project, &branch.branch),
        slot: branch.slot,
        worktree: branch.path.to_string_lossy().into_owned(),
        repo_root: ws.main_root().to_string_lossy().into_owned(),
        bind: &config.ports.bind,
        host: host_for_url(&config.ports.bind),
        engine: branch.engine.as_deref(),
        ports,
        services,
        redis_url,
        db_path: sqlite_path(ws, branch).to_string_lossy().into_owned(),
        token_keys_mount: crate::token::verifier_file::MOUNT_DIR,
        token_keys_file: format!(
            "{}/{}",
            crate::token::verifier_file::MOUNT_DIR,
            crate::token::verifier_file::FILE_NAME
        ),
    }
}

/// The values configuration templates (health checks, the PostgreSQL URL) may use: `ports`
/// by key, `env` (the checkout's `.env`, then the caller's variables named in
/// `CFN_TEMPLATE_ENV` — never the rest of cfn's environment —, then the branch's own
/// variables), and the branch's names, slot and paths.
pub fn template_vars(ws: &Workspace, branch: &BranchEnv) -> Result<serde_json::Value> {
    let mut env: IndexMap<String, String> =
        compose::read_checkout_dotenv(&branch.path, &branch.path.join(".env"));
    env.extend(render::pass_env::passed());
    env.extend(env_vars(ws, branch)?);
    Ok(serde_json::json!({
        "project": ws.repo.project,
        "project_name": branch.project,
        "branch": branch.branch,
        "branch_slug": crate::names::branch_slug(&ws.repo.project, &branch.project, &branch.branch),
        "slot": branch.slot,
        "worktree": branch.path,
        "db_path": sqlite_path(ws, branch),
        "host": host_for_url(&ws.config_of(branch)?.ports.bind),
        "ports": branch.ports,
        "env": env,
    }))
}

/// The branch's SQLite database: `.cfn/data/<migrations.sqlite_file>` (exported as `DB_PATH`).
pub fn sqlite_path(ws: &Workspace, branch: &BranchEnv) -> PathBuf {
    cfn_dir(&branch.path).join("data").join(&ws.config.migrations.sqlite_file)
}

/// The host part of a URL reaching a service published on `bind` (wildcards → loopback).
pub fn host_for_url(bind: &str) -> String {
    match bind {
        "0.0.0.0" => "127.0.0.1".into(),
        "::" => "[::1]".into(),
        b if b.contains(':') => format!("[{b}]"),
        b => b.into(),
    }
}

/// Every service of the base files with the port specs the branch publishes for it. A fixed
/// host port that no key of cfn.toml covers is an error: silently dropping it would break the
/// service, silently keeping it would share it between branches.
fn services_with_ports(
    config: &Config,
    branch: &BranchEnv,
    files: &[ComposeFile],
    keys: &[PortKey],
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<ServiceContext>> {
    let published = compose::published_ports(files, lookup)?;
    let mut services: IndexMap<String, Vec<String>> =
        compose::service_names(files).into_iter().map(|s| (s, Vec::new())).collect();
    for p in published.iter().filter(|p| p.spec.published.is_some()) {
        let key = keys
            .iter()
            .find(|k| k.service == p.service && k.target == p.spec.target && k.protocol == p.spec.protocol)
            .ok_or_else(|| {
                UserError::new(format!(
                    "service {} publishes port {} which cfn.toml has no port key for",
                    p.service, p.raw
                ))
                .hint("run `cfn init --force` to derive the port keys again")
            })?;
        let Some(&host) = branch.ports.get(&key.key) else { continue };
        let spec = port_spec(&config.ports.bind, host, key.target, key.protocol);
        let list = services.entry(p.service.clone()).or_default();
        if !list.contains(&spec) {
            list.push(spec);
        }
    }
    let mcp = |name: &str| super::mcp_servers::is_mcp_service(config, name);
    let service = |(name, ports): (String, Vec<String>)| ServiceContext {
        mcp: mcp(&name),
        name,
        ports,
        token_keys_dir: None,
    };
    Ok(services.into_iter().map(service).collect())
}

/// `127.0.0.1:6389:6379/tcp`, with an IPv6 bind address in brackets.
fn port_spec(bind: &str, host: u16, target: u16, protocol: Protocol) -> String {
    let ip = if bind.contains(':') { format!("[{bind}]") } else { bind.to_string() };
    format!("{ip}:{host}:{target}/{}", protocol.as_str())
}

/// The `.cfn/` folder of a checkout.
pub fn cfn_dir(checkout: &Path) -> PathBuf {
    checkout.join(CFN_DIR)
}
