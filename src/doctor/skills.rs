//! Every skill of cfn.toml has its file in the checkout doctor runs in: a file of at most 1 MiB
//! inside the repository. A loop run refuses to start otherwise; this says so before one does.

use super::survey::Survey;
use super::Check;
use crate::branch::Workspace;

pub fn checks(survey: &Survey, ws: &Workspace) -> Vec<Check> {
    let root = &survey.checkout.root;
    ws.config
        .skills
        .iter()
        .filter_map(|(name, skill)| {
            let e = crate::agents::skills::readable_file(root, name, &skill.path).err()?;
            let (message, hint) = match e.downcast_ref::<crate::error::UserError>() {
                Some(user) => (user.message.clone(), user.hint.clone().unwrap_or_default()),
                None => (format!("{e:#}"), String::new()),
            };
            Some(Check::fail("skills", message, hint))
        })
        .collect()
}
