//! Plain `docker compose`, typed in a worktree, runs that branch's isolated stack.
//!
//! Compose reads `COMPOSE_PROJECT_NAME`, `COMPOSE_FILE` and `COMPOSE_PATH_SEPARATOR` from the
//! `.env` of the project directory (the folder of the first base compose file). cfn keeps a
//! block of its own in that file, between marker lines, with those variables and the branch's
//! (docs/env.md); the user's lines around it are never changed. `COMPOSE_FILE` lists the base
//! files themselves first — so the project directory and every relative path stay the
//! worktree's — then `.cfn/compose.reset.yaml`, which takes away with `!reset`/`!override`
//! what the sanitized copies lack (fixed host ports, `container_name`, global names, fixed
//! subnets), then the branch's override. The result equals what `cfn compose` runs.
//!
//! The block is not written, and cfn says why, where writing it would be wrong: a `.env` that
//! git tracks (the branch would be dirty) or that git does not ignore (it would show as
//! untracked), a `.env` that is a symlink (it would change another checkout's file), and compose
//! v1 when the base files need tags (v1 knows none and appends `ports:` lists) or when a value
//! holds `${` (v1 expands `${NAME}` in `.env` values however they are quoted, and has no escape
//! for it: a branch `feat-${API_KEY}` would hand compose the key). The same
//! variables are always in `.cfn/compose.env`, for whoever wants them explicitly. The main
//! checkout gets no block: its plain compose is the base files, on the base ports.

use crate::branch::files::{CFN_DIR, OVERRIDE_FILE};
use crate::branch::BranchEnv;
use crate::compose::{self, ComposeFile};
use crate::render::{self, dotenv, env_block};
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use serde::Serialize;
use serde_norway::Value;
use std::path::{Path, PathBuf};

pub const RESET_FILE: &str = "compose.reset.yaml";
pub const COMPOSE_ENV_FILE: &str = "compose.env";
const DOTENV: &str = ".env";

