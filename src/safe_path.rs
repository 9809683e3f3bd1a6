//! Paths a repository names in its configuration stay inside the repository.
//!
//! `cfn.toml` comes with the repository, so it is untrusted: `compose_files = ["/tmp/victim"]`,
//! `templates_dir = "../.."` or `migrations.dir = "db"` with `db` a committed link to `/etc`
//! would make cfn read (and, beside a compose file, write) outside it. A configured path must be
//! relative, must not climb out with `..`, and must still be inside once every link in it is
//! resolved; otherwise one error names the key and the path.

use crate::error::UserError;
use anyhow::Result;
use std::path::{Component, Path, PathBuf};

/// Whether `rel` is relative and never climbs above its starting folder (`a/../b` is fine,
/// `../b` and `/b` are not).
pub fn stays_inside(rel: &str) -> bool {
    let mut depth: usize = 0;
    for part in Path::new(rel).components() {
        match part {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir if depth > 0 => depth -= 1,
            _ => return false,
        }
    }
    true
}

/// The error for `key = value` pointing outside the repository.
pub fn outside(key: &str, value: &str, why: &str) -> anyhow::Error {
    UserError::new(format!("{key} {value:?} is outside the repository ({why})"))
        .hint(format!(
            "make {key} name a path inside the repository, relative to its root; cfn reads and writes nothing outside it"
        ))
        .into()
}

/// Fails unless `rel` [`stays_inside`], naming `key`.
pub fn inside_lexically(rel: &str, key: &str) -> Result<()> {
    if stays_inside(rel) {
        return Ok(());
    }
    let why = if Path::new(rel).is_absolute() { "an absolute path" } else { "it climbs out with `..`" };
    Err(outside(key, rel, why))
}

/// A copy glob (`[copy]`, `.worktreeinclude`) is matched against paths inside the repository: a
/// leading `/` anchors it at the root, but a `..` part could never match and is refused.
pub fn glob_inside(glob: &str, key: &str) -> Result<()> {
    if glob.split('/').any(|part| part == "..") {
        return Err(outside(key, glob, "a glob with `..`"));
    }
    Ok(())
}

/// `root`/`rel`, after checking that it is inside `root`, links resolved: the nearest part of
/// the path that exists must resolve to `root` or below, and a dangling link counts as outside.
pub fn inside(root: &Path, rel: &str, key: &str) -> Result<PathBuf> {
    inside_lexically(rel, key)?;
    let path = root.join(rel);
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for existing in path.ancestors() {
        if std::fs::symlink_metadata(existing).is_err() {
            continue;
        }
        return match std::fs::canonicalize(existing) {
            Ok(real) if real.starts_with(&real_root) => Ok(path),
            Ok(real) => Err(outside(key, rel, &format!("a symbolic link leads to {}", real.display()))),
            Err(_) => Err(outside(key, rel, "it goes through a symbolic link that leads nowhere")),
        };
    }
    Ok(path)
}

/// Every link among the entries of `dir` (a folder inside `root`) leads inside `root`: a
/// migration file committed as a link to `/etc/shadow` would otherwise be read, and its text
/// shown in SQL errors.
pub fn entries_inside(root: &Path, dir: &Path, key: &str) -> Result<()> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Ok(()) };
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    for entry in entries.flatten() {
        if !entry.file_type().is_ok_and(|t| t.is_symlink()) {
            continue;
        }
        let path = entry.path();
        if !std::fs::canonicalize(&path).is_ok_and(|real| real.starts_with(&real_root)) {
            let shown = path.strip_prefix(root).unwrap_or(&path).display().to_string();
            return Err(outside(key, &shown, "a symbolic link that leads out of the repository"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_and_climbing_paths_are_outside() {
        assert!(stays_inside("compose.yaml"));
        assert!(stays_inside("./docker/../compose.yaml"));
        assert!(!stays_inside("/tmp/victim"));
        assert!(!stays_inside("../outside.yml"));
        assert!(!stays_inside("a/../../b"));
        let err = inside(Path::new("/r"), "/tmp/victim", "project.compose_files").unwrap_err();
        assert_eq!(
            err.to_string(),
            "project.compose_files \"/tmp/victim\" is outside the repository (an absolute path)"
        );
    }

    #[test]
    fn a_linked_entry_of_a_folder_must_stay_inside() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("migrations")).unwrap();
        std::fs::write(repo.join("base.sql"), "select 1;").unwrap();
        std::os::unix::fs::symlink(repo.join("base.sql"), repo.join("migrations/0001_a.up.sql")).unwrap();
        entries_inside(&repo, &repo.join("migrations"), "migrations.dir").unwrap();
        std::fs::write(tmp.path().join("secret"), "root:x").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), repo.join("migrations/0002_b.up.sql")).unwrap();
        let err = entries_inside(&repo, &repo.join("migrations"), "migrations.dir").unwrap_err();
        assert!(err.to_string().contains("\"migrations/0002_b.up.sql\" is outside the repository"), "{err}");
    }

    #[test]
    fn a_link_that_leads_out_is_outside_and_one_that_stays_in_is_fine() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, out) = (tmp.path().join("repo"), tmp.path().join("out"));
        std::fs::create_dir_all(repo.join("real")).unwrap();
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("c.yml"), "services: {}\n").unwrap();
        std::os::unix::fs::symlink(&out, repo.join("docker")).unwrap();
        std::os::unix::fs::symlink(repo.join("real"), repo.join("inner")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("gone"), repo.join("dangling")).unwrap();
        let err = inside(&repo, "docker/c.yml", "project.compose_files").unwrap_err();
        assert!(err.to_string().contains("a symbolic link leads to"), "{err}");
        // a missing file below a link that leads out is still outside
        assert!(inside(&repo, "docker/missing/c.yml", "k").is_err());
        assert!(inside(&repo, "dangling/x", "k").is_err());
        assert_eq!(inside(&repo, "inner/c.yml", "k").unwrap(), repo.join("inner/c.yml"));
        assert_eq!(inside(&repo, "not/there/yet", "k").unwrap(), repo.join("not/there/yet"));
    }
}
