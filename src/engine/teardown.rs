//! Removing what one compose project owns, found by its label — never by name, so a container
//! whose name merely looks alike is never touched. Used when a worktree is removed (its files
//! may already be gone, so compose cannot be asked) and by doctor for orphans.

use super::{Engine, PROJECT_LABEL};
use anyhow::Result;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, ListNetworksOptionsBuilder, ListVolumesOptionsBuilder,
    RemoveContainerOptionsBuilder, StopContainerOptionsBuilder,
};
use serde::Serialize;
use std::collections::HashMap;

#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Teardown {
    pub containers: Vec<String>,
    pub networks: Vec<String>,
    pub volumes: Vec<String>,
}

impl Engine {
    /// Stops and removes the project's containers and networks; its volumes only if `volumes`.
    pub async fn teardown(&self, project: &str, volumes: bool) -> Result<Teardown> {
        let label = format!("{PROJECT_LABEL}={project}");
        let filters = HashMap::from([("label", vec![label])]);
        let mut done = Teardown::default();
        for c in self.containers(&[project]).await? {
            let stop = StopContainerOptionsBuilder::default().t(10).build();
            // Already stopped is fine; removal below is what must succeed.
            let _ = self.docker.stop_container(&c.id, Some(stop)).await;
            let rm = RemoveContainerOptionsBuilder::default().force(true).build();
            self.docker.remove_container(&c.id, Some(rm)).await?;
            done.containers.push(c.name);
        }
        let networks = self
            .docker
            .list_networks(Some(ListNetworksOptionsBuilder::default().filters(&filters).build()))
            .await?;
        for n in networks {
            if let Some(name) = n.name {
                self.docker.remove_network(&name).await?;
                done.networks.push(name);
            }
        }
        if volumes {
            let list = self
                .docker
                .list_volumes(Some(ListVolumesOptionsBuilder::default().filters(&filters).build()))
                .await?;
            for v in list.volumes.unwrap_or_default() {
                self.remove_data_helpers_of(&v.name).await?;
                self.docker
                    .remove_volume(&v.name, None::<bollard::query_parameters::RemoveVolumeOptions>)
                    .await?;
                done.volumes.push(v.name);
            }
        }
        Ok(done)
    }

    /// Removes cfn's own data helpers (label [`DATA_HELPER_LABEL`]) that mount `volume` — a copy
    /// killed mid-way leaves one — so that the volume can go. Nobody else's container is touched;
    /// a helper that cannot be removed shows as the volume's own removal error.
    pub async fn remove_data_helpers_of(&self, volume: &str) -> Result<()> {
        let filters = HashMap::from([
            ("volume", vec![volume.to_string()]),
            ("label", vec![DATA_HELPER_LABEL.to_string()]),
        ]);
        let options = ListContainersOptionsBuilder::default().all(true).filters(&filters).build();
        for c in self.docker.list_containers(Some(options)).await? {
            if let Some(id) = c.id {
                let rm = RemoveContainerOptionsBuilder::default().force(true).build();
                let _ = self.docker.remove_container(&id, Some(rm)).await;
            }
        }
        Ok(())
    }
}

/// The label of the short-lived containers that copy branch data (`src/data/helper.rs`).
pub const DATA_HELPER_LABEL: &str = "dev.cfn.data-helper";
