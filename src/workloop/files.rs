//! The files a run leaves in the worktree's `.cfn/loop/`: private folders (0700) named so that
//! two different ids never share one.

use anyhow::{Context as _, Result};
use std::path::Path;

/// Creates `dir` and any missing parent as 0700, and tightens `dir` itself to 0700 if it
/// already existed: it holds context files, logs and the feedback of a run. Inside a checkout's
/// `.cfn/` no folder is followed if it is a link (render::no_follow).
pub fn private_dir(dir: &Path) -> Result<()> {
    use crate::render::no_follow;
    let (root, rel) = no_follow::split(dir);
    let fd = no_follow::open_dir(&root, &rel, Some(0o700))?;
    let mode = rustix::fs::fstat(&fd)?.st_mode & 0o777;
    if mode != 0o700 {
        rustix::fs::fchmod(&fd, rustix::fs::Mode::from_raw_mode(0o700))
            .with_context(|| format!("cannot make {} private", dir.display()))?;
    }
    Ok(())
}

/// A file or folder name for a task or agent id, different for different ids: the id itself
/// when it is already a slug, else its slug, `~` and a hash of the id (`s.1` → `s-1~3f…`, while
/// `s-1` stays `s-1`). A slug never holds `~`, so the two forms cannot meet.
pub fn folder_name(id: &str) -> String {
    let slug = crate::names::slug(id);
    if slug == id {
        return slug;
    }
    use sha2::{Digest as _, Sha256};
    let digest = crate::names::hex(&Sha256::digest(id.as_bytes()));
    format!("{slug}~{}", &digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn different_ids_get_different_folders() {
        let ids = ["s.1", "s-1", "S-1", "s/1", "s_1", "s--1", "-s-1"];
        let names: std::collections::HashSet<String> = ids.iter().map(|id| folder_name(id)).collect();
        assert_eq!(names.len(), ids.len(), "{names:?}");
        assert_eq!(folder_name("s-1"), "s-1");
        assert!(folder_name("s.1").starts_with("s-1~"));
    }

    #[test]
    fn an_existing_folder_is_tightened() -> Result<()> {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().join("loop");
        std::fs::create_dir(&dir)?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))?;
        private_dir(&dir.join("t1"))?;
        private_dir(&dir)?;
        for d in [dir.clone(), dir.join("t1")] {
            assert_eq!(std::fs::metadata(&d)?.permissions().mode() & 0o777, 0o700, "{}", d.display());
        }
        Ok(())
    }
}
