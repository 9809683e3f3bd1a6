//! Which cfn.toml governs a checkout: the main checkout's, or a worktree's own for what is the
//! branch's (its `[ports]` but `bind`, and `project.compose_files`). Used by the workspace for
//! every command and by the registry rebuild, which runs before a workspace exists.

use crate::config::{Config, FILE_NAME};
use crate::error::UserError;
use crate::git;
use anyhow::Result;
use std::borrow::Cow;
use std::path::Path;

/// The configuration governing the checkout at `checkout` of the repository whose main checkout
/// is `main_root` with configuration `main`. A worktree without a cfn.toml borrows `main`; a
/// broken one is an error naming the file.
pub fn governing<'a>(main: &'a Config, main_root: &Path, checkout: &Path) -> Result<Cow<'a, Config>> {
    if git::same_path(checkout, main_root) {
        return Ok(Cow::Borrowed(main));
    }
    // A worktree whose directory is gone has no cfn.toml of its own (and nothing to resolve
    // links against); its registration is reported elsewhere.
    if !checkout.is_dir() {
        return Ok(Cow::Borrowed(main));
    }
    // A branch may commit cfn.toml as a link to any file; its text would show in parse errors.
    let path = crate::safe_path::inside(checkout, FILE_NAME, FILE_NAME)?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Cow::Borrowed(main)),
        Err(e) => {
            return Err(UserError::new(format!("cannot read {}: {e}", path.display()))
                .hint("a worktree's own cfn.toml governs its ports: make it readable")
                .into())
        }
    };
    let own = Config::parse(&text, &path).map_err(|e| {
        let message = e
            .chain()
            .find_map(|c| c.downcast_ref::<UserError>())
            .map(|u| u.message.clone())
            .unwrap_or_else(|| format!("{e:#}"));
        anyhow::Error::from(UserError::new(message).hint(
            "fix that cfn.toml: a worktree's own cfn.toml governs its ports and compose files \
             (docs/configuration.md)",
        ))
    })?;
    let mut config = main.clone();
    config.ports = own.ports;
    // The address ports are published on is the repository's: a branch (possibly someone
    // else's) must not open the stack beyond the host.
    config.ports.bind = main.ports.bind.clone();
    config.project.compose_files = own.project.compose_files;
    Ok(Cow::Owned(config))
}
