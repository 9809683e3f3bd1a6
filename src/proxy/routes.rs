//! The proxy's routes, read from the state database: every registered checkout's hostnames
//! ([`super::hostnames`]) with the host port leased for each key.
//!
//! [`RouteCache`] keeps the last table in memory, where requests read it, and a thread of its
//! own reads the registry again when another process has committed to the database (SQLite's
//! `data_version`, one cheap pragma every [`CHECK_EVERY`]) or when the table is older than
//! [`MAX_AGE`] (a worktree's cfn.toml edited without a registry change). A request never
//! touches SQLite: asking it per request was half of the proxy's cost on a fast upstream.
//! A state database replaced under it (deleted and rebuilt, restored from a backup) is opened
//! again: the file's inode is compared once per [`MAX_AGE`].
//! The proxy only reads: it never registers, reconciles or renders anything.

use crate::branch::hostnames::hostnames;
use crate::config::Config;
use crate::state::{self, State, WorktreeRow, WorktreeState};
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a table is used without a registry change before it is read again anyway.
const MAX_AGE: Duration = Duration::from_secs(2);

/// How often the registry is asked whether it changed: a route appears at most this long
/// (plus the time to read the table) after the command that registered it returns.
const CHECK_EVERY: Duration = Duration::from_millis(100);

/// One hostname and where it goes.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub host: String,
    /// The repository's project name.
    pub project: String,
    /// The branch; for the main checkout, the branch it has checked out (or `HEAD`).
    pub branch: String,
    pub is_main: bool,
    pub service: String,
    pub key: String,
    /// The branch's host port for `key`.
    pub port: u16,
    #[serde(skip)]
    pub upstream: SocketAddr,
    /// `upstream` as a URI authority, made once with the table, not per request.
    #[serde(skip)]
    pub authority: hyper::http::uri::Authority,
}

/// Every route of every registered repository whose checkout and cfn.toml can be read. A
/// worktree still being added has none yet; a removed one is gone from the registry.
pub fn load_routes(conn: &Connection) -> Result<Vec<Route>> {
    let mut routes = Vec::new();
    for repo in state::list_repositories(conn)? {
        let Ok(config) = Config::load(&repo.root) else { continue };
        let local_ip = upstream_ip(&config.ports.bind);
        let repo_engine_approved = crate::branch::trust::inventory::engine_of(&config.engine)
            .is_some_and(|item| crate::branch::trust::is_trusted(conn, repo.id, &item).unwrap_or(false));
        let ip = engine_ip(&config, config.engine.spec(), repo_engine_approved).unwrap_or(local_ip);
        let main_branch =
            crate::git::discover(&repo.root).ok().and_then(|c| c.branch).unwrap_or_else(|| "HEAD".into());
        let base: indexmap::IndexMap<String, u16> =
            state::base_ports_of(conn, repo.id)?.into_iter().collect();
        push_checkout(&mut routes, &repo.project, &main_branch, None, &config, &base, ip);
        for row in WorktreeRow::list(conn, repo.id)? {
            if row.state != WorktreeState::Ready || !row.path.is_dir() {
                continue;
            }
            let governing = crate::branch::governing::governing(&config, &repo.root, &row.path);
            let keys_config = governing.as_deref().unwrap_or(&config);
            let slug = crate::names::branch_slug(&repo.project, &row.project, &row.branch);
            let ip = engine_ip(&config, row.engine.as_deref(), repo_engine_approved).unwrap_or(local_ip);
            push_checkout(&mut routes, &repo.project, &row.branch, Some(&slug), keys_config, &row.ports, ip);
        }
    }
    Ok(routes)
}

fn push_checkout(
    routes: &mut Vec<Route>,
    project: &str,
    branch: &str,
    slug: Option<&str>,
    config: &Config,
    ports: &indexmap::IndexMap<String, u16>,
    ip: IpAddr,
) {
    for name in hostnames(project, slug, &config.ports.keys) {
        let Some(&port) = ports.get(&name.key) else { continue };
        // Two repositories never share a project name, so a host repeats only through a
        // branch slug shared by two branch names; the first keeps it.
        if routes.iter().any(|r| r.host == name.host) {
            continue;
        }
        let upstream = SocketAddr::new(ip, port);
        let Ok(authority) = upstream.to_string().parse() else { continue };
        routes.push(Route {
            host: name.host,
            project: project.to_string(),
            branch: branch.to_string(),
            is_main: slug.is_none(),
            service: name.service,
            key: name.key,
            port,
            upstream,
            authority,
        });
    }
}

