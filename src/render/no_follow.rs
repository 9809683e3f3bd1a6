//! Writing below a trusted folder without following a symbolic link a repository planted.
//!
//! A checkout is untrusted: it may commit `.cfn` (or any folder cfn writes into) as a link to
//! `/etc/cron.d` or to another user's files. Every folder below the trusted root (the checkout,
//! chosen by the user) is therefore opened one component at a time with `O_NOFOLLOW |
//! O_DIRECTORY`, created (`mkdirat`) when missing, and files are written through that folder's
//! descriptor: a temporary file created `O_EXCL | O_NOFOLLOW`, then renamed within the folder
//! (a rename replaces a link at the destination, never writes through it). A link on the way is
//! refused with one clear error.

use crate::error::UserError;
use anyhow::{Context as _, Result};
use rustix::fs::{AtFlags, FileType, Mode, OFlags, CWD};
use rustix::io::Errno;
use std::ffi::OsStr;
use std::io::{Read as _, Write as _};
use std::os::fd::OwnedFd;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The folder inside each checkout that holds cfn's rendered, never-committed files.
pub const CFN_DIR: &str = ".cfn";

/// The trusted root of `path` and the rest: a path inside a checkout's `.cfn` is trusted up to
/// the checkout (the parent of its last `.cfn`), any other path up to its own folder.
pub fn split(path: &Path) -> (PathBuf, PathBuf) {
    let parts: Vec<Component> = path.components().collect();
    let root_len =
        parts.iter().rposition(|c| c.as_os_str() == CFN_DIR).unwrap_or(parts.len().saturating_sub(1));
    let root: PathBuf = parts[..root_len].iter().collect();
    let rest: PathBuf = parts[root_len..].iter().collect();
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    (root, rest)
}

/// The error for a link found where cfn writes.
pub fn link_refused(path: &Path) -> anyhow::Error {
    UserError::new(format!("{} is a symbolic link; cfn does not write through links in a checkout", path.display()))
        .hint("remove the link (`git rm --cached` it if the repository tracks it; cfn makes the folder itself), then run cfn again")
        .into()
}

/// Opens the folder `rel` below `root`, never following a link below `root`; missing folders
/// are created with `create` when it is given.
pub fn open_dir(root: &Path, rel: &Path, create: Option<u32>) -> Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let mut dir = rustix::fs::open(root, flags, Mode::empty())
        .with_context(|| format!("cannot open {}", root.display()))?;
    let mut shown = root.to_path_buf();
    for part in rel.components() {
        let name = match part {
            Component::Normal(name) => name,
            Component::CurDir => continue,
            _ => anyhow::bail!("{} is not a path below {}", rel.display(), root.display()),
        };
        shown.push(name);
        dir = match open_child_dir(&dir, name) {
            Ok(fd) => fd,
            Err(Errno::NOENT) if create.is_some() => {
                let mode = Mode::from_raw_mode(create.unwrap_or(0o700));
                match rustix::fs::mkdirat(&dir, name, mode) {
                    Ok(()) | Err(Errno::EXIST) => {}
                    Err(e) => return Err(e).with_context(|| format!("cannot create {}", shown.display())),
                }
                open_child_dir(&dir, name).map_err(|e| refusal(&dir, name, &shown, e))?
            }
            Err(e) => return Err(refusal(&dir, name, &shown, e)),
        };
        if create.is_some() && name == CFN_DIR {
            tighten(&dir, &shown)?;
        }
    }
    Ok(dir)
}

/// Makes an open `.cfn` folder 0700 when it is open to others: a repository may commit one
/// (0755), and it holds the branch's secrets. It was opened without following a link, so the
/// mode changed is the folder's own; one of another owner is left as it is.
fn tighten(dir: &OwnedFd, shown: &Path) -> Result<()> {
    let st = rustix::fs::fstat(dir).with_context(|| format!("cannot read {}", shown.display()))?;
    if st.st_mode & 0o077 == 0 {
        return Ok(());
    }
    match rustix::fs::fchmod(dir, Mode::from_raw_mode(0o700)) {
        Ok(()) | Err(Errno::PERM) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot make {} private", shown.display())),
    }
}

/// The folder `name` inside `dir`, refused if it is a link.
pub fn open_child_dir(dir: &OwnedFd, name: &OsStr) -> rustix::io::Result<OwnedFd> {
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    rustix::fs::openat(dir, name, flags, Mode::empty())
}

/// Why `name` in `dir` could not be opened as a folder: a link is refused by name.
fn refusal(dir: &OwnedFd, name: &OsStr, shown: &Path, err: Errno) -> anyhow::Error {
    if is_link_at(dir, name) {
        return link_refused(shown);
    }
    anyhow::Error::from(std::io::Error::from(err)).context(format!("cannot open {}", shown.display()))
}

