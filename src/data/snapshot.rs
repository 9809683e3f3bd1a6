//! Snapshots of a branch's data under `$CFN_HOME/snapshots/<repo>/<name>/` (0700): each volume
//! as the engine's tar stream of it (the archive API of a helper container that is created but
//! never started, so the image needs no `tar`), compressed with zstd on the way to disk; the
//! SQLite database as an online backup; `meta.json`. A snapshot is written under a hidden
//! `.<name>.partial-*` folder and renamed into place only when complete.

use super::helper::{self, VolumeMount};
use super::layout::{existing_volumes, Layout};
use super::{guard, sqlite_copy, swap};
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::engine::Engine;
use crate::error::UserError;
use anyhow::{Context as _, Result};
use bollard::query_parameters::{DownloadFromContainerOptionsBuilder, UploadToContainerOptionsBuilder};
use bytes::Bytes;
use futures_util::StreamExt as _;
use serde::{Deserialize, Serialize};
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};

const SQLITE_FILE: &str = "sqlite.db";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Meta {
    pub name: String,
    pub branch: String,
    pub commit: Option<String>,
    /// Highest migration applied to the snapshot's SQLite database, when known.
    pub migration_version: Option<i64>,
    pub created_at: String,
    /// Compressed bytes on disk.
    pub size: u64,
    pub volumes: Vec<VolumeMeta>,
    pub sqlite: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VolumeMeta {
    pub key: String,
    pub file: String,
    /// Bytes of the uncompressed tar stream.
    pub tar_bytes: u64,
    pub image: String,
}

/// `$CFN_HOME/snapshots/<repo project>`.
pub fn root(ctx: &Context, ws: &Workspace) -> PathBuf {
    ctx.home.join("snapshots").join(&ws.repo.project)
}

/// A snapshot name: letters, digits, `.`, `_`, `-`, not starting with `.` (it names a folder).
pub fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !ok {
        return Err(UserError::usage(format!("invalid snapshot name {name:?}"))
            .hint("use letters, digits, `.`, `_` and `-`, not starting with `.`")
            .into());
    }
    Ok(())
}

/// Reads the snapshot `name`; unknown is one line with a hint.
pub fn read(ctx: &Context, ws: &Workspace, name: &str) -> Result<(PathBuf, Meta)> {
    check_name(name)?;
    let dir = root(ctx, ws).join(name);
    let bytes = std::fs::read(dir.join("meta.json"))
        .map_err(|_| UserError::new(format!("no snapshot named {name}")).hint("see `cfn data list`"))?;
    let meta = serde_json::from_slice(&bytes)
        .with_context(|| format!("snapshot {name} has an unreadable meta.json"))?;
    Ok((dir, meta))
}

/// Every snapshot of the repository, oldest first.
pub fn list(ctx: &Context, ws: &Workspace) -> Result<Vec<Meta>> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(root(ctx, ws)) else { return Ok(out) };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if let Ok((_, meta)) = read(ctx, ws, &name) {
            out.push(meta);
        }
    }
    out.sort_by(|a, b| (&a.created_at, &a.name).cmp(&(&b.created_at, &b.name)));
    Ok(out)
}

/// Takes a snapshot of `branch`'s data.
pub async fn take(ctx: &Context, ws: &Workspace, branch: &BranchEnv, name: &str, stop: bool) -> Result<Meta> {
    check_name(name)?;
    super::guard::local_engine_only(branch, "a snapshot")?;
    let root = root(ctx, ws);
    if root.join(name).exists() {
        return Err(UserError::new(format!("a snapshot named {name} exists"))
            .hint(format!("pick another name, or `cfn data rm {name}` first"))
            .into());
    }
    super::private_dir(&root)?;
    let partial = root.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&partial);
    super::private_dir(&partial)?;
    let result = write(ctx, ws, branch, name, &partial, stop).await.and_then(|meta| {
        std::fs::rename(&partial, root.join(name)).context("cannot move the snapshot into place")?;
        Ok(meta)
    });
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&partial);
    }
    result
}

