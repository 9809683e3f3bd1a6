//! `cfn data clone` and `worktree add --data-from`: a branch's volumes and SQLite database
//! replaced by copies of another branch's. Everything is checked before anything is copied
//! (each target volume exists in the source's layout and engine, an image for the helper); each
//! volume then goes through a temporary volume ([`super::swap`]).

use super::direct::Direct;
use super::helper::{self, VolumeMount};
use super::layout::{existing_volumes, Layout};
use super::{guard, pg_clone, space, sqlite_copy, swap};
use crate::branch::{BranchEnv, Workspace};
use crate::context::Context;
use crate::engine::Engine;
use crate::error::UserError;
use anyhow::Result;

/// One volume to copy: source and target engine names, and the helper image.
pub struct VolumePair {
    pub key: String,
    pub source: String,
    pub target: String,
    pub image: String,
}

/// Copies `source`'s data over `target`'s; the names of what was copied. The caller holds the
/// target's branch lock and has confirmed the replacement; the source's is taken here.
pub async fn clone(
    ctx: &Context,
    ws: &Workspace,
    source: &BranchEnv,
    target: &BranchEnv,
    stop_source: bool,
) -> Result<Vec<String>> {
    guard::local_engine_only(source, "copying branch data")?;
    guard::local_engine_only(target, "copying branch data")?;
    // the source's lock too: its `up`, `down` or own copy must not run while it is read
    let _source_lock =
        crate::branch::lock::acquire_source(ctx, &source.project, "data clone", &target.branch)?;
    let from = Layout::of(ws, source)?;
    let to = Layout::of(ws, target)?;
    let helper_image = ws.config_of(target)?.data.helper_image.clone();
    let copied = async {
        let engine = Engine::connect().await?;
        let to = fresh_server_as_files(&engine, &to).await?;
        guard::target_stopped(&engine, &target.project, &target.branch, &to.sql_services).await?;
        let pairs = plan(&engine, &from, &to, source, helper_image.as_deref()).await?;
        let pg = prepare_postgres(&from, &to, source, target).await?;
        // the probe creates a volume: only when there is a volume to copy
        let direct =
            if pairs.is_empty() { None } else { super::direct::probe(&engine, &ctx.home, &to.project).await };
        check_space(&engine, &pairs, &to, pg.as_ref(), helper_image.as_deref(), direct.as_ref()).await?;
        let names: Vec<&str> = pairs.iter().map(|p| p.source.as_str()).collect();
        let paused = guard::quiet_source(&engine, &names, &source.branch, stop_source).await?;
        let copied = copy_all(ctx, &engine, &pairs, &to, direct.as_ref()).await;
        let resumed = paused.resume(&engine).await;
        let mut copied = copied?;
        resumed?;
        // pg_dump reads a consistent snapshot of a live database: the source keeps running
        if let Some(pg) = pg {
            copied.push(pg_clone::run(&ctx.home, pg, &target.project).await?);
        }
        Ok::<_, anyhow::Error>(copied)
    }
    .await?;
    let mut copied = copied;
    if let (Some(from_db), Some(to_db)) = (&from.sqlite, &to.sqlite) {
        if from_db.is_file() {
            sqlite_copy::copy(from_db, to_db)?;
            copied.push(format!("SQLite {}", to_db.display()));
        }
    }
    Ok(copied)
}

/// A target whose PostgreSQL server never ran has no server to receive the database: its data
/// folder is then created as a copy of the source's (a file copy of the stopped source server,
/// as `strategy = "volume"`), which is also faster than a dump and restore.
async fn fresh_server_as_files(engine: &Engine, to: &Layout) -> Result<Layout> {
    if to.postgres.is_none() || to.sql_volumes.is_empty() {
        return Ok(to.clone());
    }
    let existing = existing_volumes(engine, &to.project).await?;
    if to.sql_volumes.iter().all(|k| existing.contains_key(k)) {
        return Ok(to.clone());
    }
    Ok(Layout { postgres: None, sql_volumes: Vec::new(), sql_services: Vec::new(), ..to.clone() })
}

