//! Every leased port (each worktree's, and the main checkout's base ports) is free or held by
//! its own stack — else who holds it: a container of another project (from the engine), or a
//! process with its PID and command (from /proc). Nothing found here is ever stopped.

use super::docker::plural;
use super::listeners::{self, Holder, Sockets};
use super::survey::Survey;
use super::Check;
use crate::branch::{BranchEnv, Workspace};
use crate::protocol::Protocol;
use indexmap::IndexMap;
use std::collections::HashSet;

const NEVER_KILLED: &str = "cfn never stops other programs: stop it yourself, then run `cfn up` again";

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let sockets = Sockets::read();
    // A worktree whose directory is gone is the registry check's business; its leases go
    // with it when it is pruned.
    let envs: Vec<&BranchEnv> = survey.envs.iter().filter(|e| e.path.is_dir()).collect();
    // Each key's protocol, from the cfn.toml governing its checkout (a branch's own keys too).
    let protocols: Vec<IndexMap<String, Protocol>> = envs.iter().map(|e| protocols(ws, e)).collect();
    let protocol = |i: usize, key: &str| protocols[i].get(key).copied().unwrap_or_default();
    let wanted: HashSet<u64> = envs
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.ports.iter().map(move |(key, port)| (i, key, port)))
        .flat_map(|(i, key, port)| sockets.on(protocol(i, key), *port).iter().copied())
        .collect();
    let holders = listeners::holders(&wanted);
    let mut out = Vec::new();
    let mut checked = 0;
    for (i, env) in envs.into_iter().enumerate() {
        for (key, &port) in &env.ports {
            checked += 1;
            let protocol = protocol(i, key);
            let subject = format!("port {port} ({key}) of {}", env.branch);
            if let Some(check) = by_container(survey, env, &subject, port, protocol) {
                out.extend(check);
                continue;
            }
            let inodes = sockets.on(protocol, port);
            if inodes.is_empty() {
                continue;
            }
            // One listener often has two sockets (IPv4 and IPv6): name each process once.
            let mut who: Vec<Holder> = Vec::new();
            for holder in inodes.iter().filter_map(|i| holders.get(i)).flatten() {
                if !who.iter().any(|h| h.pid == holder.pid) {
                    who.push(holder.clone());
                }
            }
            out.push(by_process(survey, &subject, port, inodes[0], &who));
        }
    }
    if out.is_empty() {
        out.push(Check::ok(
            "ports",
            format!("{checked} leased port{} free or held by their own stacks", plural(checked)),
        ));
    }
    out
}

fn protocols(ws: &Workspace, env: &BranchEnv) -> IndexMap<String, Protocol> {
    // A cfn.toml that does not parse is the `leases` check's finding; the main one's keys then.
    let config = ws.config_of(env).unwrap_or(std::borrow::Cow::Borrowed(&ws.config));
    config.ports.keys.iter().map(|(key, k)| (key.clone(), k.protocol)).collect()
}

/// `Some` when a running container publishes the port: nothing to report when it is the
/// branch's own, a failure naming it otherwise.
fn by_container(
    survey: &Survey,
    env: &BranchEnv,
    subject: &str,
    port: u16,
    protocol: Protocol,
) -> Option<Option<Check>> {
    let snapshot = survey.engine.as_ref().ok()?;
    let container = snapshot
        .containers
        .iter()
        .filter(|c| c.running)
        .find(|c| c.published.iter().any(|p| p.port == port && p.protocol == protocol))?;
    let project = container.project().unwrap_or("none");
    if project == env.project {
        return Some(None);
    }
    Some(Some(Check::fail(
        "ports",
        format!("{subject} is published by container {} (compose project {project})", container.name),
        format!("stop that container yourself (`docker stop {}`), then run `cfn up` again", container.name),
    )))
}

fn by_process(survey: &Survey, subject: &str, port: u16, inode: u64, holders: &[Holder]) -> Check {
    if holders.is_empty() {
        return Check::fail(
            "ports",
            format!("{subject} is held by a process cfn cannot see (socket inode {inode})"),
            format!("`ss -lntup 'sport = :{port}'` as root shows it; {NEVER_KILLED}"),
        );
    }
    let who: Vec<String> = holders.iter().map(|h| format!("pid {} ({})", h.pid, h.command)).collect();
    let proxy = holders.iter().all(|h| h.command.contains("docker-proxy"));
    if proxy && survey.engine.is_err() {
        return Check::fail(
            "ports",
            format!("{subject} is published by a container (held by {})", who.join(", ")),
            "start the engine so doctor can name the container; `docker ps` shows it",
        );
    }
    Check::fail("ports", format!("{subject} is held by {}", who.join(", ")), NEVER_KILLED)
}
