//! Every worktree's leases match the port keys of the cfn.toml governing it: a key without a
//! lease means its service would run without a host port, a lease without a key holds a port
//! for nothing. A worktree's own cfn.toml that cannot be read is reported here too.

use super::docker::plural;
use super::survey::{Problem, Survey};
use super::Check;
use crate::branch::Workspace;
use crate::ports::reconcile;
use crate::state;
use anyhow::Result;

const FIX: &str =
    "`cfn doctor --fix` leases and releases them (so does the next cfn command in that worktree)";

pub fn checks(survey: &Survey, ws: &Workspace) -> Result<Vec<Check>> {
    let mut out = Vec::new();
    let mut checked = 0;
    // Rows being added or removed, and worktrees whose directory is gone, are the registry
    // check's business.
    for row in survey.rows.iter().filter(|r| r.operation.is_none() && r.path.is_dir()) {
        checked += 1;
        let config = match ws.config_at(&row.path) {
            Ok(config) => config,
            Err(e) => {
                let p = Problem::from_error(&e);
                let hint = p.hint.unwrap_or_else(|| "see docs/configuration.md".into());
                out.push(Check::fail("leases", format!("worktree {}: {}", row.branch, p.message), hint));
                continue;
            }
        };
        let held = state::leases_of(ws.state.conn(), row.id)?;
        let plan = reconcile::plan(&config.ports.keys, &held);
        if plan.is_empty() {
            continue;
        }
        let mut what = Vec::new();
        if !plan.lease.is_empty() {
            what.push(format!("no port for {}", plan.lease.join(", ")));
        }
        if !plan.release.is_empty() {
            let stale: Vec<String> = plan.release.iter().map(|l| format!("{}={}", l.key, l.port)).collect();
            what.push(format!("leases without a key: {}", stale.join(", ")));
        }
        let message = format!("leases of {} do not match its cfn.toml: {}", row.branch, what.join("; "));
        // A key without a port breaks its service now; a stale lease only wastes a port.
        let check = if plan.lease.is_empty() {
            Check::warn("leases", message, FIX)
        } else {
            Check::fail("leases", message, FIX)
        };
        out.push(check);
    }
    if out.is_empty() {
        out.push(Check::ok(
            "leases",
            format!("leases of {checked} worktree{} match their configuration", plural(checked)),
        ));
    }
    Ok(out)
}
