//! What interrupted data operations and deleted branches leave under `$CFN_HOME`, for
//! `cfn doctor`: the databases of a killed PostgreSQL copy ([`super::pg_journal`]), half-written
//! snapshot folders (`.<name>.partial-<pid>` whose process is gone), data helper containers a
//! killed copy left, and snapshots whose repository or branch no longer exists. `doctor --fix`
//! drops, deletes and removes the first three; a complete snapshot is only ever reported: it is
//! data someone may still want.

use super::pg_journal::{self, PgPending};
use crate::branch::Workspace;
use crate::context::Context;
use anyhow::Result;
use std::path::PathBuf;

/// One leftover, as doctor reports it.
pub enum Leftover {
    /// A killed PostgreSQL copy's journal entry; `found` the databases of it that exist.
    Database { entry: PathBuf, pending: PgPending, found: Result<Vec<String>, String> },
    /// A snapshot folder whose writer is gone.
    PartialSnapshot(PathBuf),
    /// A complete snapshot of this repository whose branch no longer exists.
    BranchGone { name: String, branch: String },
    /// Snapshots of a repository cfn no longer knows: the folder.
    RepositoryGone(PathBuf),
    /// A data helper container (a `cp`, `du` or `df` of a copy) that stopped and was not removed:
    /// its copy was killed. (Its creator removes a helper as soon as it ends.)
    Helper { id: String, name: String },
    /// Source containers a killed copy stopped and never started again.
    Stopped { entry: PathBuf, paused: super::paused::PausedEntry },
}

/// How long a stopped helper must have existed before it counts as left over: a live copy in
/// another process creates, starts and removes its helpers well within it.
const HELPER_GRACE_SECS: i64 = 60;

/// Every leftover of this `CFN_HOME` (the PostgreSQL ones connect to their server to see
/// which databases exist).
pub async fn find(ctx: &Context, ws: &Workspace) -> Vec<Leftover> {
    let mut out = Vec::new();
    for (entry, pending) in pg_journal::entries(&ctx.home) {
        let found = existing(&pending).await.map_err(|e| crate::health::redact_url(&format!("{e:#}")));
        out.push(Leftover::Database { entry, pending, found });
    }
    let snapshots = ctx.home.join("snapshots");
    let known: Vec<String> = ws
        .state
        .conn()
        .prepare("SELECT project FROM repositories")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    for repo in std::fs::read_dir(&snapshots).into_iter().flatten().flatten() {
        let project = repo.file_name().to_string_lossy().into_owned();
        if !known.contains(&project) {
            out.push(Leftover::RepositoryGone(repo.path()));
            continue;
        }
        for snap in std::fs::read_dir(repo.path()).into_iter().flatten().flatten() {
            let name = snap.file_name().to_string_lossy().into_owned();
            if partial_writer(&name).is_some_and(|pid| !alive(pid)) {
                out.push(Leftover::PartialSnapshot(snap.path()));
            }
        }
    }
    for (entry, paused) in super::paused::abandoned(&ctx.home) {
        out.push(Leftover::Stopped { entry, paused });
    }
    // an engine that cannot be asked is the docker check's to report
    if let Ok(helpers) = stopped_helpers(&ctx.home).await {
        out.extend(helpers);
    }
    for meta in super::snapshot::list(ctx, ws).unwrap_or_default() {
        if !branch_exists(ws, &meta.branch) {
            out.push(Leftover::BranchGone { name: meta.name, branch: meta.branch });
        }
    }
    out
}

/// This home's data helpers that are not running and were created more than
/// [`HELPER_GRACE_SECS`] ago (another `CFN_HOME`'s are not ours to judge).
async fn stopped_helpers(home: &std::path::Path) -> Result<Vec<Leftover>> {
    let home = home.display().to_string();
    use std::collections::HashMap;
    let engine = crate::engine::Engine::connect().await?;
    let filters = HashMap::from([("label", vec![format!("{}=1", super::helper::HELPER_LABEL)])]);
    let options = bollard::query_parameters::ListContainersOptionsBuilder::default()
        .all(true)
        .filters(&filters)
        .build();
    let now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    Ok(engine
        .docker
        .list_containers(Some(options))
        .await?
        .into_iter()
        .filter(|c| c.labels.as_ref().and_then(|l| l.get(super::swap::HOME_LABEL)) == Some(&home))
        .filter(|c| c.state != Some(bollard::models::ContainerSummaryStateEnum::RUNNING))
        .filter(|c| c.created.is_some_and(|t| now - t > helper_grace_secs()))
        .filter_map(|c| {
            let name = c.names.and_then(|n| n.first().cloned()).unwrap_or_default();
            Some(Leftover::Helper { id: c.id?, name: name.trim_start_matches('/').to_string() })
        })
        .collect())
}

