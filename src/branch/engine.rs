//! Which engine a branch's stack runs on, as the workspace sees it: resolved only once the
//! repository's `[engine]` is approved, and the address its ports are published on.

use super::{BranchEnv, Workspace};
use anyhow::Result;

impl BranchEnv {
    /// The engine the branch's stack runs on, resolved.
    pub fn engine_target(&self) -> Result<crate::engine::Target> {
        if self.engine_unapproved {
            let spec = self.engine.as_deref().unwrap_or_default();
            return Err(crate::branch::trust::not_trusted(format!(
                "engine {}",
                crate::names::printable(spec)
            )));
        }
        crate::engine::Target::resolve(self.engine.as_deref())
    }

    /// A connection to that engine.
    pub async fn connect_engine(&self) -> Result<crate::engine::Engine> {
        crate::engine::Engine::connect_to(&self.engine_target()?).await
    }
}

impl Workspace {
    /// Whether the repository's `[engine]` (if any) is approved.
    pub fn engine_trusted(&self) -> bool {
        match crate::branch::trust::inventory::engine(self) {
            None => true,
            Some(item) => {
                crate::branch::trust::is_trusted(self.state.conn(), self.repo.id, &item).unwrap_or(false)
            }
        }
    }

    /// The address a branch on a remote engine publishes its ports on, and its URLs name
    /// (`None`: local engine): `[engine] publish_address`, else the engine host's address.
    pub(super) fn publish_address(&self, branch: &BranchEnv) -> Result<Option<String>> {
        let target = branch.engine_target()?;
        if target.is_local() {
            return Ok(None);
        }
        // The repository's publish_address is for the repository's engine, once approved; a
        // branch sent to another engine (`--engine`) is reached at that engine's host.
        if branch.engine.as_deref() == self.config.engine.spec() && self.engine_trusted() {
            if let Some(address) = &self.config.engine.publish_address {
                return Ok(Some(address.clone()));
            }
        }
        match target.host_address()? {
            Some(ip) => Ok(Some(ip.to_string())),
            None => Ok(None),
        }
    }
}
