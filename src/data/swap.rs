//! Replacing a volume's contents without ever leaving it half-written for good.
//!
//! Volumes cannot be renamed, so a copy first fills a fresh temporary volume
//! `<target>-cfn-tmp-<random>` labelled `dev.cfn.data-tmp=1`. Only when that is complete is a
//! journal entry written (`$CFN_HOME/data/pending/<tmp>.json`), then the target is emptied and
//! the temporary copied into it, then the temporary and the journal entry are deleted. A crash:
//!
//! - while filling the temporary (no journal entry): the target is untouched; `doctor --fix`
//!   deletes the temporary.
//! - after the journal entry: the temporary is complete; `doctor --fix` finishes the swap
//!   (empties the target, copies, deletes the temporary and the entry).
//!
//! `doctor --fix` touches a leftover only when it can take the target branch's lock at once:
//! a copy holds that lock for its whole life, so a live copy is never disturbed.
//!
//! A target volume that does not exist yet holds nothing to keep: it is created and filled
//! directly (one copy instead of two) under a `<volume>.fresh` journal entry; a crash leaves
//! that entry, and `doctor --fix` deletes the half-filled volume.

use super::helper::{self, VolumeMount};
use crate::context::Context;
use crate::engine::{Engine, PROJECT_LABEL};
use anyhow::{Context as _, Result};
use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::ListVolumesOptionsBuilder;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const TMP_LABEL: &str = "dev.cfn.data-tmp";
pub const TARGET_LABEL: &str = "dev.cfn.data-target";
/// The compose project of the target: the copy holds that branch's lock while it runs, so
/// `doctor --fix` leaves a copy alone while the lock is held.
pub const PROJECT_LABEL_DATA: &str = "dev.cfn.data-project";
/// The `CFN_HOME` whose journal and locks the copy uses: another home's leftovers are not ours.
pub const HOME_LABEL: &str = "dev.cfn.data-home";

/// A complete temporary volume waiting to be swapped into its target.
#[derive(Debug, Serialize, Deserialize)]
pub struct Pending {
    pub tmp: String,
    pub target: String,
    pub image: String,
    pub project: String,
    /// Set when the copy was made on the host ([`super::direct`]): the inode of the temporary's
    /// folder. The swap is then an exchange of the two folders, and a target folder with this
    /// inode shows that an interrupted swap already happened (the temporary holds the old data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmp_inode: Option<u64>,
}

fn pending_dir(home: &Path) -> PathBuf {
    home.join("data").join("pending")
}

/// A fresh empty temporary volume for `target`.
pub async fn create_tmp(engine: &Engine, home: &Path, target: &str, project: &str) -> Result<String> {
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
    let name = format!("{target}-cfn-tmp-{suffix}");
    let labels = HashMap::from([
        (TMP_LABEL.to_string(), "1".to_string()),
        (TARGET_LABEL.to_string(), target.to_string()),
        (PROJECT_LABEL_DATA.to_string(), project.to_string()),
        (HOME_LABEL.to_string(), home.display().to_string()),
    ]);
    engine
        .docker
        .create_volume(VolumeCreateRequest {
            name: Some(name.clone()),
            labels: Some(labels),
            ..Default::default()
        })
        .await
        .with_context(|| format!("cannot create the temporary volume {name}"))?;
    Ok(name)
}

/// Creates `name` as compose would for `project`'s volume `key`, unless it exists; whether it
/// was created (then it holds no data to keep, and the copy may fill it directly).
pub async fn ensure_target(engine: &Engine, name: &str, project: &str, key: &str) -> Result<bool> {
    if engine.docker.inspect_volume(name).await.is_ok() {
        return Ok(false);
    }
    let labels = HashMap::from([
        (PROJECT_LABEL.to_string(), project.to_string()),
        (super::layout::VOLUME_LABEL.to_string(), key.to_string()),
    ]);
    engine
        .docker
        .create_volume(VolumeCreateRequest {
            name: Some(name.to_string()),
            labels: Some(labels),
            ..Default::default()
        })
        .await
        .with_context(|| format!("cannot create volume {name}"))?;
    Ok(true)
}

/// Records that the just-created volume `volume` is being filled directly: if the copy dies,
/// `doctor --fix` deletes it, and the branch is as before (without the volume).
pub fn record_fresh(home: &Path, volume: &str, project: &str) -> Result<()> {
    let dir = pending_dir(home);
    super::private_dir(&dir)?;
    write_private(&dir.join(format!("{volume}.fresh")), project.as_bytes())
}

/// The direct fill of `volume` is complete.
pub fn fresh_done(home: &Path, volume: &str) {
    let _ = std::fs::remove_file(pending_dir(home).join(format!("{volume}.fresh")));
}

/// Deletes a volume, ignoring one already gone.
pub async fn delete(engine: &Engine, name: &str) {
    let _ = engine.docker.remove_volume(name, None::<bollard::query_parameters::RemoveVolumeOptions>).await;
}

