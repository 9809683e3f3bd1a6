//! Containers, networks and volumes of this repository's stacks that no registered worktree owns.
//!
//! Only what provably belongs to this repository counts: a container carries the repository's
//! `dev.cfn.project` label (put there by cfn's override) with a compose project that is neither
//! the main checkout's nor a registered worktree's. Networks and volumes carry no cfn label, so
//! one counts when its compose project is `<repository project>-…` — this repository's being
//! the longest registered project prefix — is registered nowhere on the machine, and no
//! container of it lacks this repository's label (so removing it cannot touch someone else's
//! stack).

use super::snapshot::{Container, Resource, Snapshot};
use super::survey::Survey;
use super::Check;
use crate::state::{self, WorktreeRow};
use crate::workspace::Workspace;
use anyhow::Result;
use rusqlite::Connection;
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct Orphans {
    pub containers: Vec<Container>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
}

impl Orphans {
    /// The compose projects of the orphaned containers and networks (what a teardown without
    /// volumes removes).
    pub fn projects(&self) -> BTreeSet<String> {
        let containers = self.containers.iter().filter_map(|c| c.project().map(str::to_string));
        containers.chain(self.networks.iter().map(|n| n.project.clone())).collect()
    }
}

/// What in `snapshot` belongs to this repository and to no registered worktree.
pub fn find(conn: &Connection, ws: &Workspace, snapshot: &Snapshot) -> Result<Orphans> {
    let ours = &ws.repo.project;
    let mut known = vec![ours.clone()];
    known.extend(WorktreeRow::list(conn, ws.repo.id)?.into_iter().map(|r| r.project));
    let containers: Vec<Container> = snapshot
        .containers
        .iter()
        .filter(|c| c.cfn_project() == Some(ours.as_str()))
        .filter(|c| c.project().is_none_or(|p| !known.iter().any(|k| k == p)))
        .cloned()
        .collect();
    let repo_projects: Vec<String> = state::list_repositories(conn)?.into_iter().map(|r| r.project).collect();
    let orphan_project = |project: &str| -> Result<bool> {
        let Some(owner) = longest_prefix_owner(project, &repo_projects) else { return Ok(false) };
        if owner != ours || WorktreeRow::project_taken(conn, project)? {
            return Ok(false);
        }
        let foreign = snapshot
            .containers
            .iter()
            .any(|c| c.project() == Some(project) && c.cfn_project() != Some(ours.as_str()));
        Ok(!foreign)
    };
    let mut networks = Vec::new();
    for n in &snapshot.networks {
        if orphan_project(&n.project)? {
            networks.push(n.clone());
        }
    }
    let mut volumes = Vec::new();
    for v in &snapshot.volumes {
        if orphan_project(&v.project)? {
            volumes.push(v.clone());
        }
    }
    Ok(Orphans { containers, networks, volumes })
}

/// The registered repository project that is the longest `<project>-` prefix of `name`.
fn longest_prefix_owner<'a>(name: &str, projects: &'a [String]) -> Option<&'a String> {
    projects
        .iter()
        .filter(|p| {
            name.len() > p.len() + 1 && name.starts_with(p.as_str()) && name.as_bytes()[p.len()] == b'-'
        })
        .max_by_key(|p| p.len())
}

pub fn checks(survey: &Survey, ws: &Workspace) -> Result<Vec<Check>> {
    let Ok(snapshot) = &survey.engine else { return Ok(Vec::new()) };
    let orphans = find(ws.state.conn(), ws, snapshot)?;
    let mut out = Vec::new();
    for c in &orphans.containers {
        let project = c.project().map(|p| format!(" (compose project {p})")).unwrap_or_default();
        let state = if c.running { "running" } else { "stopped" };
        out.push(Check::warn(
            "orphans",
            format!("container {}{project} is {state} but no registered worktree owns it", c.name),
            "`cfn doctor --fix` removes it by its labels (volumes are kept)",
        ));
    }
    for n in &orphans.networks {
        out.push(Check::warn(
            "orphans",
            format!("network {} (compose project {}) belongs to no registered worktree", n.name, n.project),
            "`cfn doctor --fix` removes it",
        ));
    }
    for v in &orphans.volumes {
        out.push(Check::warn(
            "orphans",
            format!("volume {} (compose project {}) belongs to no registered worktree", v.name, v.project),
            format!(
                "it holds data: `cfn doctor --fix` asks first on a terminal; or `docker volume rm {}`",
                v.name
            ),
        ));
    }
    if out.is_empty() {
        out.push(Check::ok("orphans", "no containers, networks or volumes without a registered worktree"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_registered_prefix_owns_a_project() {
        let projects = vec!["shop".to_string(), "shop-admin".to_string()];
        assert_eq!(longest_prefix_owner("shop-feature", &projects).map(String::as_str), Some("shop"));
        assert_eq!(longest_prefix_owner("shop-admin-x", &projects).map(String::as_str), Some("shop-admin"));
        assert_eq!(longest_prefix_owner("shop", &projects), None);
        assert_eq!(longest_prefix_owner("shopping-x", &projects), None);
    }
}
