//! Reading a project's template by name, confined to its templates folder.
//!
//! A template comes with the repository, which is untrusted: `{% include "../../.ssh/id_x" %}`
//! or `{% include "/proc/self/environ" %}` must not copy a file of the user's into a rendered
//! one. A name is therefore a relative path of plain components (no absolute path, no `..`,
//! no `.`), and the file it names must still lie inside the folder once every symbolic link
//! is resolved — a link inside the folder pointing out of it is refused, not followed.

use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path, PathBuf};

/// Why a template name was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Empty, absolute, or holding `..`, `.` or a NUL byte.
    BadName,
    /// The name resolves (through a symbolic link) to a file outside the folder.
    Outside(PathBuf),
}

impl Refusal {
    pub fn message(&self, name: &str) -> String {
        match self {
            Refusal::BadName => {
                format!("template name {name:?} is not a plain relative path inside the templates folder")
            }
            Refusal::Outside(target) => {
                format!("template {name:?} resolves to {}, outside the templates folder", target.display())
            }
        }
    }
}

/// Whether `name` is a relative path made only of plain components.
pub fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.contains('\0')
        && !name.starts_with('/')
        && Path::new(name).components().all(|c| matches!(c, Component::Normal(_)))
        // `a/./b` normalises away its `.` in `components()`; refuse it all the same
        && !name.split('/').any(|part| part == "." || part == "..")
}

/// The text of template `name` in `dir`: `Ok(None)` when the folder has no such file (the
/// built-in template is used then), an error for a refused name or an unreadable file.
pub fn read(dir: &Path, name: &str) -> Result<Option<String>, LoadError> {
    if !is_plain_name(name) {
        return Err(LoadError::Refused(Refusal::BadName));
    }
    let candidate = dir.join(name);
    // A dangling link or a missing file: nothing to read, the built-in one (if any) is used.
    let Ok(resolved) = candidate.canonicalize() else { return Ok(None) };
    let root = dir.canonicalize().map_err(|e| LoadError::Io(dir.to_path_buf(), e))?;
    if !resolved.starts_with(&root) {
        return Err(LoadError::Refused(Refusal::Outside(resolved)));
    }
    if !resolved.is_file() {
        return Ok(None);
    }
    // The resolved path has no links left; O_NOFOLLOW refuses one swapped in since.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(&resolved)
        .map_err(|e| LoadError::Io(resolved.clone(), e))?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(|e| LoadError::Io(resolved.clone(), e))?;
    Ok(Some(text))
}

#[derive(Debug)]
pub enum LoadError {
    Refused(Refusal),
    Io(PathBuf, std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_only() {
        for ok in ["env.j2", "partials/ports.j2", "a.b/c"] {
            assert!(is_plain_name(ok), "{ok}");
        }
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "./env.j2", "a/./b", "a\0b", ".."] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn links_out_are_refused_and_links_in_are_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "KEY").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("real.j2"), "ok").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), dir.path().join("out.j2")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("real.j2"), dir.path().join("in.j2")).unwrap();
        assert!(matches!(read(dir.path(), "out.j2"), Err(LoadError::Refused(Refusal::Outside(_)))));
        assert!(matches!(read(dir.path(), "sub/secret"), Err(LoadError::Refused(Refusal::Outside(_)))));
        assert!(matches!(read(dir.path(), "../secret"), Err(LoadError::Refused(Refusal::BadName))));
        assert_eq!(read(dir.path(), "in.j2").unwrap().as_deref(), Some("ok"));
        assert_eq!(read(dir.path(), "missing.j2").unwrap(), None);
    }
}