/// Marks `pending.tmp` complete: from here a crash rolls forward.
pub fn record(home: &Path, pending: &Pending) -> Result<()> {
    let dir = pending_dir(home);
    super::private_dir(&dir)?;
    let path = dir.join(format!("{}.json", pending.tmp));
    let tmp = dir.join(format!(".{}.json.new", pending.tmp));
    write_private(&tmp, &serde_json::to_vec_pretty(pending)?)?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Puts the complete temporary's data into the target, then deletes the temporary and the
/// journal entry: a host copy by exchanging the two volumes' folders ([`exchange_in`]),
/// otherwise in helpers by emptying the target and copying the temporary into it.
pub async fn finish(engine: &Engine, home: &Path, pending: &Pending) -> Result<()> {
    crate::crash_point::reached("data", 2);
    match pending.tmp_inode {
        Some(inode) => exchange_in(engine, pending, inode).await?,
        None => copy_in(engine, pending).await?,
    }
    delete(engine, &pending.tmp).await;
    let _ = std::fs::remove_file(pending_dir(home).join(format!("{}.json", pending.tmp)));
    Ok(())
}

/// Swaps the folders of the temporary and the target, unless the target's folder is already
/// the copy (a swap interrupted after the exchange). Never falls back to helpers: after an
/// exchange the temporary holds the old data, and copying it in would undo the copy.
async fn exchange_in(engine: &Engine, pending: &Pending, inode: u64) -> Result<()> {
    let dirs = (
        super::direct::dir_of(engine, &pending.tmp).await?,
        super::direct::dir_of(engine, &pending.target).await?,
    );
    let (Some(tmp), Some(target)) = dirs else {
        anyhow::bail!(
            "the folders of {} and {} are not reachable on this machine (run as root on the engine's host)",
            pending.tmp,
            pending.target
        );
    };
    if super::direct::inode(&target)? != inode {
        super::direct::exchange(&tmp, &target)?;
    }
    crate::crash_point::reached("data", 3);
    Ok(())
}

/// Empties the target and copies the temporary into it, in helper containers.
async fn copy_in(engine: &Engine, pending: &Pending) -> Result<()> {
    let mounts = [
        VolumeMount { volume: &pending.tmp, at: "/from", read_only: true },
        VolumeMount { volume: &pending.target, at: "/to", read_only: false },
    ];
    helper::run(
        engine,
        &pending.image,
        &mounts,
        &["find", "/to", "-mindepth", "1", "-maxdepth", "1", "-exec", "rm", "-rf", "{}", "+"],
    )
    .await?;
    crate::crash_point::reached("data", 3);
    helper::run(engine, &pending.image, &mounts, &["cp", "-a", "/from/.", "/to/"]).await
}

/// What `doctor --fix` did with one temporary volume.
pub enum Cleaned {
    /// Incomplete: deleted; the target was never touched.
    Deleted(String),
    /// A fresh target volume whose direct fill was interrupted: deleted.
    DeletedFresh(String),
    /// Complete: swapped into its target.
    Finished { tmp: String, target: String },
}

/// Every temporary volume a killed cfn left: complete ones are swapped in, the rest deleted.
/// A copy whose branch lock is held is alive and left alone.
pub async fn clean_leftovers(ctx: &Context, engine: &Engine) -> Result<Vec<Result<Cleaned>>> {
    let home = &ctx.home;
    let filters = HashMap::from([("label", vec![format!("{TMP_LABEL}=1")])]);
    let list = engine
        .docker
        .list_volumes(Some(ListVolumesOptionsBuilder::default().filters(&filters).build()))
        .await?;
    let mut out = Vec::new();
    for v in list.volumes.unwrap_or_default() {
        if v.labels.get(HOME_LABEL).map(String::as_str) != Some(&*home.display().to_string()) {
            continue;
        }
        let project = v.labels.get(PROJECT_LABEL_DATA).cloned().unwrap_or_default();
        let Ok(_lock) = crate::branch::lock::try_acquire(ctx, &project, "doctor --fix") else { continue };
        // helpers of a killed copy still hold the volumes they mount
        engine.remove_data_helpers_of(&v.name).await?;
        let entry = pending_dir(home).join(format!("{}.json", v.name));
        let pending = std::fs::read(&entry).ok().and_then(|b| serde_json::from_slice::<Pending>(&b).ok());
        out.push(match pending {
            Some(p) => {
                engine.remove_data_helpers_of(&p.target).await?;
                finish(engine, home, &p)
                    .await
                    .map(|()| Cleaned::Finished { tmp: p.tmp.clone(), target: p.target.clone() })
            }
            None => {
                delete(engine, &v.name).await;
                Ok(Cleaned::Deleted(v.name.clone()))
            }
        });
    }
    let fresh = std::fs::read_dir(pending_dir(home)).into_iter().flatten().flatten();
    for entry in fresh {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(volume) = name.strip_suffix(".fresh") else { continue };
        let project = std::fs::read_to_string(entry.path()).unwrap_or_default();
        let Ok(_lock) = crate::branch::lock::try_acquire(ctx, project.trim(), "doctor --fix") else {
            continue;
        };
        engine.remove_data_helpers_of(volume).await?;
        delete(engine, volume).await;
        fresh_done(home, volume);
        out.push(Ok(Cleaned::DeletedFresh(volume.to_string())));
    }
    Ok(out)
}
