//! Which volumes and files make up a branch's data: the non-external named volumes of its
//! compose files (compose names them `<project>_<key>` and labels them with the project and the
//! key), less `[data] exclude` and `skip`, plus the SQLite migration target or the PostgreSQL
//! migration database when there is one. A volume holding that PostgreSQL server's files has the
//! `postgres` strategy: clones copy the database with SQL instead ([`super::pg_clone`]).

use crate::branch::{BranchEnv, Workspace};
use crate::compose::ComposeFile;
use crate::config::data::Strategy;
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
    /// The PostgreSQL migration database's URL (rendered for the branch, with its password),
    /// when the data includes it.
    pub postgres: Option<String>,
    /// Keys of `volumes` with the `postgres` strategy: a clone copies the database, not them.
    pub sql_volumes: Vec<String>,
    /// The compose services that mount a `sql_volumes` volume (the database servers).
    pub sql_services: Vec<String>,
}

impl Layout {
    pub fn of(ws: &Workspace, branch: &BranchEnv) -> Result<Layout> {
        let config = ws.config_of(branch)?;
        let files = crate::branch::files::load_compose_files(ws, &branch.path)?;
        let postgres = match (&config.migrations.url, config.migrations.target) {
            (Some(template), MigrationTarget::Postgres) if config.data.postgres => {
                let vars = crate::branch::files::template_vars(ws, branch)?;
                Some(crate::branch::files::renderer(ws).render_str("migrations.url", template, &vars)?)
            }
            _ => None,
        };
        let sqlite = crate::branch::files::sqlite_path(ws, branch);
        Layout::from_files(&config, &files, branch, sqlite, postgres)
    }

    fn from_files(
        config: &Config,
        files: &[ComposeFile],
        branch: &BranchEnv,
        sqlite: PathBuf,
        postgres: Option<String>,
    ) -> Result<Layout> {
        let mut volumes: Vec<String> = Vec::new();
        for file in files {
            let Some(map) = file.doc.get("volumes").and_then(Value::as_mapping) else { continue };
            for (key, def) in map {
                let Some(key) = key.as_str() else { continue };
                if is_external(def) || config.data.strategy_of(key) == Some(Strategy::Skip) {
                    continue;
                }
                if !volumes.iter().any(|v| v == key) {
                    volumes.push(key.to_string());
                }
            }
        }
        let mut images: BTreeMap<String, Vec<String>> = BTreeMap::new();
        // volumes a service mounts at PostgreSQL's data folder, and by which services
        let mut pg_mounts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in files {
            for (service, body) in file.services() {
                let image = body.get("image").and_then(Value::as_str);
                for mount in body.get("volumes").and_then(Value::as_sequence).into_iter().flatten() {
                    let Some((source, at)) = mount_parts(mount).filter(|(s, _)| volumes.contains(s)) else {
                        continue;
                    };
                    if at.starts_with("/var/lib/postgresql") {
                        pg_mounts.entry(source.clone()).or_default().push(service.to_string());
                    }
                    if let Some(image) = image {
                        images.entry(source).or_default().push(image.to_string());
                    }
                }
            }
        }
        let mut sql_volumes = Vec::new();
        for key in &volumes {
            let strategy = config.data.strategy_of(key);
            let auto = postgres.is_some() && pg_mounts.contains_key(key);
            if strategy == Some(Strategy::Postgres) && postgres.is_none() {
                return Err(crate::error::UserError::new(format!(
                    "[data.volumes.{key}] strategy = \"postgres\" needs migrations.target = \"postgres\""
                ))
                .hint("set migrations.target and migrations.url, or use strategy = \"volume\"")
                .into());
            }
            if strategy == Some(Strategy::Postgres) || (strategy.is_none() && auto) {
                sql_volumes.push(key.clone());
            }
        }
        let mut sql_services: Vec<String> = Vec::new();
        for key in &sql_volumes {
            for service in pg_mounts.get(key).into_iter().flatten() {
                if !sql_services.contains(service) {
                    sql_services.push(service.clone());
                }
            }
        }
        let sqlite =
            (config.data.sqlite && config.migrations.target == MigrationTarget::Sqlite).then_some(sqlite);
        let project = branch.project.clone();
        Ok(Layout { project, volumes, images, sqlite, postgres, sql_volumes, sql_services })
    }