/// Where the proxy connects for a stack on the remote engine `spec`: the repository's
/// `publish_address` for its own approved engine, else the engine host's address; `None` for the
/// local engine (or one named by the repository and not approved: its stack runs nowhere).
fn engine_ip(config: &Config, spec: Option<&str>, repo_engine_approved: bool) -> Option<IpAddr> {
    let spec = spec?;
    let is_repo_engine = config.engine.spec() == Some(spec);
    if is_repo_engine && !repo_engine_approved {
        return None;
    }
    let target = crate::engine::Target::resolve(Some(spec)).ok()?;
    if target.is_local_socket() {
        return None;
    }
    if is_repo_engine {
        if let Some(ip) = config.engine.publish_address.as_deref().and_then(|a| a.parse().ok()) {
            return Some(ip);
        }
    }
    target.host_address().ok().flatten()
}

/// Where the proxy connects for a stack published on `bind`: that address, or loopback for a
/// wildcard (or unparsable) one.
fn upstream_ip(bind: &str) -> IpAddr {
    match bind.trim_matches(['[', ']']).parse::<IpAddr>() {
        Ok(ip) if !ip.is_unspecified() => ip,
        _ => IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// The route table, swapped whole: requests read it without touching the database.
struct Table {
    routes: Arc<Vec<Route>>,
    by_host: HashMap<String, Arc<Route>>,
}

impl Table {
    fn new(routes: Vec<Route>) -> Arc<Table> {
        let by_host = routes.iter().map(|r| (r.host.clone(), Arc::new(r.clone()))).collect();
        Arc::new(Table { routes: Arc::new(routes), by_host })
    }
}

/// The last route table, read again when the registry changed.
///
/// Requests only take a read lock and clone an `Arc`; the database is asked by
/// [`RouteCache::refresh`], which [`RouteCache::watch`] runs on a thread of its own every
/// [`CHECK_EVERY`], so a request never waits for SQLite or for a cfn.toml being read.
pub struct RouteCache {
    table: RwLock<Arc<Table>>,
    source: Mutex<Source>,
}

/// Where the table comes from, and when it was read.
struct Source {
    home: PathBuf,
    /// The inode of the database file the connection has open.
    inode: Option<u64>,
    state: State,
    version: i64,
    read_at: Instant,
}

impl RouteCache {
    pub fn open(home: &Path) -> Result<RouteCache> {
        let inode = inode_of(home);
        let state = State::open(home)?;
        let version = data_version(state.conn())?;
        let table = Table::new(load_routes(state.conn())?);
        let home = home.to_path_buf();
        Ok(RouteCache {
            table: RwLock::new(table),
            source: Mutex::new(Source { home, inode, state, version, read_at: Instant::now() }),
        })
    }

    /// Refreshes the table every [`CHECK_EVERY`] on a thread of its own, for as long as the
    /// cache is in use.
    pub fn watch(cache: &Arc<RouteCache>) -> Result<()> {
        let weak = Arc::downgrade(cache);
        std::thread::Builder::new().name("cfn-proxy-routes".into()).spawn(move || loop {
            std::thread::sleep(CHECK_EVERY);
            let Some(cache) = weak.upgrade() else { return };
            cache.refresh();
        })?;
        Ok(())
    }

    /// Reads the registry again if another process committed to it since the last read (or the
    /// table is older than [`MAX_AGE`], or the database file was replaced).
    pub fn refresh(&self) {
        let mut source = self.source.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if source.read_at.elapsed() > MAX_AGE {
            let inode = inode_of(&source.home);
            if inode != source.inode {
                // Replaced: the open connection still reads the old, deleted file.
                if let Ok(state) = State::open(&source.home) {
                    source.state = state;
                    source.inode = inode;
                    source.version = -1;
                }
            }
        }
        let version = data_version(source.state.conn()).unwrap_or(-1);
        if version == source.version && source.read_at.elapsed() <= MAX_AGE {
            return;
        }
        // A read that fails (the database locked past its timeout) keeps the last table.
        if let Ok(routes) = load_routes(source.state.conn()) {
            let table = Table::new(routes);
            *self.table.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = table;
            source.version = version;
            source.read_at = Instant::now();
        }
    }

    fn table(&self) -> Arc<Table> {
        self.table.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The current routes (the last table read).
    pub fn routes(&self) -> Arc<Vec<Route>> {
        self.table().routes.clone()
    }

    /// The route of `host` (lower case, without a port), or every route when there is none.
    pub fn find(&self, host: &str) -> Result<Arc<Route>, Arc<Vec<Route>>> {
        let table = self.table();
        table.by_host.get(host).cloned().ok_or_else(|| table.routes.clone())
    }
}

/// The inode of `home`'s state database, if it exists.
fn inode_of(home: &Path) -> Option<u64> {
    std::fs::metadata(home.join("state.db")).ok().map(|m| m.ino())
}

/// SQLite's counter of commits by other connections.
fn data_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_is_reached_on_loopback() {
        assert_eq!(upstream_ip("127.0.0.1"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(upstream_ip("0.0.0.0"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(upstream_ip("[::]"), IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(upstream_ip("127.0.0.2"), "127.0.0.2".parse::<IpAddr>().unwrap());
        assert_eq!(upstream_ip("::1"), "::1".parse::<IpAddr>().unwrap());
    }
}
