//! Running the compose program for a branch: which compose (v2 plugin or v1), and the explicit
//! project, files and environment every invocation gets.

use super::detect_cache;
use crate::error::UserError;
use crate::process::{self, Cmd};
use anyhow::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComposeVersion {
    V1,
    V2,
}

/// The compose program: its argument vector prefix and its major version.
#[derive(Debug, Clone)]
pub struct ComposeTool {
    pub program: Vec<String>,
    pub version: ComposeVersion,
    pub version_text: String,
}

/// `CFN_COMPOSE` (an argument list split on white space, e.g. `docker compose`), else
/// `docker compose` when the v2 plugin answers, else `docker-compose`. The answer is remembered
/// in `$CFN_HOME` until one of the programs changes (see [`detect_cache`]).
pub fn detect() -> Result<ComposeTool> {
    let custom = std::env::var("CFN_COMPOSE").ok().filter(|s| !s.trim().is_empty());
    let candidates: Vec<Vec<String>> = match &custom {
        Some(custom) => vec![custom.split_whitespace().map(str::to_string).collect()],
        None => vec![vec!["docker".to_string(), "compose".to_string()], vec!["docker-compose".to_string()]],
    };
    let request = custom.clone().unwrap_or_else(|| "auto".to_string());
    let fingerprint = detect_cache::fingerprint(&candidates);
    let cache = crate::state::home_dir().ok().map(|home| detect_cache::path_in(&home));
    if let Some(hit) = cache.as_deref().and_then(|f| detect_cache::lookup(f, &request, &fingerprint)) {
        return Ok(tool(hit.program, hit.version_text));
    }
    let found = match &custom {
        Some(custom) => probe(candidates[0].clone()).ok_or_else(|| {
            anyhow::Error::from(
                UserError::new(format!("CFN_COMPOSE={custom:?} does not answer `version`"))
                    .hint("set CFN_COMPOSE to `docker compose` or `docker-compose`, or unset it"),
            )
        })?,
        None => {
            candidates.into_iter().filter(|c| process::on_path(&c[0])).find_map(probe).ok_or_else(|| {
                anyhow::Error::from(
                    UserError::new(
                        "no compose program found (neither `docker compose` nor `docker-compose`)",
                    )
                    .hint("install Docker Compose; on Debian: apt-get install docker-compose"),
                )
            })?
        }
    };
    if let Some(file) = &cache {
        let entry = detect_cache::Entry {
            request,
            fingerprint,
            program: found.program.clone(),
            version_text: found.version_text.clone(),
        };
        detect_cache::store(file, entry);
    }
    Ok(found)
}

fn probe(program: Vec<String>) -> Option<ComposeTool> {
    let (first, rest) = program.split_first()?;
    let out = Cmd::new(first).args(rest).args(["version", "--short"]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(tool(program, out.stdout.trim().trim_start_matches('v').to_string()))
}

fn tool(program: Vec<String>, version_text: String) -> ComposeTool {
    let version = if version_text.starts_with('1') { ComposeVersion::V1 } else { ComposeVersion::V2 };
    ComposeTool { program, version, version_text }
}

/// What compose needs to run one project: its name, its directory, its files in order and the
/// variables it interpolates them with.
pub struct Project<'a> {
    pub name: &'a str,
    pub dir: &'a std::path::Path,
    pub files: &'a [std::path::PathBuf],
    pub env: &'a indexmap::IndexMap<String, String>,
    /// The engine the project runs on: a remote one is named by `DOCKER_HOST` (and its TLS
    /// settings) in compose's environment.
    pub engine: &'a crate::engine::Target,
}

impl ComposeTool {
    /// `compose -p <project> --project-directory <dir> -f … <args>` with the branch's variables
    /// in the environment. The variables go in the process environment rather than through
    /// `--env-file`, which would hide the project's own `.env` file from interpolation.
    pub fn command<I, S>(&self, project: &Project<'_>, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        let (first, rest) =
            self.program.split_first().map(|(f, r)| (f.as_str(), r)).unwrap_or(("docker-compose", &[]));
        let mut cmd =
            Cmd::new(first).args(rest).args(["-p", project.name, "--project-directory"]).arg(project.dir);
        for f in project.files {
            cmd = cmd.arg("-f").arg(f);
        }
        let mut cmd = cmd.args(args).envs(project.env.iter()).env("COMPOSE_PROJECT_NAME", project.name);
        for name in project.engine.client_env_removed() {
            cmd = cmd.env_remove(name);
        }
        cmd.envs(project.engine.client_env())
    }
}