/// What plain `docker compose` in a checkout runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Plain {
    /// The branch's stack: the block in `env_file` is there.
    Isolated { env_file: PathBuf },
    /// The main checkout: the base files, as they are.
    Main,
    /// No compose files: nothing to run.
    NoStack,
    /// The base files untouched (main's ports and names), for the reason given.
    Blocked { reason: Blocker, env_file: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Blocker {
    /// `.env` is tracked by git.
    Tracked,
    /// `.env` does not exist and git does not ignore it.
    NotIgnored,
    /// `.env` is a symbolic link.
    Symlink,
    /// Only compose v1 is here and the base files need `!reset`/`!override`.
    ComposeV1,
    /// Every path separator compose accepts occurs in a compose file's path.
    Separator,
    /// Only compose v1 is here and a value of the block holds `${`, which v1 would expand.
    Interpolation,
}

impl Blocker {
    /// One line naming the branch, the file and the consequence.
    pub fn message(self, branch: &str, env_file: &Path) -> String {
        let why = self.why(&env_file.display().to_string());
        format!("plain `docker compose` in {branch} runs the base files on main's ports and names: {why}")
    }

    /// [`Blocker::message`] without the branch and path, for one line that names many worktrees.
    pub fn detail(self) -> String {
        format!(
            "plain `docker compose` runs the base files on main's ports and names: {}",
            self.why("`.env`")
        )
    }

    fn why(self, env: &str) -> String {
        match self {
            Blocker::Tracked => format!("{env} is tracked by git, so cfn does not write into it"),
            Blocker::NotIgnored => format!("{env} is not ignored by git, so cfn does not create it"),
            Blocker::Symlink => format!("{env} is a symbolic link; cfn refuses to write through it"),
            Blocker::ComposeV1 => {
                "compose v1 cannot express it (no `!reset`/`!override` tags; it appends ports lists)".into()
            }
            Blocker::Separator => "every COMPOSE_PATH_SEPARATOR occurs in the compose files' paths".into(),
            Blocker::Interpolation => {
                "a value holds `${`, which compose v1 would expand as a variable in .env".into()
            }
        }
    }

    pub fn hint(self) -> String {
        let alternative = "use `cfn compose …` there, or `set -a; . .cfn/compose.env; set +a` first";
        match self {
            Blocker::NotIgnored => {
                format!("add `.env` to .gitignore (then `cfn doctor --fix`), or {alternative}")
            }
            Blocker::Symlink => {
                format!("make .env a regular file (then `cfn doctor --fix`), or {alternative}")
            }
            Blocker::ComposeV1 | Blocker::Interpolation => {
                "install compose v2 (then `cfn doctor --fix`), or use `cfn compose …` there".into()
            }
            Blocker::Tracked | Blocker::Separator => alternative.to_string(),
        }
    }
}

/// What rendering writes for plain compose, computed without writing.
pub struct Plan {
    state: Plain,
    cfn_dir: PathBuf,
    /// The `.env` beside the first base file.
    env_file: PathBuf,
    /// The reset override's text, when the base files need one.
    reset: Option<String>,
    /// The variables' lines (the block's body and `.cfn/compose.env`).
    body: String,
}

/// Plans plain compose for `branch`: `originals` and `sanitized` are the base files and their
/// sanitized copies, `vars` the branch's variables, `v2` says whether compose v2 is here (asked
/// only when the base files need tags).
pub fn plan(
    branch: &BranchEnv,
    originals: &[ComposeFile],
    sanitized: &[Value],
    vars: &IndexMap<String, String>,
    v2: impl FnOnce() -> bool,
) -> Result<Plan> {
    let cfn_dir = super::files::cfn_dir(&branch.path);
    let project_dir = originals.first().map(|f| f.dir().to_path_buf()).unwrap_or_else(|| branch.path.clone());
    let env_file = project_dir.join(DOTENV);
    let empty = |state| Plan {
        state,
        cfn_dir: cfn_dir.clone(),
        env_file: env_file.clone(),
        reset: None,
        body: String::new(),
    };
    if originals.is_empty() {
        return Ok(empty(Plain::NoStack));
    }
    if branch.is_main {
        return Ok(empty(Plain::Main));
    }
    let pairs: Vec<(&Value, &Value)> = originals.iter().map(|f| &f.doc).zip(sanitized).collect();
    let reset_doc = compose::reset::reset_override(&pairs);
    let reset = match reset_doc.as_mapping() {
        Some(m) if !m.is_empty() => Some(format!(
            "# Rendered by cfn: after the base files, takes away what keeps branches from running side\n\
             # by side (compose v2 tags). Every cfn command that runs compose writes it again.\n{}",
            compose::to_yaml(&reset_doc)?
        )),
        _ => None,
    };
    let mut files: Vec<PathBuf> = originals.iter().map(|f| f.path.clone()).collect();
    if reset.is_some() {
        files.push(cfn_dir.join(RESET_FILE));
    }
    files.push(cfn_dir.join(OVERRIDE_FILE));
    let texts: Vec<String> = files.iter().map(|f| f.to_string_lossy().into_owned()).collect();
    let separator = [':', ';', ','].into_iter().find(|s| !texts.iter().any(|t| t.contains(*s)));
    let user = read_user_vars(&branch.path, &env_file);
    let body = separator.map(|sep| block_body(branch, &texts, sep, vars, &user)).unwrap_or_default();
    // compose v2 is asked about only when it matters: tags, or a `${` v1 would expand
    let needs_v2 = reset.is_some() || body.contains("${");
    let v1_only = needs_v2 && !v2();
    let blocker = if separator.is_none() {
        Some(Blocker::Separator)
    } else if v1_only && reset.is_some() {
        Some(Blocker::ComposeV1)
    } else if v1_only {
        Some(Blocker::Interpolation)
    } else {
        git_blocker(&project_dir, &env_file)
    };
    let state = match blocker {
        Some(reason) => Plain::Blocked { reason, env_file: env_file.clone() },
        None => Plain::Isolated { env_file: env_file.clone() },
    };
    Ok(Plan { state, cfn_dir, env_file, reset, body })
}

impl Plan {
    pub fn state(&self) -> &Plain {
        &self.state
    }

    /// Writes the plan: `.cfn/compose.reset.yaml`, `.cfn/compose.env`, and the `.env` block (or
    /// takes a block away where there must be none and the file is safe to write).
    pub fn write(&self) -> Result<()> {
        let reset_path = self.cfn_dir.join(RESET_FILE);
        match &self.reset {
            Some(text) => {
                render::write_atomic(&reset_path, text, 0o600)?;
            }
            None => remove_if_there(&reset_path)?,
        }
        let compose_env = self.cfn_dir.join(COMPOSE_ENV_FILE);
        if self.body.is_empty() {
            remove_if_there(&compose_env)?;
        } else {
            render::write_atomic(&compose_env, &format!("{COMPOSE_ENV_HEADER}{}", self.body), 0o600)?;
        }
        if matches!(self.state, Plain::Isolated { .. }) {
            splice_env(&self.env_file, Some(&self.body))
        } else if self.must_have_no_block() {
            // a block written before would now be wrong
            splice_env(&self.env_file, None)
        } else {
            Ok(())
        }
    }

    /// Where a block must not be and cfn may take it out: the main checkout, and a branch whose
    /// `.env` cfn could write but whose stack plain compose cannot express.
    fn must_have_no_block(&self) -> bool {
        matches!(
            self.state,
            Plain::Main
                | Plain::Blocked {
                    reason: Blocker::ComposeV1 | Blocker::Separator | Blocker::Interpolation,
                    ..
                }
        )
    }

    /// The files of the plan that are missing or differ on disk (paths as shown to people).
    pub fn stale(&self) -> Vec<String> {
        let mut stale = Vec::new();
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        if let Some(reset) = &self.reset {
            if read(&self.cfn_dir.join(RESET_FILE)).as_deref() != Some(reset.as_str()) {
                stale.push(format!("{CFN_DIR}/{RESET_FILE}"));
            }
        }
        let env_text = read(&self.env_file).unwrap_or_default();
        if matches!(self.state, Plain::Isolated { .. }) {
            if env_block::find(&env_text).is_none() || env_block::inside(&env_text) != self.body {
                stale.push(format!("the cfn block of {}", self.env_file.display()));
            }
        } else if self.must_have_no_block()
            && !is_symlink(&self.env_file)
            && env_block::find(&env_text).is_some()
        {
            stale.push(format!("a left-over cfn block in {}", self.env_file.display()));
        }
        stale
    }
}

const COMPOSE_ENV_HEADER: &str = "\
# Rendered by cfn: what makes plain `docker compose` run this branch's stack (cfn also writes it
# into the .env beside the compose file where it can). To use it by hand:
#   set -a; . .cfn/compose.env; set +a
";

/// `COMPOSE_*` first, then the branch's variables; a variable the user's own lines of `.env`
/// set is left to them unless it is one of cfn's (`CFN_*`, `COMPOSE_*`).
fn block_body(
    branch: &BranchEnv,
    files: &[String],
    sep: char,
    vars: &IndexMap<String, String>,
    user: &IndexMap<String, String>,
) -> String {
    let mut lines = vec![
        ("COMPOSE_PROJECT_NAME".to_string(), branch.project.clone()),
        ("COMPOSE_PATH_SEPARATOR".to_string(), sep.to_string()),
        ("COMPOSE_FILE".to_string(), files.join(&sep.to_string())),
    ];
    for (name, value) in vars {
        let ours = name.starts_with("CFN_") || name.starts_with("COMPOSE_");
        if name == "COMPOSE_PROJECT_NAME" || (!ours && user.contains_key(name)) {
            continue;
        }
        lines.push((name.clone(), value.clone()));
    }
    lines.iter().map(|(k, v)| format!("{k}={}\n", dotenv::quote(v))).collect()
}

/// The user's own lines of `.env`, never read through a link out of the checkout (see
/// `compose::read_checkout_dotenv`).
fn read_user_vars(checkout: &Path, env_file: &Path) -> IndexMap<String, String> {
    let rel = env_file.strip_prefix(checkout).map(|r| r.to_string_lossy().into_owned());
    let Some(path) = rel.ok().and_then(|rel| crate::safe_path::inside(checkout, &rel, ".env").ok()) else {
        return IndexMap::new();
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    crate::compose::dotenv::parse_literal(&env_block::outside(&text))
}

/// Why writing `.env` would be wrong, if it would: a symlink, tracked by git, or a new file git
/// does not ignore. Outside a git repository nothing is tracked or ignored.
fn git_blocker(project_dir: &Path, env_file: &Path) -> Option<Blocker> {
    if is_symlink(env_file) {
        return Some(Blocker::Symlink);
    }
    let repo = git2::Repository::discover(project_dir).ok()?;
    let rel = repo.workdir().and_then(|w| env_file.strip_prefix(w).ok().map(Path::to_path_buf));
    let (tracked, ignored) = match rel {
        Some(rel) => (
            repo.index().ok().is_some_and(|i| i.get_path(&rel, 0).is_some()),
            repo.is_path_ignored(&rel).unwrap_or(false),
        ),
        None => (false, false),
    };
    if tracked {
        Some(Blocker::Tracked)
    } else if !ignored && !env_file.exists() {
        Some(Blocker::NotIgnored)
    } else {
        None
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Puts `body` in the block of `env_file` (keeping its mode), or takes the block out. Never
/// through a symlink.
fn splice_env(env_file: &Path, body: Option<&str>) -> Result<()> {
    if is_symlink(env_file) {
        return Ok(());
    }
    let text = match std::fs::read_to_string(env_file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && body.is_none() => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", env_file.display())),
    };
    let new = env_block::splice(&text, body);
    if new == text {
        return Ok(());
    }
    use std::os::unix::fs::PermissionsExt as _;
    let mode = std::fs::metadata(env_file).map(|m| m.permissions().mode() & 0o777).unwrap_or(0o600);
    render::write_atomic(env_file, &new, mode)?;
    Ok(())
}

/// Never through a linked `.cfn` (render::no_follow).
fn remove_if_there(path: &Path) -> Result<()> {
    let (root, rel) = render::no_follow::split(path);
    render::no_follow::remove_under(&root, &root.join(rel))
}

/// Whether the compose people type in a worktree is v2: `CFN_PLAIN_COMPOSE` (an argument list,
/// e.g. `docker-compose`) when set, else `docker compose` when the v2 plugin answers, else
/// `docker-compose` (which may be v2 too). `CFN_COMPOSE` does not decide: it is what cfn itself
/// runs, and a one-off `CFN_COMPOSE=docker-compose cfn up` must not take the block away. With
/// no compose at all, v2 is assumed: it is what gets installed today.
pub fn compose_is_v2() -> bool {
    // asked once per process: a command renders, then reports, with the same answer
    static V2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *V2.get_or_init(|| {
        let set = |name: &str| std::env::var(name).ok().filter(|s| !s.trim().is_empty());
        let chosen = set("CFN_PLAIN_COMPOSE");
        if chosen.is_none() && set("CFN_COMPOSE").is_none() {
            // the same choice as cfn's own: ask it, and share its answer
            return compose::runner::detect()
                .map_or(true, |t| t.version == compose::runner::ComposeVersion::V2);
        }
        let candidates = match &chosen {
            Some(program) => vec![program.clone()],
            None => vec!["docker compose".to_string(), "docker-compose".to_string()],
        };
        candidates.iter().find_map(|c| major_version(c)).is_none_or(|major| major != "1")
    })
}

/// The major version `program version --short` reports, if it answers.
fn major_version(program: &str) -> Option<String> {
    let words: Vec<&str> = program.split_whitespace().collect();
    let (first, rest) = words.split_first()?;
    if !crate::process::on_path(first) {
        return None;
    }
    let out = crate::process::Cmd::new(first).args(rest).args(["version", "--short"]).output().ok()?;
    let text = out.stdout.trim().trim_start_matches('v');
    (out.status.success() && !text.is_empty()).then(|| text.split('.').next().unwrap_or("").to_string())
}

#[cfg(test)]
#[path = "plain_compose_tests.rs"]
mod tests;
