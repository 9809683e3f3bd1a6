//! Writing rendered files atomically: a reader sees the old file or the new one, never half.

use anyhow::{Context as _, Result};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Writes `text` to `path` through a temporary file in the same directory and a rename, with
/// permissions `mode` (0600 for anything that may hold a secret). Returns false, touching
/// nothing, when the file already holds exactly this text and mode.
pub fn write_atomic(path: &Path, text: &str, mode: u32) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o777 == mode
            && std::fs::read(path).ok().as_deref() == Some(text.as_bytes())
        {
            return Ok(false);
        }
    }
    let dir = path.parent().context("a rendered file needs a parent directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<()> {
        let mut file =
            std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(&tmp)?;
        file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))?;
    Ok(true)
}
