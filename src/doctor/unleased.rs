//! Every host port a branch's running containers publish is leased to that branch (or, for the
//! main checkout, is one of its base ports). One that is not belongs to a service removed from
//! the branch's files while its container kept running: no lease protects it, so another branch
//! may be handed that port and fail to start.

use super::survey::Survey;
use super::Check;
use crate::workspace::BranchEnv;

pub fn checks(survey: &Survey) -> Vec<Check> {
    let Ok(snapshot) = &survey.engine else { return Vec::new() };
    let mut out = Vec::new();
    for env in &survey.envs {
        let running = snapshot.containers.iter().filter(|c| c.running && c.project() == Some(&env.project));
        for container in running {
            for p in container.published.iter().filter(|p| !is_leased(env, p.port)) {
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

fn is_leased(env: &BranchEnv, port: u16) -> bool {
    env.ports.values().any(|&p| p == port)
}
