//! What `render` would write for a branch, found without touching the branch's `.cfn/`.
//!
//! The renderer writes into the checkout it is given, so the branch's compose files and `.env`
//! are mirrored into a private temporary directory and rendered there; the mirror's path is then
//! replaced by the checkout's in the results. The env file is compared as variables (its
//! values hold paths that dotenv quoting could spell differently), the compose files as text.

use crate::plain_compose::Plain;
use crate::render::dotenv;
use crate::stack_files::{self, CFN_DIR, ENV_FILE};
use crate::workspace::{BranchEnv, Workspace};
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

/// A temporary directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Result<TempDir> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("cfn-doctor-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let dir = std::env::temp_dir().join(name);
        use std::os::unix::fs::DirBuilderExt as _;
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The rendered files of a branch that are missing or differ from what cfn would write now,
/// as paths relative to the checkout (`.cfn/env`). An error means the templates do not render.
pub fn stale_files(ws: &Workspace, env: &BranchEnv) -> Result<Vec<String>> {
    Ok(stale_and_plain(ws, env)?.0)
}

/// [`stale_files`], and what plain `docker compose` in the checkout runs (found on the way).
pub fn stale_and_plain(ws: &Workspace, env: &BranchEnv) -> Result<(Vec<String>, Plain)> {
    let scratch = TempDir::new()?;
    mirror(ws, &env.path, &scratch.0)?;
    let fake = BranchEnv { path: scratch.0.clone(), ..env.clone() };
    let files = stack_files::render(ws, &fake)?;
    let mut stale = Vec::new();

    let env_rel = Path::new(CFN_DIR).join(ENV_FILE);
    let wanted = stack_files::env_vars(ws, env)?;
    match std::fs::read_to_string(env.path.join(&env_rel)) {
        Ok(text) if dotenv::parse(&text) == wanted => {}
        _ => stale.push(env_rel.to_string_lossy().into_owned()),
    }
    let (from, to) = (scratch.0.to_string_lossy().into_owned(), env.path.to_string_lossy().into_owned());
    for rendered in &files.compose_files {
        let Ok(rel) = rendered.strip_prefix(&scratch.0) else { continue };
        let expected = std::fs::read_to_string(rendered)
            .with_context(|| format!("cannot read {}", rendered.display()))?
            .replace(&from, &to);
        if std::fs::read_to_string(env.path.join(rel)).ok().as_deref() != Some(expected.as_str()) {
            stale.push(rel.to_string_lossy().into_owned());
        }
    }
    // the block of plain `docker compose` in the checkout's `.env`, and its reset override
    let plain = crate::plain_compose::inspect(ws, env, crate::plain_compose::compose_is_v2)?;
    stale.extend(plain.stale());
    Ok((stale, plain.state().clone()))
}

/// Copies what rendering reads from a checkout: its compose files and its `.env`.
fn mirror(ws: &Workspace, checkout: &Path, scratch: &Path) -> Result<()> {
    let mut wanted: Vec<&str> = ws.config.project.compose_files.iter().map(String::as_str).collect();
    wanted.push(".env");
    for rel in wanted {
        let from = checkout.join(rel);
        if !from.is_file() {
            continue;
        }
        let to = scratch.join(rel);
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        std::fs::copy(&from, &to).with_context(|| format!("cannot copy {}", from.display()))?;
    }
    Ok(())
}
