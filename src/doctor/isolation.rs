//! Compose files that defeat per-branch isolation: a fixed `container_name`, a volume or network
//! with a global `name:`, a fixed subnet or address, a pinned project name. cfn neutralises
//! these in each branch's sanitized copy, so they warn (plain `docker compose` on the file still
//! shares them between checkouts); what cfn cannot neutralise warns with what to change.
//!
//! The check judges the merged model — services pulled in by `include:` and `extends:`
//! included — and reports port keys whose services publish the same port on the main checkout.

use super::survey::{Problem, Survey};
use super::Check;
use crate::compose::{self, Finding, FindingKind};
use crate::ports::lanes;

pub fn checks(survey: &Survey) -> Vec<Check> {
    let mut out = conflicts(survey);
    if survey.compose_files.is_empty() {
        return out;
    }
    let model = match compose::resolve(survey.compose_files.clone()) {
        Ok(model) => model,
        Err(e) => {
            let p = Problem::from_error(&e);
            let hint = p.hint.unwrap_or_else(|| "fix the compose files, then run cfn doctor again".into());
            out.push(Check::fail("isolation", p.message, hint));
            return out;
        }
    };
    let found = compose::findings(&model);
    if found.is_empty() {
        out.push(Check::ok("isolation", "the compose files keep branches apart"));
    }
    out.extend(found.iter().map(check));
    out
}

/// Keys of cfn.toml that genuinely conflict: the main checkout cannot run both services.
fn conflicts(survey: &Survey) -> Vec<Check> {
    let Some(ws) = &survey.workspace else { return Vec::new() };
    lanes::layout(&ws.config.ports.keys)
        .conflicts
        .iter()
        .map(|c| {
            let hint = format!(
                "give {} or {} another host port in the compose file (or separate profiles)",
                c.first_service, c.second_service
            );
            Check::warn("ports", c.to_string(), hint)
        })
        .collect()
}

fn check(f: &Finding) -> Check {
    use FindingKind::*;
    // Neutralised per branch: only plain compose on the file still shares it.
    const PLAIN: &str = "so plain `docker compose` is isolated too";
    let hint = match f.kind {
        ContainerName => format!("cfn drops container_name in each branch's copy; remove it {PLAIN}"),
        GlobalVolumeName | GlobalNetworkName => {
            format!("cfn drops the global name in each branch's copy; remove `name:` {PLAIN}")
        }
        FixedSubnet | StaticIp => {
            format!("cfn drops fixed subnets and addresses in each branch's copy; remove them {PLAIN}")
        }
        TopLevelName => format!("cfn sets the project name per branch; remove `name:` {PLAIN}"),
        HostNetwork => {
            "cfn cannot isolate host networking: publish ports instead of `network_mode: host`".into()
        }
        ExternalVolume | ExternalNetwork => {
            "cfn cannot isolate an external resource: every branch shares it by design".into()
        }
    };
    Check::warn("isolation", f.to_string(), hint)
}