fn is_link_at(dir: &OwnedFd, name: &OsStr) -> bool {
    rustix::fs::statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
}

/// Whether `path` itself (not what it points to) is a symbolic link.
pub fn is_link(path: &Path) -> bool {
    rustix::fs::statat(CWD, path, AtFlags::SYMLINK_NOFOLLOW)
        .is_ok_and(|st| FileType::from_raw_mode(st.st_mode) == FileType::Symlink)
}

/// Refuses an SQLite database at `path` whose file, journal, `-wal` or `-shm` is a link:
/// SQLite follows them, and a checkout may have planted one.
pub fn refuse_linked_database(path: &Path) -> Result<()> {
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = PathBuf::from(name);
        if is_link(&file) {
            return Err(link_refused(&file));
        }
    }
    Ok(())
}

/// Creates the folder `dir` (below `root`) and its missing parents with `mode`, refusing a link
/// anywhere below `root`.
#[cfg(test)]
pub fn create_dir_under(root: &Path, dir: &Path, mode: u32) -> Result<()> {
    open_dir(root, below(root, dir)?, Some(mode)).map(drop)
}

/// Writes `bytes` to `path` (below `root`) atomically with permissions `mode`, never through a
/// link. Returns false, touching nothing, when the file already holds exactly this and mode.
pub fn write_under(root: &Path, path: &Path, bytes: &[u8], mode: u32, dir_mode: u32) -> Result<bool> {
    let rel = below(root, path)?;
    let name = rel.file_name().with_context(|| format!("{} names no file", path.display()))?;
    let dir = open_dir(root, rel.parent().unwrap_or(Path::new("")), Some(dir_mode))?;
    write_at(&dir, name, bytes, mode).with_context(|| format!("cannot write {}", path.display()))
}

/// [`write_under`] inside an open folder.
pub fn write_at(dir: &OwnedFd, name: &OsStr, bytes: &[u8], mode: u32) -> Result<bool> {
    if holds(dir, name, bytes, mode) {
        return Ok(false);
    }
    replace_at(dir, name, mode, |file| {
        file.write_all(bytes)?;
        // a rendered file is read by compose right after: it must be whole after a crash too
        file.sync_all()
    })?;
    Ok(true)
}

/// Streams `source` into `name` inside `dir` the same way (no sync: a copied file is the user's
/// to keep, and syncing each file of a large folder would cost seconds).
pub fn copy_at(dir: &OwnedFd, name: &OsStr, source: &mut std::fs::File, mode: u32) -> Result<()> {
    replace_at(dir, name, mode, |file| std::io::copy(source, file).map(drop))
}

