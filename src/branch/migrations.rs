//! The branch's own database and its migrations: where they are, and the migration target to
//! apply them to (a SQLite file of the branch, or the branch's PostgreSQL).

use crate::branch::{BranchEnv, Workspace};
use crate::config::MigrationTarget;
use crate::error::UserError;
use crate::migrate::{self, Migration, SqliteTarget};
use anyhow::{Context as _, Result};
use rusqlite::Connection;
use std::path::PathBuf;
use std::time::Duration;

/// After `cfn up`: applies pending migrations when the checkout has any and `on_up` is set.
pub fn migrate_on_up(
    ctx: &crate::context::Context,
    ws: &Workspace,
    branch: &BranchEnv,
    yes: bool,
) -> Result<()> {
    if !ws.config.migrations.on_up || !migrations_dir(ws, branch).is_dir() {
        return Ok(());
    }
    let available = migrations(ws, branch)?;
    if available.is_empty() {
        return Ok(());
    }
    require_trusted(ctx, ws, branch, yes)?;
    let report = with_target(ws, branch, |t| migrate::up(t, &available, None, false))?;
    for step in &report.steps {
        ctx.say(format!("applied migration {} {}", step.version, step.name));
    }
    Ok(())
}

/// After a merge: apply the pending migrations, or say how many there are and how to apply them.
pub fn after_merge(ctx: &crate::context::Context, ws: &Workspace, branch: &BranchEnv) -> Result<()> {
    if !migrations_dir(ws, branch).is_dir() {
        return Ok(());
    }
    let available = migrations(ws, branch)?;
    let rows = with_target(ws, branch, |t| migrate::status(t, &available))?;
    let pending = rows.iter().filter(|r| r.state == migrate::State::Pending).count();
    if pending == 0 {
        return Ok(());
    }
    match ws.config.migrations.on_merge {
        crate::config::OnMerge::Apply if !all_trusted(ctx, ws, branch)? => ctx.warn(format!(
            "cfn: {pending} new migration(s) not applied: this checkout's migrations are not all \
             trusted; review them with `cfn trust`, then run `cfn migrate up`"
        )),
        crate::config::OnMerge::Apply => {
            let report = with_target(ws, branch, |t| migrate::up(t, &available, None, false))?;
            ctx.say(format!("cfn: applied {} new migration(s)", report.steps.len()));
        }
        crate::config::OnMerge::Announce => {
            ctx.say(format!("cfn: {pending} new migration(s); apply them with `cfn migrate up`"))
        }
    }
    Ok(())
}

/// Every migration file of the checkout must be trusted before any is applied or reverted:
/// SQLite migrations run inside cfn's own process, PostgreSQL ones with the branch's
/// credentials.
pub fn require_trusted(
    ctx: &crate::context::Context,
    ws: &Workspace,
    branch: &BranchEnv,
    yes: bool,
) -> Result<()> {
    crate::branch::trust::require(ctx, ws, &crate::branch::trust::inventory::migrations(ws, branch)?, yes)
}

/// Whether every migration file is trusted already, never asking (a git hook must not prompt).
fn all_trusted(ctx: &crate::context::Context, ws: &Workspace, branch: &BranchEnv) -> Result<bool> {
    for item in crate::branch::trust::inventory::migrations(ws, branch)? {
        if !crate::branch::trust::decide(ctx, ws, &item, false, false)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A migration error as the user sees it (see `impl From<MigrateError> for UserError`).
pub fn explain(e: migrate::MigrateError) -> anyhow::Error {
    UserError::from(e).into()
}

/// The migration files of the branch's checkout (its own version of them).
pub fn migrations(ws: &Workspace, branch: &BranchEnv) -> Result<Vec<Migration>> {
    let dir = crate::safe_path::inside(&branch.path, &ws.config.migrations.dir, "migrations.dir")?;
    crate::safe_path::entries_inside(&branch.path, &dir, "a migration file")?;
    migrate::load_dir(&dir).with_context(|| format!("cannot read the migrations in {}", dir.display()))
}

pub fn migrations_dir(ws: &Workspace, branch: &BranchEnv) -> PathBuf {
    branch.path.join(&ws.config.migrations.dir)
}

/// `migrations.url` rendered for the branch: the PostgreSQL database its migrations run in.
pub fn postgres_url(ws: &Workspace, branch: &BranchEnv) -> Result<String> {
    let template = ws.config.migrations.url.as_deref().unwrap_or_default();
    let vars = super::files::template_vars(ws, branch)?;
    super::files::renderer(ws).render_str("migrations.url", template, &vars)
}

/// Runs `f` with the branch's migration target.
pub fn with_target<T>(
    ws: &Workspace,
    branch: &BranchEnv,
    f: impl FnOnce(&mut dyn migrate::Target) -> Result<T, migrate::MigrateError>,
) -> Result<T> {
    match ws.config.migrations.target {
        MigrationTarget::Sqlite => {
            let path = super::files::sqlite_path(ws, branch);
            let dir = path.parent().context("the database path has no folder")?;
            // `.cfn/data`, never through a link the repository committed (render::no_follow)
            let (root, rel) = crate::render::no_follow::split(dir);
            crate::render::no_follow::open_dir(&root, &rel, Some(0o700))?;
            crate::render::no_follow::refuse_linked_database(&path)?;
            let mut conn = Connection::open(&path)
                .with_context(|| format!("cannot open the branch database {}", path.display()))?;
            conn.busy_timeout(Duration::from_secs(30))?;
            // The project's SQL runs in cfn's process: it reaches this file and nothing else.
            migrate::sqlite_guard::fence(&mut conn)
                .context("cannot restrict the branch database connection")?;
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))?;
            let mut target = SqliteTarget::new(&mut conn);
            f(&mut target).map_err(explain)
        }
        MigrationTarget::Postgres => {
            let mut target = crate::pg::PgTarget::connect(&postgres_url(ws, branch)?).map_err(explain)?;
            f(&mut target).map_err(explain)
        }
    }
}
