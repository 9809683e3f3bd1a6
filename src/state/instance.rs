//! This cfn state's own id: 128 random bits made on first use and kept in
//! `$CFN_HOME/instance-id` (0600). Port claims on a shared engine name their owner by it, so
//! that several developers' cfn, each with its own state, tell their claims apart.

use anyhow::{Context as _, Result};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

const FILE: &str = "instance-id";

/// The id, made and stored on first use (of two processes making it at once, both read the
/// one that was written first).
pub fn instance_id(home: &Path) -> Result<String> {
    let path = home.join(FILE);
    if let Some(id) = read(&path)? {
        return Ok(id);
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("cannot read random bytes: {e}"))?;
    let id = crate::names::hex(&bytes);
    let fresh = home.join(format!(".{FILE}.{}", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&fresh)
        .with_context(|| format!("cannot write {}", fresh.display()))?;
    file.write_all(id.as_bytes())?;
    file.sync_all()?;
    // A hard link never replaces: the first writer's id stands.
    let linked = std::fs::hard_link(&fresh, &path);
    let _ = std::fs::remove_file(&fresh);
    match linked {
        Ok(()) => Ok(id),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read(&path)?.context("the instance id file is empty")
        }
        Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
    }
}

fn read(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let id = text.trim();
            let well_formed = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
            if !well_formed {
                anyhow::bail!("{} is damaged: delete it (cfn makes a new one)", path.display());
            }
            Ok(Some(id.to_string()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn made_once_private_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let first = instance_id(dir.path()).unwrap();
        assert_eq!(instance_id(dir.path()).unwrap(), first);
        let mode = std::fs::metadata(dir.path().join(FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let other = tempfile::tempdir().unwrap();
        assert_ne!(instance_id(other.path()).unwrap(), first);
    }
}
