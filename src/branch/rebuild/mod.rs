//! Rebuilding a repository's registry from what its worktrees and the engine still know, when
//! the state database was lost or damaged: without it every running stack would look orphaned
//! and `doctor --fix` would hand its branch new ports while its containers hold the old ones.
//!
//! Each linked worktree git knows is registered again with the compose project, slot and ports
//! it had: the ports its running containers publish (what is really held), else those its
//! `.cfn/env` names. The file belongs to the worktree and may lie, so a port read from it alone
//! must be the one the port scheme gives the recorded slot (under the worktree's governing
//! configuration), is never a base port, and a slot two files name is believed for neither;
//! worktrees backed by running containers go first. A worktree whose recorded slot, project or
//! ports fail this or clash with the registry is left to the ordinary adoption (new ports, by
//! `cfn doctor --fix`), and said so. Everything is written in
//! one `BEGIN IMMEDIATE` transaction — a crash leaves the registry as it was — and worktrees
//! already registered are skipped, so running it again changes nothing.
//!
//! It runs when a repository is opened that the registry does not know while one of its
//! worktrees carries a `.cfn/env` of a compose project the registry does not know either, or
//! has a stack in the engine (a lost database; never a clean first run), and in
//! `cfn doctor --fix`.

mod evidence;

use crate::config::Config;
use crate::git::{self, GitWorktree};
use crate::state::{self, Lease, NewRow, Operation, RepoRow, State, WorktreeRow};
use anyhow::Result;
use indexmap::IndexMap;
use rusqlite::Connection;
use std::path::{Path, PathBuf};

/// What a rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    pub registered: Vec<Registered>,
    /// Worktrees that could not keep what they had, and why (adoption gives them new ports).
    pub skipped: Vec<String>,
    /// Why the engine could not be asked, when it could not.
    pub engine_unread: Option<String>,
}

/// A worktree registered again.
#[derive(Debug)]
pub struct Registered {
    pub branch: String,
    pub slot: u32,
    pub ports: IndexMap<String, u16>,
    /// `its running containers` or `.cfn/env`.
    pub source: &'static str,
}

/// One worktree's facts before they are checked against the registry.
struct Candidate {
    branch: String,
    path: PathBuf,
    project: String,
    slot: Option<u32>,
    ports: IndexMap<String, u16>,
    /// The keys whose port a running container of the worktree holds (the rest are probed, and
    /// must be what the scheme gives the slot).
    held: Vec<String>,
    /// Whether the slot comes from the labels of the worktree's containers (the engine vouches
    /// for it), not from its `.cfn/env` alone.
    slot_from_engine: bool,
    source: &'static str,
    /// The configuration governing the worktree (its own cfn.toml's keys, when it has one).
    config: Config,
}

