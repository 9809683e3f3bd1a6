//! Containers, networks and volumes of this repository's stacks that no registered worktree owns.
//!
//! Only what provably belongs to this repository counts. cfn's override labels every service
//! with the repository's id (`dev.cfn.repository`, [`crate::state::repository_id`]) next to its project
//! name (`dev.cfn.project`): another repository of the same name — registered in another
//! `CFN_HOME`, or registered first after a lost state database — labels its own with another
//! id, so its running stacks are never this repository's orphans. An orphaned container
//! carries this repository's id and a compose project that no registered checkout on the
//! machine uses.
//!
//! Networks and volumes are not labelled (a label added to an existing volume makes compose
//! ask to recreate it, with its data): one belongs to this repository when every container of
//! its compose project carries this repository's id.
//!
//! What carries the project name but no id (containers of a cfn before ids), and networks or
//! volumes named like this repository's projects with no container left to vouch for them,
//! are reported as "owner unknown" and never removed.

use super::snapshot::{Container, Resource, Snapshot};
use super::survey::Survey;
use super::Check;
use crate::branch::Workspace;
use crate::state::{self, WorktreeRow};
use anyhow::Result;
use rusqlite::Connection;
use std::collections::BTreeSet;

#[derive(Debug, Default)]
pub struct Orphans {
    pub containers: Vec<Container>,
    pub networks: Vec<Resource>,
    pub volumes: Vec<Resource>,
    /// What looks like this repository's and cannot be proven to be: reported, never removed.
    pub unknown: Vec<Unknown>,
}

/// A container, network or volume whose owner cannot be told.
#[derive(Debug, Clone)]
pub struct Unknown {
    /// `container`, `network` or `volume`.
    pub kind: &'static str,
    pub name: String,
    pub project: Option<String>,
}

impl Orphans {
    /// The compose projects of the orphaned containers and networks (what a teardown without
    /// volumes removes).
    pub fn projects(&self) -> BTreeSet<String> {
        let containers = self.containers.iter().filter_map(|c| c.project().map(str::to_string));
        containers.chain(self.networks.iter().map(|n| n.project.clone())).collect()
    }
}

/// Whether `c` carries the repository id `uid` (a repository without an id owns nothing).
pub fn labelled_by(c: &Container, uid: Option<&str>) -> bool {
    uid.is_some() && c.repository() == uid
}

/// Who a network's or volume's compose project belongs to, judged by its containers.
enum Owner {
    Us,
    Unknown,
    Other,
}

/// What in `snapshot` belongs to this repository and to no registered worktree.
pub fn find(conn: &Connection, ws: &Workspace, snapshot: &Snapshot) -> Result<Orphans> {
    let ours = ws.repo.project.as_str();
    let uid = ws.repo.uid.as_deref();
    let mut known = vec![ours.to_string()];
    known.extend(WorktreeRow::list(conn, ws.repo.id)?.into_iter().map(|r| r.project));
    let unregistered = |project: &str| -> Result<bool> {
        Ok(!known.iter().any(|k| k == project) && !WorktreeRow::project_taken(conn, project)?)
    };
    let mut found = Orphans::default();
    for c in snapshot.containers.iter().filter(|c| c.cfn_project() == Some(ours)) {
        if let Some(project) = c.project() {
            if !unregistered(project)? {
                continue;
            }
        }
        if labelled_by(c, uid) {
            found.containers.push(c.clone());
        } else if c.repository().is_none() {
            let project = c.project().map(str::to_string);
            found.unknown.push(Unknown { kind: "container", name: c.name.clone(), project });
        }
    }
    let repo_projects: Vec<String> = state::list_repositories(conn)?.into_iter().map(|r| r.project).collect();
    let owner = |project: &str| -> Owner {
        let members: Vec<&Container> =
            snapshot.containers.iter().filter(|c| c.project() == Some(project)).collect();
        if members.is_empty() {
            // Nothing vouches for it: named like ours is all there is.
            let named_like_ours =
                longest_prefix_owner(project, &repo_projects).map(String::as_str) == Some(ours);
            return if named_like_ours { Owner::Unknown } else { Owner::Other };
        }
        if members.iter().all(|c| labelled_by(c, uid)) {
            return Owner::Us;
        }
        let unlabelled_ours = |c: &&Container| c.cfn_project() == Some(ours) && c.repository().is_none();
        if members.iter().all(|c| labelled_by(c, uid) || unlabelled_ours(c)) {
            Owner::Unknown
        } else {
            Owner::Other
        }
    };
    for (kind, list) in [("network", &snapshot.networks), ("volume", &snapshot.volumes)] {
        for r in list {
            if !unregistered(&r.project)? {
                continue;
            }
            match owner(&r.project) {
                Owner::Us if kind == "network" => found.networks.push(r.clone()),
                Owner::Us => found.volumes.push(r.clone()),
                Owner::Unknown => found.unknown.push(Unknown {
                    kind,
                    name: r.name.clone(),
                    project: Some(r.project.clone()),
                }),
                Owner::Other => {}
            }
        }
    }
    Ok(found)
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
    for u in &orphans.unknown {
        let project = u.project.as_ref().map(|p| format!(" (compose project {p})")).unwrap_or_default();
        let remove = match u.kind {
            "container" => format!("docker rm -f {}", u.name),
            kind => format!("docker {kind} rm {}", u.name),
        };
        out.push(Check::warn(
            "orphans",
            format!(
                "{} {}{project} is named for this repository's project but carries no repository id: owner unknown",
                u.kind, u.name
            ),
            format!(
                "made by an older cfn or by another repository of the same name, so `cfn doctor --fix` leaves it; if it is this repository's and unused, `{remove}`"
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
