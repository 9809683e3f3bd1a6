//! The free-space check before a copy: the source's size is estimated (`du` of each volume in
//! a helper container, `pg_database_size` of a database), the free space of the filesystem
//! the copy lands on is read (`df` of the volumes in a helper, `statvfs` of the snapshot
//! folder), and a copy that cannot fit is refused in one line before anything is written.
//!
//! What a copy needs: a volume that replaces data is first copied whole into a temporary volume
//! (on the filesystem of the engine's volumes, where the source lives), then into the target
//! once the target is emptied — so the target's filesystem needs the size less what the target
//! held; a fresh target needs the size once; a PostgreSQL copy needs the database's size in its
//! server (a temporary database beside the target); a snapshot at most the uncompressed size.
//! Where no estimate can be made (a helper image without `du`/`df`, a server without a volume
//! cfn knows), the copy goes ahead unchecked.
//!
//! `CFN_TEST_FREE_KIB` (debug builds only, for tests) replaces every free space measured.

use super::helper::{self, VolumeMount};
use crate::engine::Engine;
use crate::error::UserError;
use anyhow::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// One filesystem, as `df -P` names it: (device, size in KiB).
type Fs = (String, u64);

/// A volume copy to check: source, target (`None` when it does not exist yet).
pub struct Planned<'a> {
    pub source: &'a str,
    pub target: Option<&'a str>,
}

