//! Every host port a branch's running containers publish is leased to that branch (or, for the
//! main checkout, is one of its base ports). One that is not belongs to a service removed from
//! the branch's files while its container kept running: no lease protects it, so another branch
//! may be handed that port and fail to start. A port in the kernel's ephemeral range is one the
//! engine picked itself (published without a host port) and is left out.

use super::snapshot::Published;
use super::survey::Survey;
use super::Check;
use crate::branch::BranchEnv;

pub fn checks(survey: &Survey) -> Vec<Check> {
    let Ok(snapshot) = &survey.engine else { return Vec::new() };
    let ephemeral = ephemeral_range();
    let mut out = Vec::new();
    for env in &survey.envs {
        let running = snapshot.containers.iter().filter(|c| c.running && c.project() == Some(&env.project));
        for container in running {
            let unleased = |p: &&Published| !is_leased(env, p.port) && !ephemeral.contains(&p.port);
            for p in container.published.iter().filter(unleased) {
                out.push(Check::warn(
                    "ports",
                    format!(
                        "container {} of {} publishes port {}/{}, which is not leased to {}",
                        container.name, env.branch, p.port, p.protocol, env.branch
                    ),
                    format!(
                        "a service removed from the branch's files (or its port key) still runs: \
                         `cfn down --branch {}` stops it; `cfn up` starts what the files have",
                        env.branch
                    ),
                ));
            }
        }
    }
    out
}

/// The kernel's ephemeral port range, where the engine picks the host port of a port published
/// without one (`ports: ["6379"]`): such a port is nobody's lease by design.
fn ephemeral_range() -> std::ops::RangeInclusive<u16> {
    let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap_or_default();
    let mut bounds = text.split_whitespace().map(str::parse::<u16>);
    match (bounds.next(), bounds.next()) {
        (Some(Ok(low)), Some(Ok(high))) => low..=high,
        _ => 32768..=60999,
    }
}

fn is_leased(env: &BranchEnv, port: u16) -> bool {
    env.ports.values().any(|&p| p == port)
}
