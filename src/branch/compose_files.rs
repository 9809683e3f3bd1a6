//! Which compose files and port keys a branch has: the base files its governing cfn.toml names,
//! read from its own checkout (and checked to stay inside it), and the keys of that cfn.toml.

use super::Workspace;
use crate::compose::{self, ComposeFile, PortKey};
use crate::config::Config;
use crate::error::UserError;
use anyhow::Result;
use std::path::Path;

/// The base compose files as this branch's checkout has them (named by the cfn.toml governing
/// that checkout).
pub fn load_compose_files(ws: &Workspace, checkout: &Path) -> Result<Vec<ComposeFile>> {
    compose_files_of(&*ws.config_at(checkout)?, checkout)
}

pub(super) fn compose_files_of(config: &Config, checkout: &Path) -> Result<Vec<ComposeFile>> {
    config
        .project
        .compose_files
        .iter()
        .map(|rel| {
            // a branch's checkout may have made the name a link out (safe_path)
            let path = crate::safe_path::inside(checkout, rel, "project.compose_files")?;
            if !path.is_file() {
                return Err(UserError::new(format!("compose file not found: {}", path.display()))
                    .hint("fix project.compose_files in cfn.toml, or run `cfn init --force`")
                    .into());
            }
            let file = compose::load(&path)?;
            crate::compose::references::inside_repository(checkout, &file)?;
            Ok(file)
        })
        .collect()
}

pub(super) fn configured_keys(config: &Config) -> Vec<PortKey> {
    config
        .ports
        .keys
        .iter()
        .map(|(key, k)| PortKey {
            key: key.clone(),
            service: k.service.clone(),
            target: k.target,
            protocol: k.protocol,
            base: k.base,
            profiles: k.profiles.clone(),
        })
        .collect()
}
