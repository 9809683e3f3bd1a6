//! Volume copies straight on the host's filesystem, without helper containers, when that is
//! possible and correct: the engine is on this machine (a probe volume it creates appears at
//! its mountpoint here), cfn runs as root (it reads every file and keeps every owner), GNU `cp`
//! is installed, and the volume uses the `local` driver without options (a volume with driver
//! options — NFS, tmpfs, a bind — is mounted only while a container uses it, so its mountpoint
//! here does not hold its files).
//!
//! Why: a helper container costs a container start (0.6 s on the benchmark machine, more under
//! load) for each step, and replacing a volume's data through helpers costs a second full copy
//! (the target emptied, then the temporary copied into it). On the host, the copy is
//! `cp -a --reflink=auto` (reflinks where the filesystem has them: btrfs, XFS; a plain copy on
//! ext4) and the swap is one `renameat2(RENAME_EXCHANGE)` of the two volumes' `_data` folders —
//! atomic, whatever its size (docs/data.md, docs/benchmarks.md).
//!
//! `CFN_DATA_COPY=helper` turns this off: every copy then goes through helper containers.

use crate::engine::Engine;
use crate::process::Cmd;
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};

/// Proof, from [`probe`], that this machine's filesystem holds the engine's local volumes.
pub struct Direct(());

/// Whether volumes can be copied on the host (module docs); `None` means through helpers.
pub async fn probe(engine: &Engine, home: &Path, project: &str) -> Option<Direct> {
    if std::env::var("CFN_DATA_COPY").is_ok_and(|v| v == "helper") {
        return None;
    }
    if !rustix::process::geteuid().is_root() || !gnu_cp() {
        return None;
    }
    // a volume of a random name the engine has just made is at its mountpoint here only when
    // the host sees the engine's files (not a remote engine, nor one in a virtual machine)
    let name = super::swap::create_tmp(engine, home, "cfn-probe", project).await.ok()?;
    let seen = dir_of(engine, &name).await.ok().flatten().is_some();
    super::swap::delete(engine, &name).await;
    seen.then_some(Direct(()))
}

fn gnu_cp() -> bool {
    Cmd::new("cp")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() && o.stdout.contains("GNU coreutils"))
}

/// The folder holding `volume`'s files on this machine: a `local` volume without options
/// whose mountpoint is a folder here; `None` otherwise.
pub async fn dir_of(engine: &Engine, volume: &str) -> Result<Option<PathBuf>> {
    let v = engine.docker.inspect_volume(volume).await?;
    if v.driver != "local" || !v.options.is_empty() || v.mountpoint.is_empty() {
        return Ok(None);
    }
    let dir = PathBuf::from(v.mountpoint);
    Ok(dir.is_dir().then_some(dir))
}

impl Direct {
    /// The folders of `volumes` when every one is reachable on the host ([`dir_of`]).
    pub async fn dirs(&self, engine: &Engine, volumes: &[&str]) -> Result<Option<Vec<PathBuf>>> {
        let mut dirs = Vec::new();
        for v in volumes {
            let Some(dir) = dir_of(engine, v).await? else { return Ok(None) };
            dirs.push(dir);
        }
        Ok(Some(dirs))
    }
}

/// Copies the contents of folder `from` into the empty folder `to` as `cp -a` does (owners,
/// modes, times, links, extended attributes; `to` takes `from`'s own owner and mode), with
/// reflinks where the filesystem supports them. `cp` dies with cfn: killed, cfn must not leave
/// it writing into a volume `doctor --fix` is about to delete.
pub fn copy(from: &Path, to: &Path) -> Result<()> {
    let out = Cmd::new("cp")
        .args(["-a", "--reflink=auto", "--no-target-directory", "--"])
        .arg(from)
        .arg(to)
        .dying_with_parent()
        .output()?;
    if !out.status.success() {
        anyhow::bail!(
            "cp -a {} {} failed ({}): {}",
            from.display(),
            to.display(),
            out.status,
            crate::process::last_lines(&out.stderr, 3)
        );
    }
    Ok(())
}

/// Swaps folders `a` and `b` in one step (`renameat2` with `RENAME_EXCHANGE`).
pub fn exchange(a: &Path, b: &Path) -> Result<()> {
    rustix::fs::renameat_with(rustix::fs::CWD, a, rustix::fs::CWD, b, rustix::fs::RenameFlags::EXCHANGE)
        .with_context(|| format!("cannot exchange {} and {}", a.display(), b.display()))
}

/// The inode number of folder `dir`: it follows the folder through an exchange, which is how
/// `doctor --fix` tells whether an interrupted swap happened.
pub fn inode(dir: &Path) -> Result<u64> {
    use std::os::unix::fs::MetadataExt as _;
    Ok(std::fs::metadata(dir).with_context(|| format!("cannot read {}", dir.display()))?.ino())
}

/// Bytes the files under `dir` take on disk, as `du` counts them (hard links once).
pub fn disk_bytes(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt as _;
    let mut seen = std::collections::HashSet::new();
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.nlink() > 1 && !meta.is_dir() && !seen.insert((meta.dev(), meta.ino())) {
                continue;
            }
            total = total.saturating_add(meta.blocks().saturating_mul(512));
            if meta.is_dir() {
                stack.push(entry.path());
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_keeps_modes_links_and_the_folder_s_own_mode_and_an_exchange_swaps_folders() {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let tmp = tempfile::tempdir().unwrap();
        let (from, to) = (tmp.path().join("from"), tmp.path().join("to"));
        std::fs::create_dir_all(from.join("sub")).unwrap();
        std::fs::write(from.join("sub/a"), b"alpha").unwrap();
        std::fs::set_permissions(from.join("sub/a"), std::fs::Permissions::from_mode(0o640)).unwrap();
        std::fs::hard_link(from.join("sub/a"), from.join("b")).unwrap();
        std::os::unix::fs::symlink("sub/a", from.join("c")).unwrap();
        std::fs::set_permissions(&from, std::fs::Permissions::from_mode(0o711)).unwrap();
        std::fs::create_dir(&to).unwrap();
        copy(&from, &to).unwrap();
        assert_eq!(std::fs::read(to.join("sub/a")).unwrap(), b"alpha");
        assert_eq!(std::fs::metadata(to.join("sub/a")).unwrap().mode() & 0o777, 0o640);
        assert_eq!(std::fs::read_link(to.join("c")).unwrap(), Path::new("sub/a"));
        let (a, b) = (std::fs::metadata(to.join("sub/a")).unwrap(), std::fs::metadata(to.join("b")).unwrap());
        assert_eq!(a.ino(), b.ino(), "a hard link stays one file");
        assert_eq!(std::fs::metadata(&to).unwrap().mode() & 0o777, 0o711);
        // writes to the copy never reach the source
        std::fs::write(to.join("sub/a"), b"changed").unwrap();
        assert_eq!(std::fs::read(from.join("sub/a")).unwrap(), b"alpha");

        let (ino_from, ino_to) = (inode(&from).unwrap(), inode(&to).unwrap());
        exchange(&from, &to).unwrap();
        assert_eq!((inode(&from).unwrap(), inode(&to).unwrap()), (ino_to, ino_from));
        assert!(disk_bytes(&from) > 0);
    }

    #[test]
    fn a_failed_copy_is_an_error_naming_both_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let err = copy(&tmp.path().join("missing"), &tmp.path().join("to")).unwrap_err();
        assert!(format!("{err:#}").contains("missing"), "{err:#}");
    }
}
