//! Which volumes and files make up a branch's data: the non-external named volumes of its
//! compose files (compose names them `<project>_<key>` and labels them with the project and the
//! key), less `[data] exclude`, plus the SQLite migration target when there is one.

use crate::branch::{BranchEnv, Workspace};
use crate::compose::ComposeFile;
use crate::config::{Config, MigrationTarget};
use crate::engine::{Engine, PROJECT_LABEL};
use anyhow::Result;
use bollard::query_parameters::ListVolumesOptionsBuilder;
use serde_norway::Value;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

pub const VOLUME_LABEL: &str = "com.docker.compose.volume";

/// A branch's data, as its own checkout's configuration describes it.
#[derive(Debug, Clone)]
pub struct Layout {
    pub project: String,
    /// Compose volume keys (`data`, `pgdata`), in file order, without excluded ones.
    pub volumes: Vec<String>,
    /// For each key, the images of the services that mount it (for the copy helper).
    pub images: BTreeMap<String, Vec<String>>,
    /// The SQLite migration target, when the data includes it.
    pub sqlite: Option<PathBuf>,
}

impl Layout {
    pub fn of(ws: &Workspace, branch: &BranchEnv) -> Result<Layout> {
        let config = ws.config_of(branch)?;
        let files = crate::branch::files::load_compose_files(ws, &branch.path)?;
        Ok(Layout::from_files(&config, &files, branch, crate::branch::files::sqlite_path(ws, branch)))
    }

    fn from_files(config: &Config, files: &[ComposeFile], branch: &BranchEnv, sqlite: PathBuf) -> Layout {
        let mut volumes: Vec<String> = Vec::new();
        for file in files {
            let Some(map) = file.doc.get("volumes").and_then(Value::as_mapping) else { continue };
            for (key, def) in map {
                let Some(key) = key.as_str() else { continue };
                if is_external(def) || config.data.exclude.iter().any(|e| e == key) {
                    continue;
                }
                if !volumes.iter().any(|v| v == key) {
                    volumes.push(key.to_string());
                }
            }
        }
        let mut images: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in files {
            for (_, body) in file.services() {
                let Some(image) = body.get("image").and_then(Value::as_str) else { continue };
                for mount in body.get("volumes").and_then(Value::as_sequence).into_iter().flatten() {
                    if let Some(source) = mount_source(mount).filter(|s| volumes.contains(s)) {
                        images.entry(source).or_default().push(image.to_string());
                    }
                }
            }
        }
        let sqlite =
            (config.data.sqlite && config.migrations.target == MigrationTarget::Sqlite).then_some(sqlite);
        Layout { project: branch.project.clone(), volumes, images, sqlite }
    }

    /// The engine's name of volume `key` when compose made it: `<project>_<key>`.
    pub fn default_name(&self, key: &str) -> String {
        format!("{}_{key}", self.project)
    }
}

/// The named-volume source of a service's `volumes:` entry (`data:/data`, `{source: data}`).
fn mount_source(mount: &Value) -> Option<String> {
    match mount {
        Value::String(s) => {
            let source = s.split(':').next()?;
            (!source.is_empty() && !source.starts_with(['.', '/', '~', '$'])).then(|| source.to_string())
        }
        Value::Mapping(m) => {
            let is_volume = m.get("type").and_then(Value::as_str).is_none_or(|t| t == "volume");
            m.get("source").and_then(Value::as_str).filter(|_| is_volume).map(str::to_string)
        }
        _ => None,
    }
}

fn is_external(def: &Value) -> bool {
    match def.get("external") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(Value::Mapping(_)) => true,
        _ => false,
    }
}

/// The volumes the engine holds for `project`, by compose key.
pub async fn existing_volumes(engine: &Engine, project: &str) -> Result<HashMap<String, String>> {
    let filters = HashMap::from([("label", vec![format!("{PROJECT_LABEL}={project}")])]);
    let list = engine
        .docker
        .list_volumes(Some(ListVolumesOptionsBuilder::default().filters(&filters).build()))
        .await?;
    let mut out = HashMap::new();
    for v in list.volumes.unwrap_or_default() {
        if let Some(key) = v.labels.get(VOLUME_LABEL) {
            out.insert(key.clone(), v.name.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch() -> BranchEnv {
        BranchEnv {
            branch: "b1".into(),
            path: "/w/b1".into(),
            project: "shop-b1".into(),
            slot: 1,
            ports: Default::default(),
            is_main: false,
        }
    }

    #[test]
    fn named_volumes_less_excluded_and_external() {
        let text = "services:\n  db:\n    image: redis:7\n    volumes: ['data:/data', './x:/x', {type: volume, source: cache, target: /c}]\n\
                    volumes:\n  data: {}\n  cache: {}\n  shared: {external: true}\n";
        let file = ComposeFile::parse(std::path::Path::new("/w/b1/compose.yaml"), text).unwrap();
        let mut config = Config::default();
        config.data.exclude = vec!["cache".into()];
        let layout = Layout::from_files(&config, &[file], &branch(), "/w/b1/.cfn/data/app.db".into());
        assert_eq!(layout.volumes, ["data"]);
        assert_eq!(layout.images["data"], ["redis:7"]);
        assert_eq!(layout.default_name("data"), "shop-b1_data");
        assert!(layout.sqlite.is_some());
    }
}
