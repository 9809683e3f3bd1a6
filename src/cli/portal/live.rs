//! What the socket pushes, from two sources and no fixed-interval polling of the engine:
//!
//! - the engine's event stream (container events of compose projects): each event of a known
//!   branch's project re-reads that project's containers and sends `stack:update`;
//! - the state database: `PRAGMA data_version` (one integer, changed by any other connection's
//!   commit) is read every 25 ms; when it moved, the sockets following a loop run read its new
//!   events (`loop:progress`, in `socket.rs`) at once, and the worktrees are listed again when
//!   the registry's rows moved (`worktree:update` when they differ).

use super::inventory;
use crate::context::Context;
use crate::engine::{Engine, PROJECT_LABEL};
use bollard::query_parameters::EventsOptionsBuilder;
use futures_util::StreamExt as _;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How often the state database's version is read.
/// (One integer read on an open connection: 40 a second cost nothing, and an event reaches the
/// page within this.)
pub const DB_CHECK: Duration = Duration::from_millis(25);
/// How long to wait before reaching the engine again after it went away.
const ENGINE_RETRY: Duration = Duration::from_secs(2);

#[derive(Clone)]
pub struct Live {
    /// Serialized messages for every socket.
    pub updates: broadcast::Sender<Arc<str>>,
    /// Bumped each time the state database changed.
    pub db_changes: watch::Receiver<u64>,
}

impl Live {
    /// Starts both watchers; they live as long as the process.
    pub fn start(ctx: Context) -> Live {
        let (updates, _) = broadcast::channel(256);
        let (changed, db_changes) = watch::channel(0u64);
        let known: Arc<RwLock<HashSet<String>>> = Arc::default();
        {
            let (updates, known) = (updates.clone(), known.clone());
            std::thread::Builder::new()
                .name("portal-db".into())
                .spawn(move || watch_db(ctx, updates, changed, known))
                .expect("cannot start the portal's database watcher");
        }
        tokio::spawn(watch_engine(updates.clone(), known));
        Live { updates, db_changes }
    }
}

fn send(updates: &broadcast::Sender<Arc<str>>, message: serde_json::Value) {
    // No socket open is no error.
    let _ = updates.send(Arc::from(message.to_string()));
}

/// The database side. Listing the worktrees opens each repository, which may itself write
/// (it refreshes the registry): the version is read again after a listing, so the watcher does
/// not wake itself forever.
fn watch_db(
    ctx: Context,
    updates: broadcast::Sender<Arc<str>>,
    changed: watch::Sender<u64>,
    known: Arc<RwLock<HashSet<String>>>,
) {
    let version = |state: &crate::state::State| -> Option<i64> {
        state.conn().query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
    };
    let mut state = None;
    let mut seen = None;
    let mut last_listing = String::new();
    let mut last_print: Option<String> = None;
    let mut generation = 0u64;
    loop {
        if state.is_none() {
            state = crate::state::State::open(&ctx.home).ok();
        }
        let now = state.as_ref().and_then(version);
        if now.is_some() && now != seen {
            generation += 1;
            // Sockets following a run read its events first: the listing below takes a while.
            if changed.send(generation).is_err() {
                return;
            }
            let print = state.as_ref().and_then(|s| super::registry_print::of_registry(s.conn()));
            let registry_moved = print.is_none() || print != last_print;
            if let Some(listed) = registry_moved.then(|| inventory::all(&ctx).ok()).flatten() {
                let projects = listed.iter().map(|w| w.view.project.clone()).collect();
                *known.write().unwrap_or_else(|p| p.into_inner()) = projects;
                let text = serde_json::to_string(&listed).unwrap_or_default();
                if text != last_listing {
                    if !last_listing.is_empty() {
                        send(&updates, json!({ "type": "worktree:update", "worktrees": listed }));
                    }
                    last_listing = text;
                }
            }
            if registry_moved {
                // Listing may have refreshed the registry itself: what it wrote is what was listed.
                last_print = state.as_ref().and_then(|s| super::registry_print::of_registry(s.conn()));
            }
            seen = state.as_ref().and_then(version);
        }
        std::thread::sleep(DB_CHECK);
    }
}

/// The engine side: follows container events of every compose project, reconnecting when the
/// engine goes away.
async fn watch_engine(updates: broadcast::Sender<Arc<str>>, known: Arc<RwLock<HashSet<String>>>) {
    loop {
        if let Ok(engine) = Engine::connect().await {
            follow_engine(&engine, &updates, &known).await;
        }
        tokio::time::sleep(ENGINE_RETRY).await;
    }
}

async fn follow_engine(
    engine: &Engine,
    updates: &broadcast::Sender<Arc<str>>,
    known: &RwLock<HashSet<String>>,
) {
    let filters =
        HashMap::from([("type", vec!["container".to_string()]), ("label", vec![PROJECT_LABEL.to_string()])]);
    let mut events = engine.docker.events(Some(EventsOptionsBuilder::default().filters(&filters).build()));
    while let Some(event) = events.next().await {
        let Ok(event) = event else { return };
        // Health checks run as execs every few seconds: their events change nothing shown
        // (the `health_status` event that follows does).
        if event.action.as_deref().is_some_and(|a| a.starts_with("exec_")) {
            continue;
        }
        let project = event
            .actor
            .and_then(|a| a.attributes)
            .and_then(|mut attrs| attrs.remove(PROJECT_LABEL))
            .unwrap_or_default();
        // Only branches cfn knows: other compose projects on the machine are not shown.
        if !known.read().unwrap_or_else(|p| p.into_inner()).contains(&project) {
            continue;
        }
        let Ok(containers) = engine.containers(&[project.as_str()]).await else { return };
        send(updates, json!({ "type": "stack:update", "project": project, "services": containers }));
    }
}
