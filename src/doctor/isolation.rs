//! Compose files that defeat per-branch isolation: a fixed `container_name`, a volume or network
//! with a global `name:`, a fixed subnet or address, a pinned project name. cfn neutralises
//! these in each branch's sanitized copy, so they warn (plain `docker compose` on the file still
//! shares them between checkouts); what cfn cannot neutralise warns with what to change.

use super::survey::Survey;
use super::Check;
use crate::compose::{self, Finding, FindingKind};

pub fn checks(survey: &Survey) -> Vec<Check> {
    if survey.compose_files.is_empty() {
        return Vec::new();
    }
    let found = compose::findings(&survey.compose_files);
    if found.is_empty() {
        return vec![Check::ok("isolation", "the compose files keep branches apart")];
    }
    found.iter().map(check).collect()
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
        ExtendsOtherFile => {
            "list that file in project.compose_files too, so cfn sees its ports and names".into()
        }
    };
    Check::warn("isolation", f.to_string(), hint)
}
