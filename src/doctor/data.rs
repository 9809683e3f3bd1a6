//! Leftovers of branch data (docs/data.md): temporary volumes of an interrupted copy
//! (`label=dev.cfn.data-tmp=1`), databases of an interrupted PostgreSQL copy, half-written
//! snapshot folders — which `doctor --fix` cleans — and snapshots whose repository or branch
//! is gone, which it only reports.

use super::Check;
use crate::branch::Workspace;
use crate::context::Context;
use crate::data::leftovers::{self, Leftover};

const NAME: &str = "data";
const FIX: &str = "run `cfn doctor --fix` to remove it";

pub async fn checks(ctx: &Context, ws: &Workspace) -> Vec<Check> {
    let mut out = Vec::new();
    for volume in tmp_volumes(ctx).await {
        out.push(Check::warn(
            NAME,
            format!("volume {volume} is the temporary copy of an interrupted data copy"),
            "run `cfn doctor --fix` to finish or undo that copy",
        ));
    }
    for leftover in leftovers::find(ctx, ws).await {
        out.push(match leftover {
            Leftover::Database { pending, found: Ok(names), .. } if names.is_empty() => Check::warn(
                NAME,
                format!(
                    "an interrupted PostgreSQL copy into {} left a journal entry and no database",
                    pending.target
                ),
                FIX,
            ),
            Leftover::Database { found: Ok(names), .. } => Check::warn(
                NAME,
                format!("database {} was left by an interrupted PostgreSQL copy", names.join(", ")),
                FIX,
            ),
            Leftover::Database { pending, found: Err(e), entry } => Check::warn(
                NAME,
                format!(
                    "an interrupted PostgreSQL copy into {} may have left database {} or {} ({e})",
                    pending.target, pending.tmp, pending.old
                ),
                format!("start that server and run `cfn doctor --fix`; the journal is {}", entry.display()),
            ),
            Leftover::Stopped { paused, .. } => {
                let names: Vec<&str> = paused.containers.iter().map(|(_, n)| n.as_str()).collect();
                Check::warn(
                    NAME,
                    format!(
                        "{} of {} stayed stopped: a copy stopped it and was interrupted",
                        names.join(", "),
                        paused.branch
                    ),
                    "run `cfn doctor --fix` to start it again",
                )
            }
            Leftover::Helper { name, .. } => Check::warn(
                NAME,
                format!("container {name} is a data helper left by an interrupted copy"),
                FIX,
            ),
            Leftover::PartialSnapshot(dir) => {
                Check::warn(NAME, format!("{} is a half-written snapshot", dir.display()), FIX)
            }
            Leftover::BranchGone { name, branch } => Check::warn(
                NAME,
                format!("snapshot {name} is of branch {branch}, which no longer exists"),
                format!("`cfn data rm {name}` if nobody needs it (doctor never deletes a snapshot)"),
            ),
            Leftover::RepositoryGone(dir) => Check::warn(
                NAME,
                format!("{} holds snapshots of a repository cfn no longer knows", dir.display()),
                "delete the folder if nobody needs them (doctor never deletes a snapshot)",
            ),
        });
    }
    out
}

/// This `CFN_HOME`'s temporary data volumes (another home's are not ours to judge).
async fn tmp_volumes(ctx: &Context) -> Vec<String> {
    use crate::data::swap::{HOME_LABEL, TMP_LABEL};
    let home = ctx.home.display().to_string();
    let listed = async {
        let engine = crate::engine::Engine::connect().await?;
        let filters = std::collections::HashMap::from([("label", vec![format!("{TMP_LABEL}=1")])]);
        let options =
            bollard::query_parameters::ListVolumesOptionsBuilder::default().filters(&filters).build();
        anyhow::Ok(engine.docker.list_volumes(Some(options)).await?)
    }
    .await;
    let Ok(list) = listed else { return Vec::new() };
    list.volumes
        .unwrap_or_default()
        .into_iter()
        .filter(|v| v.labels.get(HOME_LABEL) == Some(&home))
        .map(|v| v.name)
        .collect()
}