/// Refuses before anything is written when the copies cannot fit ([`space`]).
async fn check_space(
    engine: &Engine,
    pairs: &[VolumePair],
    to: &Layout,
    pg: Option<&pg_clone::Prepared>,
    helper_image: Option<&str>,
    direct: Option<&Direct>,
) -> Result<()> {
    let mut planned = Vec::new();
    for p in pairs {
        let exists = engine.docker.inspect_volume(&p.target).await.is_ok();
        planned.push(space::Planned { source: &p.source, target: exists.then_some(p.target.as_str()) });
    }
    // measured on the host only when every copy is made there: sources and existing targets
    // are all folders here (a target on another filesystem, such as a tmpfs, is not)
    let mut names: Vec<&str> = pairs.iter().map(|p| p.source.as_str()).collect();
    names.extend(planned.iter().filter_map(|p| p.target));
    let local = match direct {
        Some(d) => d.dirs(engine, &names).await?,
        None => None,
    };
    if let Some(dirs) = local {
        let sources: Vec<(&str, &std::path::Path)> =
            names.iter().copied().zip(dirs.iter().map(|d| d.as_path())).take(pairs.len()).collect();
        space::check_local(&sources)?;
    } else if let Some(first) = pairs.first() {
        space::check_volumes(engine, &first.image, &planned).await?;
    }
    let (Some(pg), Some(key)) = (pg, to.sql_volumes.first()) else { return Ok(()) };
    let Some(volume) = existing_volumes(engine, &to.project).await?.remove(key) else { return Ok(()) };
    let image = image_for(engine, &volume, key, to, helper_image).await?;
    let what = "the PostgreSQL database";
    space::check_database(engine, &image, &volume, pg.size, what).await
}

/// The PostgreSQL copy, checked, when the target's data has a PostgreSQL migration database.
async fn prepare_postgres(
    from: &Layout,
    to: &Layout,
    source: &BranchEnv,
    target: &BranchEnv,
) -> Result<Option<pg_clone::Prepared>> {
    let Some(target_url) = &to.postgres else { return Ok(None) };
    let Some(source_url) = &from.postgres else {
        return Err(UserError::new(format!(
            "{} has no PostgreSQL migration database to copy",
            source.branch
        ))
        .hint("the two branches' cfn.toml differ in [migrations]; copy from a branch with the same")
        .into());
    };
    let from = pg_clone::Endpoint::new(&source.branch, source_url)?;
    let to_db = pg_clone::Endpoint::new(&target.branch, target_url)?;
    Ok(Some(pg_clone::prepare(from, to_db, &to.sql_services).await?))
}

/// Source and target volume of every key of the target's data copied as files; refuses a key the source's
/// layout lacks or the source never created, and a volume no local image can copy.
pub async fn plan(
    engine: &Engine,
    from: &Layout,
    to: &Layout,
    source: &BranchEnv,
    helper_image: Option<&str>,
) -> Result<Vec<VolumePair>> {
    let source_volumes = existing_volumes(engine, &from.project).await?;
    let target_volumes = existing_volumes(engine, &to.project).await?;
    let mut pairs = Vec::new();
    for key in &to.file_volumes() {
        if !from.volumes.contains(key) {
            return Err(UserError::new(format!(
                "volume {key} is not in the compose files of {}",
                source.branch
            ))
            .hint(format!(
                "the two branches' layouts differ; add {key} to [data] exclude in cfn.toml to skip it"
            ))
            .into());
        }
        let Some(src) = source_volumes.get(key) else {
            return Err(UserError::new(format!(
                "{} has no volume {key} yet (its stack never ran)",
                source.branch
            ))
            .hint(format!("start it once: `cfn up -b {}`", source.branch))
            .into());
        };
        let target = target_volumes.get(key).cloned().unwrap_or_else(|| to.default_name(key));
        let image = image_for(engine, src, key, from, helper_image).await?;
        pairs.push(VolumePair { key: key.clone(), source: src.clone(), target, image });
    }
    Ok(pairs)
}

