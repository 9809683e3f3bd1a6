//! The Docker engine and the compose program are reachable (with their versions), and the
//! images the stacks run are on the machine.
//!
//! An unreachable engine or a missing compose program fails only when the project has a stack
//! (compose files in cfn.toml); a project that uses cfn for worktrees and ports alone does not
//! need them, so for it they are warnings.

use super::survey::Survey;
use super::Check;
use crate::compose::runner::ComposeVersion;

const START_ENGINE: &str =
    "start the engine (`sudo systemctl start docker`, or `dockerd &` as root) or set DOCKER_HOST";

pub fn checks(survey: &Survey) -> Vec<Check> {
    let mut out = Vec::new();
    let needed = survey.has_stack();
    match &survey.engine {
        Ok(snapshot) => out.push(Check::ok("docker", snapshot.version.clone())),
        Err(problem) => {
            let hint = problem.hint.clone().unwrap_or_else(|| START_ENGINE.into());
            if needed {
                let message =
                    format!("{}; images, orphans and port owners were not checked", problem.message);
                out.push(Check::fail("docker", message, hint));
            } else {
                let message =
                    format!("{} (no compose files in cfn.toml, so nothing needs it)", problem.message);
                out.push(Check::warn("docker", message, hint));
            }
        }
    }
    match &survey.compose_tool {
        Ok(tool) => {
            let major = match tool.version {
                ComposeVersion::V1 => "v1",
                ComposeVersion::V2 => "v2",
            };
            out.push(Check::ok(
                "compose",
                format!("{} {} ({major})", tool.program.join(" "), tool.version_text),
            ));
        }
        Err(problem) => {
            let hint = problem.hint.clone().unwrap_or_else(|| "install Docker Compose".into());
            if needed {
                out.push(Check::fail("compose", problem.message.clone(), hint));
            } else {
                out.push(Check::warn("compose", problem.message.clone(), hint));
            }
        }
    }
    out.extend(images(survey));
    out
}

/// Every image a service runs is present; `compose up` would pull a missing one, which fails
/// offline or without access to its registry, so a missing image is a warning.
fn images(survey: &Survey) -> Vec<Check> {
    let Ok(snapshot) = &survey.engine else { return Vec::new() };
    if survey.images.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (image, services) in &survey.images {
        if !snapshot.present_images.contains(image) {
            out.push(Check::warn(
                "images",
                format!("image {image} (service {}) is not on this machine", services.join(", ")),
                format!("`cfn up` pulls it, or run `docker pull {image}` (build it if no registry has it)"),
            ));
        }
    }
    if out.is_empty() {
        let n = survey.images.len();
        out.push(Check::ok("images", format!("all {n} image{} of the stacks are present", plural(n))));
    }
    out
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
