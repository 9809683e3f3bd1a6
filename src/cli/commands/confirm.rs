//! Asking before deleting data: on a terminal a prompt, without one a refusal unless `--yes`.

use crate::context::Context;
use crate::error::UserError;
use anyhow::Result;

/// Confirms deleting the volumes of `what`; `Ok(())` means go ahead.
pub fn volume_deletion(ctx: &Context, yes: bool, what: &str) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !ctx.interactive() {
        return Err(UserError::usage("refusing to delete volumes without confirmation")
            .hint("pass --yes to delete them, or drop --volumes to keep the data")
            .into());
    }
    let prompt = format!("Delete the volumes (all data) of {what}?");
    if ctx.confirm(&prompt, false)? {
        Ok(())
    } else {
        Err(UserError::new("cancelled; nothing was changed").into())
    }
}