/// The configured helper image, else the image of a container mounting the volume, else the
/// compose image of a service mounting it — whichever is on the machine (nothing is pulled).
pub async fn image_for(
    engine: &Engine,
    volume: &str,
    key: &str,
    layout: &Layout,
    configured: Option<&str>,
) -> Result<String> {
    if let Some(image) = configured {
        if helper::image_present(engine, image).await {
            return Ok(image.to_string());
        }
        return Err(UserError::new(format!("[data] helper_image {image} is not on this machine"))
            .hint("pull or build it, or remove helper_image to use the service's own image")
            .into());
    }
    let filters = std::collections::HashMap::from([("volume", vec![volume.to_string()])]);
    let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    for c in engine.docker.list_containers(Some(options)).await? {
        if let Some(image) = c.image_id.filter(|i| !i.is_empty()) {
            return Ok(image);
        }
    }
    for image in layout.images.get(key).into_iter().flatten() {
        if helper::image_present(engine, image).await {
            return Ok(image.clone());
        }
    }
    Err(UserError::new(format!("no image on this machine to copy volume {key} with"))
        .hint("set [data] helper_image in cfn.toml to a local image that has `cp`, `find` and `rm`")
        .into())
}

async fn copy_all(
    ctx: &Context,
    engine: &Engine,
    pairs: &[VolumePair],
    to: &Layout,
    direct: Option<&Direct>,
) -> Result<Vec<String>> {
    let mut copied = Vec::new();
    for pair in pairs {
        if swap::ensure_target(engine, &pair.target, &to.project, &pair.key).await? {
            fill_fresh(ctx, engine, pair, &to.project, direct).await?;
            copied.push(pair.target.clone());
            continue;
        }
        let tmp = swap::create_tmp(engine, &ctx.home, &pair.target, &to.project).await?;
        let tmp_inode = match copy_volume(engine, direct, pair, &tmp, &pair.target).await {
            Ok(inode) => inode,
            Err(e) => {
                swap::delete(engine, &tmp).await;
                return Err(
                    e.context(format!("copying volume {} failed; {} is unchanged", pair.key, pair.target))
                );
            }
        };
        crate::crash_point::reached("data", 1);
        let pending = swap::Pending {
            tmp,
            target: pair.target.clone(),
            image: pair.image.clone(),
            project: to.project.clone(),
            tmp_inode,
        };
        swap::record(&ctx.home, &pending)?;
        swap::finish(engine, &ctx.home, &pending).await.map_err(|e| {
            anyhow::Error::from(
                UserError::new(format!(
                    "swapping the copy of {} into {} failed: {e:#}",
                    pair.key, pair.target
                ))
                .hint("run `cfn doctor --fix` to finish it (the complete copy is kept until then)"),
            )
        })?;
        copied.push(pair.target.clone());
    }
    Ok(copied)
}

/// Copies `pair.source` into the empty volume `into`: on the host when the source, `into` and
/// the volume `target` whose data it becomes are all folders here ([`super::direct`]; the
/// inode of `into`'s folder is returned for the swap), else with `cp -a` in a helper.
async fn copy_volume(
    engine: &Engine,
    direct: Option<&Direct>,
    pair: &VolumePair,
    into: &str,
    target: &str,
) -> Result<Option<u64>> {
    if let Some(direct) = direct {
        if let Some(dirs) = direct.dirs(engine, &[&pair.source, into, target]).await? {
            super::direct::copy(&dirs[0], &dirs[1])?;
            return Ok(Some(super::direct::inode(&dirs[1])?));
        }
    }
    let mounts = [
        VolumeMount { volume: &pair.source, at: "/from", read_only: true },
        VolumeMount { volume: into, at: "/to", read_only: false },
    ];
    helper::run(engine, &pair.image, &mounts, &["cp", "-a", "/from/.", "/to/"]).await?;
    Ok(None)
}

/// Fills a target volume cfn has just created straight from the source.
async fn fill_fresh(
    ctx: &Context,
    engine: &Engine,
    pair: &VolumePair,
    project: &str,
    direct: Option<&Direct>,
) -> Result<()> {
    swap::record_fresh(&ctx.home, &pair.target, project)?;
    if let Err(e) = copy_volume(engine, direct, pair, &pair.target, &pair.target).await {
        swap::delete(engine, &pair.target).await;
        swap::fresh_done(&ctx.home, &pair.target);
        return Err(e.context(format!("copying volume {} failed; {} was not created", pair.key, pair.target)));
    }
    crate::crash_point::reached("data", 1);
    swap::fresh_done(&ctx.home, &pair.target);
    Ok(())
}
