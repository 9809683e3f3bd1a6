//! Writing rendered files atomically: a reader sees the old file or the new one, never half.

use super::no_follow;
use anyhow::{Context as _, Result};
use std::path::Path;

/// Writes `text` to `path` through a temporary file in the same directory and a rename, with
/// permissions `mode` (0600 for anything that may hold a secret). Returns false, touching
/// nothing, when the file already holds exactly this text and mode.
///
/// Inside a checkout's `.cfn/` no folder below the checkout is followed if it is a link (a
/// repository may commit one); elsewhere the folder is taken as given. The file itself is never
/// written through: a link in its place is replaced.
pub fn write_atomic(path: &Path, text: &str, mode: u32) -> Result<bool> {
    let (root, rel) = no_follow::split(path);
    // `.cfn` holds the branch's secrets and run files: private, as docs/security.md says
    let dir_mode = 0o700;
    if rel.components().count() == 1 {
        // not in a checkout's `.cfn/`: the folder is the caller's own choice
        std::fs::create_dir_all(&root).with_context(|| format!("cannot create {}", root.display()))?;
    }
    no_follow::write_under(&root, &root.join(rel), text.as_bytes(), mode, dir_mode)
}