    /// The volume keys a clone copies as files: all but those whose database is copied with SQL.
    pub fn file_volumes(&self) -> Vec<String> {
        self.volumes.iter().filter(|k| !self.sql_volumes.contains(k)).cloned().collect()
    }

    /// The engine's name of volume `key` when compose made it: `<project>_<key>`.
    pub fn default_name(&self, key: &str) -> String {
        format!("{}_{key}", self.project)
    }
}

/// The named-volume source of a service's `volumes:` entry (`data:/data`, `{source: data}`)
/// and where it is mounted.
fn mount_parts(mount: &Value) -> Option<(String, String)> {
    match mount {
        Value::String(s) => {
            let mut parts = s.split(':');
            let source = parts.next()?;
            let at = parts.next().unwrap_or_default();
            (!source.is_empty() && !source.starts_with(['.', '/', '~', '$']))
                .then(|| (source.to_string(), at.to_string()))
        }
        Value::Mapping(m) => {
            let is_volume = m.get("type").and_then(Value::as_str).is_none_or(|t| t == "volume");
            let at = m.get("target").and_then(Value::as_str).unwrap_or_default().to_string();
            m.get("source").and_then(Value::as_str).filter(|_| is_volume).map(|s| (s.to_string(), at))
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
            engine: None,
            engine_unapproved: false,
        }
    }

    #[test]
    fn named_volumes_less_excluded_and_external() {
        let text = "services:\n  db:\n    image: redis:7\n    volumes: ['data:/data', './x:/x', {type: volume, source: cache, target: /c}]\n\
                    volumes:\n  data: {}\n  cache: {}\n  shared: {external: true}\n";
        let file = ComposeFile::parse(std::path::Path::new("/w/b1/compose.yaml"), text).unwrap();
        let mut config = Config::default();
        config.data.exclude = vec!["cache".into()];
        let layout =
            Layout::from_files(&config, &[file], &branch(), "/w/b1/.cfn/data/app.db".into(), None).unwrap();
        assert_eq!(layout.volumes, ["data"]);
        assert_eq!(layout.images["data"], ["redis:7"]);
        assert_eq!(layout.default_name("data"), "shop-b1_data");
        assert!(layout.sqlite.is_some());
        assert!(layout.sql_volumes.is_empty());
    }

    #[test]
    fn a_postgres_data_folder_is_copied_with_sql_unless_configured_otherwise() {
        let text = "services:\n  db:\n    image: postgres:15\n    volumes: ['pg:/var/lib/postgresql/data']\n  \
                    cache:\n    image: redis:7\n    volumes: ['r:/data', 'tmp:/tmp']\nvolumes:\n  pg: {}\n  r: {}\n  tmp: {}\n";
        let file = ComposeFile::parse(std::path::Path::new("/w/b1/compose.yaml"), text).unwrap();
        let mut config = Config::default();
        config.migrations.target = MigrationTarget::Postgres;
        config
            .data
            .volumes
            .insert("tmp".into(), crate::config::data::VolumeData { strategy: Some(Strategy::Skip) });
        let url = Some("postgresql://u@127.0.0.1:5432/shop".to_string());
        let layout =
            Layout::from_files(&config, std::slice::from_ref(&file), &branch(), "/x".into(), url.clone())
                .unwrap();
        assert_eq!(layout.volumes, ["pg", "r"]);
        assert_eq!(layout.sql_volumes, ["pg"]);
        assert_eq!(layout.sql_services, ["db"]);
        assert_eq!(layout.file_volumes(), ["r"]);
        assert!(layout.sqlite.is_none());
        // strategy = "volume" copies the server's files instead
        config
            .data
            .volumes
            .insert("pg".into(), crate::config::data::VolumeData { strategy: Some(Strategy::Volume) });
        let layout =
            Layout::from_files(&config, std::slice::from_ref(&file), &branch(), "/x".into(), url).unwrap();
        assert!(layout.sql_volumes.is_empty());
        // postgres without a postgres migration target is refused
        config
            .data
            .volumes
            .insert("r".into(), crate::config::data::VolumeData { strategy: Some(Strategy::Postgres) });
        let err = Layout::from_files(&config, &[file], &branch(), "/x".into(), None).unwrap_err();
        assert!(format!("{err:#}").contains("needs migrations.target"), "{err:#}");
    }
}