/// Fills a new temporary file (created `O_EXCL | O_NOFOLLOW`, permissions `mode`) with `fill`
/// and renames it to `name`, all within `dir`.
fn replace_at(
    dir: &OwnedFd,
    name: &OsStr,
    mode: u32,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let tmp = format!(
        ".{}.{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let fd = rustix::fs::openat(dir, tmp.as_str(), flags, Mode::from_raw_mode(mode))?;
    let result = (|| -> Result<()> {
        // the umask may have taken bits away from the mode given at creation
        rustix::fs::fchmod(&fd, Mode::from_raw_mode(mode))?;
        let mut file = std::fs::File::from(fd);
        fill(&mut file)?;
        rustix::fs::renameat(dir, tmp.as_str(), dir, name)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = rustix::fs::unlinkat(dir, tmp.as_str(), AtFlags::empty());
    }
    result
}

/// Whether `name` in `dir` is a regular file (not a link) holding `bytes` with `mode`.
fn holds(dir: &OwnedFd, name: &OsStr, bytes: &[u8], mode: u32) -> bool {
    let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    let Ok(fd) = rustix::fs::openat(dir, name, flags, Mode::empty()) else { return false };
    let Ok(st) = rustix::fs::fstat(&fd) else { return false };
    if FileType::from_raw_mode(st.st_mode) != FileType::RegularFile
        || st.st_mode & 0o777 != mode
        || st.st_size as u64 != bytes.len() as u64
    {
        return false;
    }
    let mut current = Vec::with_capacity(bytes.len());
    std::fs::File::from(fd).read_to_end(&mut current).is_ok() && current == bytes
}

/// Removes the file `path` (below `root`) if it is there, never through a link on the way.
pub fn remove_under(root: &Path, path: &Path) -> Result<()> {
    let rel = below(root, path)?;
    let Some(name) = rel.file_name() else { return Ok(()) };
    let dir = match open_dir(root, rel.parent().unwrap_or(Path::new("")), None) {
        Ok(dir) => dir,
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::NotFound) =>
        {
            return Ok(())
        }
        Err(e) => return Err(e),
    };
    match rustix::fs::unlinkat(&dir, name, AtFlags::empty()) {
        Ok(()) | Err(Errno::NOENT) => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

fn below<'a>(root: &Path, path: &'a Path) -> Result<&'a Path> {
    path.strip_prefix(root).with_context(|| format!("{} is not below {}", path.display(), root.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, PermissionsExt as _};

    fn mode(path: &Path) -> u32 {
        std::fs::symlink_metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_committed_cfn_folder_is_made_private_when_written_into() {
        let tmp = tempfile::tempdir().unwrap();
        let cfn = tmp.path().join(CFN_DIR);
        std::fs::create_dir(&cfn).unwrap();
        std::fs::set_permissions(&cfn, std::fs::Permissions::from_mode(0o755)).unwrap();
        write_under(tmp.path(), &cfn.join("env"), b"A=1\n", 0o600, 0o700).unwrap();
        assert_eq!((mode(&cfn), mode(&cfn.join("env"))), (0o700, 0o600));
    }

    #[test]
    fn a_linked_cfn_folder_is_refused_and_nothing_is_written_through_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (checkout, outside) = (tmp.path().join("repo"), tmp.path().join("outside"));
        std::fs::create_dir_all(&checkout).unwrap();
        std::fs::create_dir_all(&outside).unwrap();
        symlink(&outside, checkout.join(".cfn")).unwrap();
        let err = write_under(&checkout, &checkout.join(".cfn/env"), b"X=1\n", 0o600, 0o700).unwrap_err();
        assert!(format!("{err:#}").contains("is a symbolic link"), "{err:#}");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing written outside");
        // a link deeper down too
        std::fs::remove_file(checkout.join(".cfn")).unwrap();
        std::fs::create_dir(checkout.join(".cfn")).unwrap();
        symlink(&outside, checkout.join(".cfn/compose")).unwrap();
        let err =
            write_under(&checkout, &checkout.join(".cfn/compose/0-a.yml"), b"x", 0o644, 0o700).unwrap_err();
        assert!(format!("{err:#}").contains(".cfn/compose is a symbolic link"), "{err:#}");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
        assert!(create_dir_under(&checkout, &checkout.join(".cfn/compose/x"), 0o700).is_err());
        assert!(remove_under(&checkout, &checkout.join(".cfn/compose/a")).is_err());
    }

    #[test]
    fn a_link_at_the_file_itself_is_replaced_not_written_through() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("victim");
        std::fs::write(&target, "precious").unwrap();
        std::fs::create_dir(tmp.path().join(".cfn")).unwrap();
        let file = tmp.path().join(".cfn/env");
        symlink(&target, &file).unwrap();
        assert!(write_under(tmp.path(), &file, b"X=1\n", 0o600, 0o700).unwrap());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert!(!is_link(&file));
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "X=1\n");
        assert_eq!(mode(&file), 0o600);
    }

    #[test]
    fn folders_are_made_with_the_mode_and_unchanged_files_are_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join(".cfn/compose/0-a.yml");
        assert!(write_under(tmp.path(), &file, b"a", 0o644, 0o700).unwrap());
        assert_eq!(mode(&tmp.path().join(".cfn")), 0o700);
        assert_eq!(mode(&file), 0o644);
        assert!(!write_under(tmp.path(), &file, b"a", 0o644, 0o700).unwrap(), "same text and mode");
        assert!(write_under(tmp.path(), &file, b"a", 0o600, 0o700).unwrap(), "mode differs");
        remove_under(tmp.path(), &file).unwrap();
        remove_under(tmp.path(), &file).unwrap();
        remove_under(tmp.path(), &tmp.path().join("gone/x")).unwrap();
        assert!(!file.exists());
        let names: Vec<_> = std::fs::read_dir(tmp.path().join(".cfn/compose")).unwrap().collect();
        assert!(names.is_empty(), "no temporary file left: {names:?}");
    }

    #[test]
    fn a_database_with_a_linked_companion_file_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let db = tmp.path().join("branch.db");
        refuse_linked_database(&db).unwrap();
        symlink(tmp.path().join("elsewhere"), tmp.path().join("branch.db-wal")).unwrap();
        let err = refuse_linked_database(&db).unwrap_err();
        assert!(format!("{err:#}").contains("branch.db-wal is a symbolic link"), "{err:#}");
    }

    #[test]
    fn the_trusted_root_is_the_checkout_of_the_last_cfn_folder() {
        assert_eq!(split(Path::new("/w/repo/.cfn/compose/a")), ("/w/repo".into(), ".cfn/compose/a".into()));
        assert_eq!(split(Path::new("/home/u/state/keys.json")), ("/home/u/state".into(), "keys.json".into()));
        assert_eq!(split(Path::new("keys.json")), (".".into(), "keys.json".into()));
    }
}