/// [`HELPER_GRACE_SECS`], or `CFN_TEST_HELPER_GRACE_SECS` in debug builds (tests cannot age a
/// container).
fn helper_grace_secs() -> i64 {
    let from_test = cfg!(debug_assertions)
        .then(|| std::env::var("CFN_TEST_HELPER_GRACE_SECS").ok()?.parse().ok())
        .flatten();
    from_test.unwrap_or(HELPER_GRACE_SECS)
}

/// The writer's pid of a `.<name>.partial-<pid>` folder.
fn partial_writer(name: &str) -> Option<i32> {
    let (_, pid) = name.strip_prefix('.')?.rsplit_once(".partial-")?;
    pid.parse().ok()
}

/// Whether process `pid` still runs.
pub(super) fn alive(pid: i32) -> bool {
    rustix::process::Pid::from_raw(pid).is_some_and(|p| rustix::process::test_kill_process(p).is_ok())
}

fn branch_exists(ws: &Workspace, branch: &str) -> bool {
    let reference = format!("refs/heads/{branch}");
    crate::git::git(ws.main_root())
        .args(["rev-parse", "--verify", "--quiet", &reference])
        .output()
        .is_ok_and(|o| o.status.success())
}

async fn existing(p: &PgPending) -> Result<Vec<String>> {
    let mut config = pg_journal::admin_config(&p.url)?;
    // a report must not hang on a server that is down; it says so instead
    config.connect_timeout(std::time::Duration::from_secs(2));
    let client = pg_journal::connect(&config).await?;
    let rows = client
        .query("SELECT datname::text FROM pg_database WHERE datname = $1 OR datname = $2", &[&p.tmp, &p.old])
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// `doctor --fix`: drops a killed PostgreSQL copy's databases and deletes half-written
/// snapshot folders; one line per repair, `Err` for one that failed. A copy whose branch lock
/// is held is alive and left alone.
pub async fn clean(ctx: &Context, ws: &Workspace) -> Vec<Result<String>> {
    let mut out = Vec::new();
    for leftover in find(ctx, ws).await {
        match leftover {
            Leftover::Database { pending, .. } => {
                let Ok(_lock) = crate::branch::lock::try_acquire(ctx, &pending.project, "doctor --fix")
                else {
                    continue;
                };
                let dropped = pg_journal::drop_leftovers(&ctx.home, &pending).await;
                out.push(dropped.map(|names| {
                    if names.is_empty() {
                        format!(
                            "forgot an interrupted PostgreSQL copy into {} (nothing was left)",
                            pending.target
                        )
                    } else {
                        format!("dropped {}, left by an interrupted PostgreSQL copy", names.join(", "))
                    }
                }));
            }
            Leftover::PartialSnapshot(dir) => out.push(
                std::fs::remove_dir_all(&dir)
                    .map(|()| format!("deleted {}, a half-written snapshot", dir.display()))
                    .map_err(anyhow::Error::from),
            ),
            Leftover::Helper { id, name } => {
                let removed = async {
                    let engine = crate::engine::Engine::connect().await?;
                    super::helper::remove(&engine, &id).await;
                    anyhow::Ok(())
                }
                .await;
                out.push(
                    removed.map(|()| format!("removed {name}, a data helper left by an interrupted copy")),
                );
            }
            Leftover::Stopped { entry, paused } => {
                let started = async {
                    let engine = crate::engine::Engine::connect().await?;
                    for (id, _) in &paused.containers {
                        // one removed since is nothing to start
                        let _ = engine
                            .docker
                            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
                            .await;
                    }
                    anyhow::Ok(())
                }
                .await;
                if started.is_ok() {
                    super::paused::forget(&entry);
                }
                let names: Vec<&str> = paused.containers.iter().map(|(_, n)| n.as_str()).collect();
                out.push(started.map(|()| {
                    format!(
                        "started {} of {} again, stopped by an interrupted copy",
                        names.join(", "),
                        paused.branch
                    )
                }));
            }
            Leftover::BranchGone { .. } | Leftover::RepositoryGone(_) => {}
        }
    }
    out
}
