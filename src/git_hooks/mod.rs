//! Git hooks that keep cfn in step with plain git: a worktree made by `git worktree add` gets
//! provisioned (post-checkout), new migrations after a merge are applied or announced
//! (post-merge).
//!
//! Hooks go where git really looks (`git rev-parse --git-path hooks`: honours `core.hooksPath`,
//! and from a linked worktree names the shared hooks folder, since a linked worktree's `.git` is
//! a file). A hook already there is never overwritten: it is renamed `<hook>.cfn-chained`, run
//! first by cfn's hook with the same arguments, and put back by `uninstall`.

mod script;

use crate::git;
use anyhow::{Context as _, Result};
use serde::Serialize;
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

pub const HOOKS: &[&str] = &["post-checkout", "post-merge"];
const CHAINED_SUFFIX: &str = ".cfn-chained";

#[derive(Debug, Serialize)]
pub struct HookState {
    pub hook: String,
    pub path: String,
    pub installed: bool,
    /// A previous hook that cfn's hook runs first.
    pub chained: bool,
    /// A hook that is not cfn's (install would chain it).
    pub foreign: bool,
    /// cfn's hook as an older cfn wrote it (install writes the current one).
    pub outdated: bool,
}

/// The folder git runs hooks from, for the checkout at `dir`.
pub fn hooks_dir(dir: &Path) -> Result<PathBuf> {
    let out = git::git(dir).args(["rev-parse", "--git-path", "hooks"]).read()?;
    let path = PathBuf::from(out.trim());
    Ok(if path.is_absolute() { path } else { dir.join(path) })
}

pub fn status(dir: &Path) -> Result<Vec<HookState>> {
    let hooks = hooks_dir(dir)?;
    HOOKS
        .iter()
        .map(|name| {
            let path = hooks.join(name);
            let ours = is_ours(&path);
            Ok(HookState {
                hook: name.to_string(),
                path: path.to_string_lossy().into_owned(),
                installed: ours,
                chained: chained_path(&path).exists(),
                foreign: path.exists() && !ours,
                outdated: ours && !is_current(&path),
            })
        })
        .collect()
}

/// Installs cfn's hooks, chaining any hook already there; running it again changes nothing.
pub fn install(dir: &Path, cfn_binary: &Path) -> Result<Vec<HookState>> {
    let hooks = hooks_dir(dir)?;
    // a hooks folder that is a link (`core.hooksPath` naming a folder the repository tracks as
    // one) would put executable files wherever it points
    if crate::render::no_follow::is_link(&hooks) {
        return Err(crate::render::no_follow::link_refused(&hooks));
    }
    std::fs::create_dir_all(&hooks).with_context(|| format!("cannot create {}", hooks.display()))?;
    for name in HOOKS {
        let path = hooks.join(name);
        if path.exists() && !is_ours(&path) {
            let chained = chained_path(&path);
            if chained.exists() {
                anyhow::bail!("both {} and {} exist; move one away first", path.display(), chained.display());
            }
            std::fs::rename(&path, &chained).with_context(|| format!("cannot move {}", path.display()))?;
        }
        crate::render::write_atomic(&path, &script::hook_script(name, cfn_binary), 0o755)?;
    }
    status(dir)
}

/// Removes cfn's hooks and puts chained ones back.
pub fn uninstall(dir: &Path) -> Result<Vec<HookState>> {
    let hooks = hooks_dir(dir)?;
    for name in HOOKS {
        let path = hooks.join(name);
        if is_ours(&path) {
            std::fs::remove_file(&path).with_context(|| format!("cannot remove {}", path.display()))?;
        }
        let chained = chained_path(&path);
        if chained.exists() && !path.exists() {
            std::fs::rename(&chained, &path).with_context(|| format!("cannot restore {}", path.display()))?;
        }
    }
    status(dir)
}

fn chained_path(hook: &Path) -> PathBuf {
    let mut name = hook.as_os_str().to_owned();
    name.push(CHAINED_SUFFIX);
    PathBuf::from(name)
}

fn is_current(path: &Path) -> bool {
    std::fs::read_to_string(path).map(|t| t.contains(script::VERSION)).unwrap_or(false)
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).map(|t| t.contains(script::MARKER)).unwrap_or(false)
}

/// Whether the file is executable (git skips hooks that are not).
pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).map(|m| m.permissions().mode() & 0o111 != 0).unwrap_or(false)
}