/// Whether the registry has lost this repository: it does not know it, and one of its linked
/// worktrees has a `.cfn/env` naming a compose project the registry does not know either, or a
/// stack of this repository's label and the worktree's branch (its `.cfn/` was deleted too).
pub fn needed(conn: &Connection, root: &Path, config: &Config) -> Result<bool> {
    if state::find_repository(conn, root)?.is_some() {
        return Ok(false);
    }
    let Ok(list) = git::list_worktrees(root) else { return Ok(false) };
    let mut without_env = Vec::new();
    for wt in linked(&list) {
        match evidence::env_file(&wt.path, config) {
            Some(env) if !WorktreeRow::project_taken(conn, &env.project)? => return Ok(true),
            Some(_) => {}
            None => without_env.extend(wt.branch.as_deref()),
        }
    }
    if without_env.is_empty() {
        return Ok(false);
    }
    // No engine: nothing more to learn (the check is asked again by the next command).
    let Ok(stacks) = evidence::stacks(&repo_project(conn, root, config)?, config) else { return Ok(false) };
    for stack in stacks {
        let ours = stack.branch.as_deref().is_some_and(|b| without_env.contains(&b));
        if ours && !WorktreeRow::project_taken(conn, &stack.project)? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The repository's compose project: the registry's, else the one its main checkout's
/// `.cfn/env` names (what its stacks were labelled with) when it is one cfn could have given
/// this repository (the configured name, or that name made unique by the root), else the
/// configured one.
fn repo_project(conn: &Connection, root: &Path, config: &Config) -> Result<String> {
    if let Some(repo) = state::find_repository(conn, root)? {
        return Ok(repo.project);
    }
    let configured = config.project_name(root);
    let unique = crate::names::disambiguated(&configured, &root.to_string_lossy());
    Ok(match evidence::env_file(root, config) {
        Some(env) if env.project == unique => unique,
        _ => configured,
    })
}

/// Registers the repository at `root` (if needed) and every linked worktree of it that the
/// registry does not know and that keeps what it had, in one transaction.
pub fn rebuild(state: &mut State, root: &Path, config: &Config) -> Result<Rebuilt> {
    let list = git::list_worktrees(root)?;
    let wanted = repo_project(state.conn(), root, config)?;
    let mut unregistered = Vec::new();
    for wt in linked(&list) {
        if !is_registered(state.conn(), root, &wt.path)? {
            unregistered.push(wt);
        }
    }
    let (stacks, engine_unread) = if unregistered.is_empty() {
        (Vec::new(), None)
    } else {
        match evidence::stacks(&wanted, config) {
            Ok(stacks) => (stacks, None),
            Err(e) => (Vec::new(), Some(format!("{e:#}"))),
        }
    };
    let mut skipped = Vec::new();
    let mut candidates: Vec<Candidate> =
        unregistered.iter().filter_map(|wt| candidate(wt, root, config, &stacks, &mut skipped)).collect();
    // What running containers hold first: a `.cfn/env` naming the same slot or ports (a stale
    // or hostile file) then finds them taken, instead of taking them from their owner.
    candidates.sort_by_key(|c| c.held.is_empty());
    let contested = contested_slots(&candidates);
    let contested_ports = contested_ports(&candidates);

    let base: Vec<(String, u16)> = config.ports.keys.iter().map(|(k, v)| (k.clone(), v.base)).collect();
    let tx = state.immediate()?;
    let repo = state::ensure_repository(&tx, root, &wanted, &base)?;
    let mut registered = Vec::new();
    for c in candidates {
        if is_registered(&tx, root, &c.path)? {
            continue; // registered meanwhile: nothing to rebuild
        }
        let leases = leases(&c.config, &c.ports);
        let why = match c.slot {
            Some(slot) if !c.slot_from_engine && contested.contains(&slot) => {
                Some(format!("slot {slot} is named by the .cfn/env of another worktree too"))
            }
            _ => match file_ports(&c).find(|p| contested_ports.contains(p)) {
                Some(port) => Some(format!("port {port} is named by the .cfn/env of another worktree too")),
                None => clash(&tx, &repo, &c, &leases)?,
            },
        };
        if let Some(why) = why {
            skipped.push(format!(
                "{} cannot keep what it had ({why}); `cfn doctor --fix` registers it on new ports",
                c.branch
            ));
            continue;
        }
        let slot = c.slot.unwrap_or_default();
        let new = NewRow {
            operation: Operation::Adopt,
            repo_id: repo.id,
            branch: &c.branch,
            path: &c.path,
            project: &c.project,
            slot,
            owner: "rebuild",
            created_branch: false,
            created_dir: None,
            engine: None,
            engine_id: "",
        };
        let id = WorktreeRow::insert(&tx, &new, &leases)?;
        WorktreeRow::mark_ready(&tx, id)?;
        crate::crash_point::reached("rebuild", 1);
        registered.push(Registered { branch: c.branch, slot, ports: c.ports, source: c.source });
    }
    let rebuilt = Rebuilt { registered, skipped, engine_unread };
    if !rebuilt.registered.is_empty() {
        state::record_rebuilt(&tx, root, &rebuilt.summary(root))?;
    }
    tx.commit()?;
    Ok(rebuilt)
}

impl Rebuilt {
    /// `rebuilt the registry of /r from what its worktrees and the engine know: feat (slot 3,
    /// redis 6382) from its running containers; …`.
    pub fn summary(&self, root: &Path) -> String {
        let each: Vec<String> = self
            .registered
            .iter()
            .map(|r| {
                let ports: Vec<String> = r.ports.iter().map(|(k, p)| format!("{k} {p}")).collect();
                format!("{} (slot {}, {}) from {}", r.branch, r.slot, ports.join(", "), r.source)
            })
            .collect();
        format!(
            "rebuilt the registry of {} from what its worktrees and the engine know: {}",
            root.display(),
            each.join("; ")
        )
    }

    /// Everything a person should be told: the summary, what could not be kept, and an
    /// engine that could not be asked.
    pub fn warnings(&self, root: &Path) -> Vec<String> {
        let mut out = Vec::new();
        if !self.registered.is_empty() {
            out.push(self.summary(root));
            if let Some(why) = &self.engine_unread {
                out.push(format!(
                    "the engine could not be asked ({why}): ports were read from .cfn/env only"
                ));
            }
        }
        out.extend(self.skipped.iter().cloned());
        out
    }
}

/// Whether a worktree at `path` is registered: under that path, or under another spelling of
/// it (a symbolic link) in this repository.
fn is_registered(conn: &Connection, root: &Path, path: &Path) -> Result<bool> {
    if WorktreeRow::find_by_path(conn, path)?.is_some() {
        return Ok(true);
    }
    let Some(repo) = state::find_repository(conn, root)? else { return Ok(false) };
    Ok(WorktreeRow::list(conn, repo.id)?.iter().any(|row| git::same_path(&row.path, path)))
}

/// The linked worktrees git knows that are real checkouts of a branch.
fn linked(list: &[GitWorktree]) -> impl Iterator<Item = &GitWorktree> {
    list.iter().skip(1).filter(|w| !w.bare && w.branch.is_some() && w.path.is_dir() && !w.is_half_created())
}

/// The facts of one worktree: its env file (when it is of this branch) and its stack (found by
/// the env file's project, else by the branch label). `None` when nothing is known of it.
fn candidate(
    wt: &GitWorktree,
    root: &Path,
    main: &Config,
    stacks: &[evidence::Stack],
    skipped: &mut Vec<String>,
) -> Option<Candidate> {
    let branch = wt.branch.clone()?;
    // The branch's own cfn.toml, when it has one, names its keys; a broken one is reported and
    // the worktree left to adoption, which reports it again.
    let config = match crate::branch::governing::governing(main, root, &wt.path) {
        Ok(config) => config.into_owned(),
        Err(e) => {
            skipped.push(format!("{branch}: {e:#}"));
            return None;
        }
    };
    let env = evidence::env_file(&wt.path, &config).filter(|e| e.branch == branch);
    if let Some(why) = env.as_ref().and_then(evidence::EnvFile::remote_engine) {
        skipped.push(format!("{branch}: {why}"));
        return None;
    }
    let stack = match &env {
        Some(env) => stacks.iter().find(|s| s.project == env.project),
        None => stacks.iter().find(|s| s.branch.as_deref() == Some(branch.as_str())),
    };
    let project = env.as_ref().map(|e| e.project.clone()).or_else(|| stack.map(|s| s.project.clone()))?;
    let mut ports = env.as_ref().map(|e| e.ports.clone()).unwrap_or_default();
    let mut source = ".cfn/env";
    let mut held = Vec::new();
    if let Some(stack) = stack.filter(|s| !s.ports.is_empty()) {
        // What the containers publish is what is held, whatever the file says now.
        ports.extend(stack.ports.iter().map(|(k, p)| (k.clone(), *p)));
        held = stack.ports.keys().cloned().collect();
        source = "its running containers";
    }
    // A key with no recorded port (added since the file was rendered) is leased by the next
    // command's reconciliation (`Workspace::follow_config`); the recorded ones are kept.
    let keys = &config.ports.keys;
    ports.sort_by_key(|key, _| keys.get_index_of(key).unwrap_or(usize::MAX));
    let slot_from_engine = stack.and_then(|s| s.slot).is_some();
    let slot = stack.and_then(|s| s.slot).or(env.as_ref().and_then(|e| e.slot));
    // The checkout's own root, as `worktree add` and adoption record it.
    let path = git::discover(&wt.path).map(|c| c.root).unwrap_or_else(|_| wt.path.clone());
    Some(Candidate { branch, path, project, slot, ports, held, slot_from_engine, source, config })
}

/// The slots that more than one worktree's `.cfn/env` alone names: which file is true cannot
/// be told, so none of them is believed.
fn contested_slots(candidates: &[Candidate]) -> Vec<u32> {
    let named: Vec<u32> = candidates.iter().filter(|c| !c.slot_from_engine).filter_map(|c| c.slot).collect();
    let mut contested: Vec<u32> =
        named.iter().copied().filter(|s| named.iter().filter(|n| *n == s).count() > 1).collect();
    contested.dedup();
    contested
}

/// The ports a candidate has from its `.cfn/env` alone (not vouched for by a running container).
fn file_ports(c: &Candidate) -> impl Iterator<Item = u16> + '_ {
    c.ports.iter().filter(|(key, _)| !c.held.contains(key)).map(|(_, port)| *port)
}

/// The ports that more than one worktree's `.cfn/env` alone names. A branch may choose its own
/// `[ports]` base and stride, so "on its slot's scheme" does not prove a port is its own: a
/// file aiming at another stopped branch's port makes both lose it, never the aimer win it.
fn contested_ports(candidates: &[Candidate]) -> Vec<u16> {
    // Each worktree counted once per port (a tcp and a udp key may share a number).
    let named: Vec<u16> = candidates
        .iter()
        .flat_map(|c| {
            let mut own: Vec<u16> = file_ports(c).collect();
            own.sort_unstable();
            own.dedup();
            own
        })
        .collect();
    let mut contested: Vec<u16> =
        named.iter().copied().filter(|p| named.iter().filter(|n| *n == p).count() > 1).collect();
    contested.sort_unstable();
    contested.dedup();
    contested
}

fn leases(config: &Config, ports: &IndexMap<String, u16>) -> Vec<Lease> {
    ports
        .iter()
        .map(|(key, port)| Lease {
            key: key.clone(),
            port: *port,
            protocol: Some(config.ports.keys.get(key).map(|k| k.protocol).unwrap_or_default()),
        })
        .collect()
}

/// Why the candidate cannot be registered as it was, if it cannot.
fn clash(conn: &Connection, repo: &RepoRow, c: &Candidate, leases: &[Lease]) -> Result<Option<String>> {
    let slot = match c.slot {
        Some(slot) if slot >= 1 => slot,
        _ => return Ok(Some("no slot recorded".into())),
    };
    if state::slot_taken(conn, repo.id, slot)? {
        return Ok(Some(format!("slot {slot} is taken")));
    }
    if WorktreeRow::find_by_branch(conn, repo.id, &c.branch)?.is_some() {
        return Ok(Some("the branch is registered with another worktree".into()));
    }
    // A worktree's files are not to be trusted with another project's name: only the names
    // `worktree add` gives this branch are taken, so a later teardown can only touch its own.
    let own = crate::names::project_name(&repo.project, &c.branch);
    if c.project != own && c.project != crate::names::disambiguated(&own, &c.branch) {
        return Ok(Some(format!("compose project {} is not this branch's", c.project)));
    }
    if WorktreeRow::project_taken(conn, &c.project)? {
        return Ok(Some(format!("compose project {} is taken", c.project)));
    }
    let layout = crate::ports::lanes::layout(&c.config.ports.keys);
    let scheme = crate::ports::scheme::ports_for(&c.config.ports, &layout, slot).unwrap_or_default();
    for lease in leases {
        if c.config.ports.keys.values().any(|k| k.base == lease.port) {
            return Ok(Some(format!("port {} is a base port of this repository", lease.port)));
        }
        // A port read from `.cfn/env` alone is believed only when it is the one the scheme gives
        // the slot: the file is the worktree's, and could name any branch's ports.
        let held = c.held.contains(&lease.key);
        if !held && scheme.get(&lease.key) != Some(&lease.port) {
            let (key, port) = (&lease.key, lease.port);
            return Ok(Some(match scheme.get(key) {
                Some(p) => format!(".cfn/env gives {key} port {port}, but slot {slot}'s is {p}"),
                None => format!(".cfn/env gives {key} port {port}, and slot {slot} has none"),
            }));
        }
        if lease.port < 1024 {
            return Ok(Some(format!("port {} is below 1024", lease.port)));
        }
        // leases built here always name their protocol (see `leases`)
        let protocol = lease.protocol.unwrap_or_default();
        if state::lease_holder(conn, "", lease.port, protocol)?.is_some() {
            return Ok(Some(format!("port {}/{protocol} is leased", lease.port)));
        }
        if state::is_base_port(conn, lease.port)? {
            return Ok(Some(format!("port {} is a main checkout's port", lease.port)));
        }
        // A port no container of the branch holds must be free, as for any allocation.
        if !held && !crate::ports::probe::is_bindable(lease.port, protocol) {
            return Ok(Some(format!("port {}/{protocol} is in use on this machine", lease.port)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests;