async fn write(
    ctx: &Context,
    ws: &Workspace,
    branch: &BranchEnv,
    name: &str,
    dir: &Path,
    stop: bool,
) -> Result<Meta> {
    let layout = Layout::of(ws, branch)?;
    let configured = ws.config_of(branch)?.data.helper_image.clone();
    let volumes = async {
        let engine = Engine::connect().await?;
        let existing = existing_volumes(&engine, &layout.project).await?;
        let mut todo = Vec::new();
        for key in &layout.volumes {
            // a volume compose never created holds nothing to keep
            if let Some(volume) = existing.get(key) {
                let image =
                    super::clone::image_for(&engine, volume, key, &layout, configured.as_deref()).await?;
                todo.push((key.clone(), volume.clone(), image));
            }
        }
        let names: Vec<&str> = todo.iter().map(|(_, v, _)| v.as_str()).collect();
        if let Some((_, _, image)) = todo.first() {
            if let Some(sizes) = super::space::volume_bytes(&engine, image, &names).await {
                super::space::check_dir(dir, sizes.iter().sum(), "the snapshot")?;
            }
        }
        let paused = guard::quiet_source(&engine, &names, &branch.branch, stop).await?;
        let mut metas = Vec::new();
        let mut result = Ok(());
        for (key, volume, image) in &todo {
            let file = format!("{key}.tar.zst");
            match save_volume(&engine, volume, image, &dir.join(&file)).await {
                Ok(tar_bytes) => {
                    metas.push(VolumeMeta { key: key.clone(), file, tar_bytes, image: image.clone() })
                }
                Err(e) => {
                    result = Err(e.context(format!("cannot save volume {key}")));
                    break;
                }
            }
        }
        let resumed = paused.resume(&engine).await;
        result?;
        resumed?;
        Ok::<_, anyhow::Error>(metas)
    }
    .await?;
    let mut migration_version = None;
    let mut sqlite = false;
    if let Some(db) = layout.sqlite.as_ref().filter(|db| db.is_file()) {
        sqlite_copy::copy(db, &dir.join(SQLITE_FILE))?;
        migration_version = sqlite_copy::migration_version(&dir.join(SQLITE_FILE));
        sqlite = true;
    }
    let meta = Meta {
        name: name.to_string(),
        branch: branch.branch.clone(),
        commit: head_commit(&branch.path),
        migration_version,
        created_at: crate::migrate::target::now_rfc3339(),
        size: dir_size(dir),
        volumes,
        sqlite,
    };
    let _ = ctx;
    write_private(&dir.join("meta.json"), &serde_json::to_vec_pretty(&meta)?)?;
    Ok(meta)
}

async fn save_volume(engine: &Engine, volume: &str, image: &str, file: &Path) -> Result<u64> {
    let mounts = [VolumeMount { volume, at: "/v", read_only: true }];
    let id = helper::create(engine, image, &mounts, Some(&["true"])).await?;
    let result = async {
        let out = private_file(file)?;
        let mut encoder = zstd::Encoder::new(out, 3)?;
        let options = DownloadFromContainerOptionsBuilder::default().path("/v").build();
        let mut stream = engine.docker.download_from_container(&id, Some(options));
        let mut total = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            total += chunk.len() as u64;
            encoder.write_all(&chunk)?;
        }
        encoder.finish()?.sync_all()?;
        Ok::<_, anyhow::Error>(total)
    }
    .await;
    helper::remove(engine, &id).await;
    result
}

