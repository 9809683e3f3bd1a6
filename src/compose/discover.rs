//! Finding the compose files of a project directory the way `docker compose`
//! (v2) does when it is given neither `-f` nor `COMPOSE_FILE`.
//!
//! Compose v2 (compose-go) takes the first existing of `compose.yaml`,
//! `compose.yml`, `docker-compose.yml`, `docker-compose.yaml` — note `.yml`
//! before `.yaml` in the `docker-compose` family — and then the first existing
//! override of `compose.override.yml`, `compose.override.yaml`,
//! `docker-compose.override.yml`, `docker-compose.override.yaml`, whichever
//! family the base file came from. Unlike compose, this does not climb into
//! parent directories: a compose file above the project is not this project.
//! (Compose v1 prefers `docker-compose.yml` and refuses two override files;
//! cfn follows v2, which is what users type today.)

use std::path::{Path, PathBuf};

/// Base file names in compose v2's order of preference.
pub const BASE_NAMES: [&str; 4] =
    ["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// Override file names in compose v2's order of preference.
pub const OVERRIDE_NAMES: [&str; 4] = [
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// The files plain `docker compose` would load in `dir`: the base file, then
/// its override file if there is one. Empty when `dir` has no compose file.
pub fn find_compose_files(dir: &Path) -> Vec<PathBuf> {
    let first = |names: &[&str]| names.iter().map(|name| dir.join(name)).find(|path| path.is_file());
    let Some(base) = first(&BASE_NAMES) else {
        return Vec::new();
    };
    let mut files = vec![base];
    files.extend(first(&OVERRIDE_NAMES));
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn dir_with(tag: &str, names: &[&str]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("cfn-discover-{}-{tag}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        for name in names {
            fs::write(dir.join(name), "services: {}\n").unwrap();
        }
        dir
    }

    fn names(files: &[PathBuf]) -> Vec<String> {
        if let Some(dir) = files.first().and_then(|f| f.parent()) {
            let _ = fs::remove_dir_all(dir);
        }
        files.iter().map(|f| f.file_name().unwrap().to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn empty_dir_has_no_files() {
        let dir = dir_with("empty", &[]);
        assert!(find_compose_files(&dir).is_empty());
        // an override alone is not a project
        fs::write(dir.join("compose.override.yml"), "services: {}\n").unwrap();
        assert!(find_compose_files(&dir).is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn compose_yaml_wins_over_docker_compose() {
        let dir = dir_with("order", &["docker-compose.yml", "compose.yml", "compose.yaml"]);
        assert_eq!(names(&find_compose_files(&dir)), ["compose.yaml"]);
    }

    #[test]
    fn docker_compose_yml_wins_over_yaml() {
        let dir = dir_with("yml", &["docker-compose.yaml", "docker-compose.yml"]);
        assert_eq!(names(&find_compose_files(&dir)), ["docker-compose.yml"]);
    }

    #[test]
    fn override_follows_base() {
        let dir = dir_with("override", &["docker-compose.yml", "docker-compose.override.yaml"]);
        assert_eq!(names(&find_compose_files(&dir)), ["docker-compose.yml", "docker-compose.override.yaml"]);
        // compose v2 takes the first override of either family
        let dir = dir_with("mixed", &["docker-compose.yml", "compose.override.yaml"]);
        assert_eq!(names(&find_compose_files(&dir)), ["docker-compose.yml", "compose.override.yaml"]);
    }

    #[test]
    fn a_directory_named_like_a_compose_file_is_skipped() {
        let dir = dir_with("isdir", &["compose.yml"]);
        fs::create_dir_all(dir.join("compose.yaml")).unwrap();
        assert_eq!(names(&find_compose_files(&dir)), ["compose.yml"]);
    }
}