/// Refuses when the copies of `planned` do not fit; `image` runs `du` and `df`.
pub async fn check_volumes(engine: &Engine, image: &str, planned: &[Planned<'_>]) -> Result<()> {
    if planned.is_empty() {
        return Ok(());
    }
    let mut names = Vec::new();
    for p in planned {
        names.push(p.source);
        names.extend(p.target);
    }
    let paths: Vec<String> = (0..names.len()).map(|i| format!("/v{i}")).collect();
    let mounts: Vec<VolumeMount> =
        names.iter().zip(&paths).map(|(volume, at)| VolumeMount { volume, at, read_only: true }).collect();
    // two helper containers at once: each costs a container start (about half a second)
    let (sizes, filesystems) =
        tokio::join!(du(engine, image, &mounts, &paths), df(engine, image, &mounts, &paths));
    let (Some(sizes), Some(filesystems)) = (sizes, filesystems) else { return Ok(()) };
    let mut need: BTreeMap<Fs, (u64, u64, Vec<&str>)> = BTreeMap::new();
    let mut i = 0;
    for p in planned {
        let (size, source_fs) = (sizes[i], filesystems[i].clone());
        i += 1;
        let entry = need.entry(source_fs.0.clone()).or_insert((source_fs.1, 0, Vec::new()));
        entry.1 += size;
        entry.2.push(p.source);
        if p.target.is_some() {
            let (held, target_fs) = (sizes[i], filesystems[i].clone());
            i += 1;
            let entry = need.entry(target_fs.0.clone()).or_insert((target_fs.1, 0, Vec::new()));
            entry.1 += size.saturating_sub(held);
            entry.2.extend(p.target);
        }
    }
    for (_, (free, needed, what)) in need {
        refuse_short(needed, free, &what.join(", "))?;
    }
    Ok(())
}

/// The free-space check of copies made on the host ([`super::direct`]): each source folder's
/// size on disk against the free space of its filesystem, which holds the engine's volumes and
/// so the copy (into a new volume, or into a temporary one whose folder then replaces the
/// target's: the target's old data is freed only after, so it does not count).
pub fn check_local(sources: &[(&str, &Path)]) -> Result<()> {
    use std::os::unix::fs::MetadataExt as _;
    let mut need: BTreeMap<u64, (u64, u64, Vec<&str>)> = BTreeMap::new();
    for (name, dir) in sources {
        let Ok(meta) = std::fs::metadata(dir) else { return Ok(()) };
        let Ok(stat) = rustix::fs::statvfs(*dir) else { return Ok(()) };
        let free = override_kib().unwrap_or(stat.f_bavail.saturating_mul(stat.f_frsize) / 1024);
        let entry = need.entry(meta.dev()).or_insert((free, 0, Vec::new()));
        entry.1 += super::direct::disk_bytes(dir).div_ceil(1024);
        entry.2.push(name);
    }
    for (_, (free, needed, what)) in need {
        refuse_short(needed, free, &what.join(", "))?;
    }
    Ok(())
}

/// Bytes used by each of `volumes` (`du` in a helper); `None` when that cannot be told.
pub async fn volume_bytes(engine: &Engine, image: &str, volumes: &[&str]) -> Option<Vec<u64>> {
    let paths: Vec<String> = (0..volumes.len()).map(|i| format!("/v{i}")).collect();
    let mounts: Vec<VolumeMount> =
        volumes.iter().zip(&paths).map(|(volume, at)| VolumeMount { volume, at, read_only: true }).collect();
    Some(du(engine, image, &mounts, &paths).await?.into_iter().map(|k| k * 1024).collect())
}

/// Refuses a snapshot of `bytes` (uncompressed) that the filesystem of `dir` cannot hold.
pub fn check_dir(dir: &Path, bytes: u64, what: &str) -> Result<()> {
    let Ok(stat) = rustix::fs::statvfs(dir) else { return Ok(()) };
    let free = override_kib().unwrap_or(stat.f_bavail.saturating_mul(stat.f_frsize) / 1024);
    refuse_short(bytes.div_ceil(1024), free, what)
}

/// Refuses a database copy of `bytes` into a server whose data folder is `volume`.
pub async fn check_database(
    engine: &Engine,
    image: &str,
    volume: &str,
    bytes: u64,
    what: &str,
) -> Result<()> {
    let mounts = [VolumeMount { volume, at: "/v0", read_only: true }];
    let Some(fs) = df(engine, image, &mounts, &["/v0".to_string()]).await else { return Ok(()) };
    refuse_short(bytes.div_ceil(1024), fs[0].1, what)
}

/// Refuses when `needed_kib` exceeds `free_kib` on the filesystem that would hold `what`.
fn refuse_short(needed_kib: u64, free_kib: u64, what: &str) -> Result<()> {
    if needed_kib <= free_kib {
        return Ok(());
    }
    Err(UserError::new(format!(
        "not enough disk space to copy {what}: about {} needed, {} free",
        human(needed_kib),
        human(free_kib)
    ))
    .hint("free some space (`docker system df`, `cfn data list`), or exclude volumes in [data] of cfn.toml")
    .into())
}

fn human(kib: u64) -> String {
    match kib {
        k if k >= 1 << 20 => format!("{:.1} GiB", k as f64 / f64::from(1 << 20)),
        k if k >= 1 << 10 => format!("{:.1} MiB", k as f64 / 1024.0),
        k => format!("{k} KiB"),
    }
}

#[cfg(debug_assertions)]
fn override_kib() -> Option<u64> {
    std::env::var("CFN_TEST_FREE_KIB").ok()?.parse().ok()
}

#[cfg(not(debug_assertions))]
fn override_kib() -> Option<u64> {
    None
}

/// KiB used under each path, in order; `None` when `du` is missing or fails.
async fn du(engine: &Engine, image: &str, mounts: &[VolumeMount<'_>], paths: &[String]) -> Option<Vec<u64>> {
    let mut cmd = vec!["du", "-sk"];
    cmd.extend(paths.iter().map(String::as_str));
    let (code, text) = helper::output(engine, image, mounts, &cmd).await.ok()?;
    let mut by_path = BTreeMap::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let (Some(kib), Some(path)) = (parts.next(), parts.next()) else { continue };
        by_path.insert(path.to_string(), kib.parse::<u64>().ok()?);
    }
    (code == 0).then_some(())?;
    paths.iter().map(|p| by_path.get(p).copied()).collect()
}

/// Free KiB of the disk the engine keeps its containers on: `df` of a helper's own root, which
/// lives in the engine's data root. `None` when `image` has no `df` or it fails.
pub async fn engine_free_kib(engine: &Engine, image: &str) -> Option<u64> {
    let found = df(engine, image, &[], &["/".to_string()]).await?;
    found.first().map(|(_, free)| *free)
}

/// The filesystem under each path and, as its second part, its free KiB; `None` when `df`
/// is missing or fails.
async fn df(
    engine: &Engine,
    image: &str,
    mounts: &[VolumeMount<'_>],
    paths: &[String],
) -> Option<Vec<(Fs, u64)>> {
    let mut cmd = vec!["df", "-Pk"];
    cmd.extend(paths.iter().map(String::as_str));
    let (code, text) = helper::output(engine, image, mounts, &cmd).await.ok()?;
    (code == 0).then_some(())?;
    let mut by_path = BTreeMap::new();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 6 {
            continue;
        }
        let (total, free) = (cols[1].parse::<u64>().ok()?, cols[3].parse::<u64>().ok()?);
        by_path.insert(cols[5].to_string(), ((cols[0].to_string(), total), override_kib().unwrap_or(free)));
    }
    paths.iter().map(|p| by_path.get(p).cloned()).collect()
}