/// Replaces `branch`'s data with the snapshot's. The caller holds the branch lock and has
/// confirmed.
pub async fn restore(
    ctx: &Context,
    ws: &Workspace,
    branch: &BranchEnv,
    dir: &Path,
    meta: &Meta,
) -> Result<Vec<String>> {
    super::guard::local_engine_only(branch, "restoring a snapshot")?;
    let layout = Layout::of(ws, branch)?;
    check_migrations(ws, branch, meta)?;
    for v in &meta.volumes {
        if !layout.volumes.contains(&v.key) {
            return Err(UserError::new(format!(
                "snapshot {} has volume {}, which {} does not have",
                meta.name, v.key, branch.branch
            ))
            .hint(
                "restore it on a branch with the same compose volumes, or add the volume to its compose file",
            )
            .into());
        }
    }
    let mut restored = async {
        let engine = Engine::connect().await?;
        guard::target_stopped(&engine, &branch.project, &branch.branch, &[]).await?;
        let existing = existing_volumes(&engine, &layout.project).await?;
        // the probe creates a volume: only when there is a volume to copy
        let direct = if meta.volumes.is_empty() {
            None
        } else {
            super::direct::probe(&engine, &ctx.home, &layout.project).await
        };
        let mut done = Vec::new();
        for v in &meta.volumes {
            let target = existing.get(&v.key).cloned().unwrap_or_else(|| layout.default_name(&v.key));
            let image = if helper::image_present(&engine, &v.image).await {
                v.image.clone()
            } else {
                super::clone::image_for(&engine, &target, &v.key, &layout, None).await?
            };
            if swap::ensure_target(&engine, &target, &layout.project, &v.key).await? {
                swap::record_fresh(&ctx.home, &target, &layout.project)?;
                if let Err(e) = load_volume(&engine, &target, &image, &dir.join(&v.file)).await {
                    swap::delete(&engine, &target).await;
                    swap::fresh_done(&ctx.home, &target);
                    return Err(
                        e.context(format!("restoring volume {} failed; {target} was not created", v.key))
                    );
                }
                crate::crash_point::reached("data", 1);
                swap::fresh_done(&ctx.home, &target);
                done.push(target);
                continue;
            }
            let tmp = swap::create_tmp(&engine, &ctx.home, &target, &layout.project).await?;
            if let Err(e) = load_volume(&engine, &tmp, &image, &dir.join(&v.file)).await {
                swap::delete(&engine, &tmp).await;
                return Err(e.context(format!("restoring volume {} failed; {target} is unchanged", v.key)));
            }
            crate::crash_point::reached("data", 1);
            // the restored temporary replaces the target by an exchange of folders when both
            // are on this machine (no second copy), else by a copy in helpers
            let tmp_inode = match &direct {
                Some(d) => match d.dirs(&engine, &[&tmp, &target]).await? {
                    Some(dirs) => Some(super::direct::inode(&dirs[0])?),
                    None => None,
                },
                None => None,
            };
            let project = layout.project.clone();
            let pending = swap::Pending { tmp, target: target.clone(), image, project, tmp_inode };
            swap::record(&ctx.home, &pending)?;
            swap::finish(&engine, &ctx.home, &pending).await?;
            done.push(target);
        }
        Ok::<_, anyhow::Error>(done)
    }
    .await?;
    if let (true, Some(db)) = (meta.sqlite, &layout.sqlite) {
        sqlite_copy::copy(&dir.join(SQLITE_FILE), db)?;
        restored.push(format!("SQLite {}", db.display()));
    }
    Ok(restored)
}

async fn load_volume(engine: &Engine, volume: &str, image: &str, file: &Path) -> Result<()> {
    let mounts = [VolumeMount { volume, at: "/v", read_only: false }];
    let id = helper::create(engine, image, &mounts, Some(&["true"])).await?;
    let result = async {
        let decoder = zstd::Decoder::new(
            std::fs::File::open(file).with_context(|| format!("cannot open {}", file.display()))?,
        )?;
        // the tar holds `v/...`: unpacked at `/`, it lands in the mounted volume
        let chunks = futures_util::stream::unfold(Some(decoder), |state| async move {
            let mut decoder = state?;
            let mut buf = vec![0u8; 1 << 20];
            match decoder.read(&mut buf) {
                Ok(0) | Err(_) => None,
                Ok(n) => {
                    buf.truncate(n);
                    Some((Bytes::from(buf), Some(decoder)))
                }
            }
        });
        let options = UploadToContainerOptionsBuilder::default().path("/").build();
        engine.docker.upload_to_container(&id, Some(options), bollard::body_stream(chunks)).await?;
        Ok::<_, anyhow::Error>(())
    }
    .await;
    helper::remove(engine, &id).await;
    result
}

/// Refuses a snapshot whose database has migrations the branch does not know.
fn check_migrations(ws: &Workspace, branch: &BranchEnv, meta: &Meta) -> Result<()> {
    let Some(version) = meta.migration_version else { return Ok(()) };
    let config = ws.config_of(branch)?;
    let known = crate::migrate::load_dir(&branch.path.join(&config.migrations.dir))?
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0);
    if version > known {
        return Err(UserError::new(format!(
            "snapshot {} has migration {version} applied; {} knows migrations up to {known}",
            meta.name, branch.branch
        ))
        .hint(format!(
            "restore it on a branch that has migration {version} (merge it first), or pick an older snapshot"
        ))
        .into());
    }
    Ok(())
}

fn head_commit(dir: &Path) -> Option<String> {
    let out = crate::git::git(dir).args(["rev-parse", "HEAD"]).output().ok()?;
    out.status.success().then(|| out.stdout.trim().to_string())
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn private_file(path: &Path) -> Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = private_file(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// Deletes the snapshot `name`.
pub fn remove(ctx: &Context, ws: &Workspace, name: &str) -> Result<()> {
    let (dir, _) = read(ctx, ws, name)?;
    std::fs::remove_dir_all(&dir).with_context(|| format!("cannot delete {}", dir.display()))
}
