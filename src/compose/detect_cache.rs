//! Remembering which compose program answers, so that a command does not pay for
//! `docker compose version` (0.1–0.2 s) or `docker-compose version` (1–2 s, it is Python) on
//! every call.
//!
//! The answer is kept in `$CFN_HOME/compose-program.json`, one entry per request (`auto`, or the
//! `CFN_COMPOSE` value), together with a fingerprint of every file the answer depends on: each
//! candidate program as PATH resolves it, and for `docker compose` the plugin file in each
//! directory the Docker CLI searches — path, size and modification time of each, or "absent".
//! Installing, upgrading or removing either compose (or the Docker CLI) changes the fingerprint,
//! and the next command asks the programs again. A cache that cannot be read or written is
//! never an error: detection then simply runs.

use crate::process;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

const FILE_NAME: &str = "compose-program.json";

/// One remembered answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    /// `auto`, or the `CFN_COMPOSE` value it answers.
    pub request: String,
    pub fingerprint: String,
    pub program: Vec<String>,
    pub version_text: String,
}

/// The cache file in `home`.
pub fn path_in(home: &Path) -> PathBuf {
    home.join(FILE_NAME)
}

/// The remembered answer for `request`, if its fingerprint still matches.
pub fn lookup(file: &Path, request: &str, fingerprint: &str) -> Option<Entry> {
    read(file).into_iter().find(|e| e.request == request && e.fingerprint == fingerprint)
}

/// Records `entry`, replacing any earlier answer to the same request. Best effort.
pub fn store(file: &Path, entry: Entry) {
    let mut entries: Vec<Entry> = read(file).into_iter().filter(|e| e.request != entry.request).collect();
    entries.push(entry);
    let Ok(text) = serde_json::to_string_pretty(&entries) else { return };
    // The home directory is created private by the state database; a command that runs before
    // it exists just detects again next time.
    if file.parent().is_some_and(Path::is_dir) {
        let _ = crate::render::write_atomic(file, &text, 0o600);
    }
}

fn read(file: &Path) -> Vec<Entry> {
    std::fs::read_to_string(file).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// The fingerprint of the files whose change could change the answer for `candidates` (each an
/// argument-vector prefix such as `docker compose`).
pub fn fingerprint(candidates: &[Vec<String>]) -> String {
    let mut files: Vec<PathBuf> = Vec::new();
    for program in candidates {
        let Some(first) = program.first() else { continue };
        files.push(process::find_on_path(first).unwrap_or_else(|| PathBuf::from(first)));
        if let Some(sub) = program.get(1) {
            files.extend(plugin_dirs().into_iter().map(|d| d.join(format!("docker-{sub}"))));
        }
    }
    files.iter().map(|f| describe(f)).collect::<Vec<_>>().join("\n")
}

/// Where the Docker CLI looks for plugins, in its order (`$DOCKER_CONFIG/cli-plugins`, else
/// `~/.docker/cli-plugins`, then the system directories).
fn plugin_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    match std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        Some(config) => dirs.push(PathBuf::from(config).join("cli-plugins")),
        None => {
            if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
                dirs.push(PathBuf::from(home).join(".docker/cli-plugins"));
            }
        }
    }
    for system in [
        "/usr/local/lib/docker/cli-plugins",
        "/usr/local/libexec/docker/cli-plugins",
        "/usr/lib/docker/cli-plugins",
        "/usr/libexec/docker/cli-plugins",
    ] {
        dirs.push(PathBuf::from(system));
    }
    dirs
}

/// `path size mtime` of the file a path leads to (symlinks followed), or `path absent`.
fn describe(path: &Path) -> String {
    match std::fs::metadata(path) {
        Ok(meta) => {
            use std::os::unix::fs::MetadataExt as _;
            format!("{} {} {}.{:09}", path.display(), meta.size(), meta.mtime(), meta.mtime_nsec())
        }
        Err(_) => format!("{} absent", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(request: &str, fingerprint: &str) -> Entry {
        Entry {
            request: request.into(),
            fingerprint: fingerprint.into(),
            program: vec!["docker".into(), "compose".into()],
            version_text: "2.26.1".into(),
        }
    }

    #[test]
    fn an_answer_is_found_only_for_its_request_and_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let file = path_in(dir.path());
        assert_eq!(lookup(&file, "auto", "f1"), None, "empty cache");
        store(&file, entry("auto", "f1"));
        store(&file, entry("docker-compose", "f2"));
        assert_eq!(lookup(&file, "auto", "f1"), Some(entry("auto", "f1")));
        assert_eq!(lookup(&file, "auto", "f2"), None, "a changed fingerprint is a miss");
        assert_eq!(lookup(&file, "docker-compose", "f2"), Some(entry("docker-compose", "f2")));
        store(&file, entry("auto", "f3"));
        assert_eq!(lookup(&file, "auto", "f1"), None, "replaced, not added");
        assert_eq!(read(&file).len(), 2);
    }

    #[test]
    fn a_corrupt_or_unwritable_cache_is_a_miss_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = path_in(dir.path());
        std::fs::write(&file, "{ not json").unwrap();
        assert_eq!(lookup(&file, "auto", "f1"), None);
        let missing = dir.path().join("no-such-home").join(FILE_NAME);
        store(&missing, entry("auto", "f1"));
        assert!(!missing.exists());
    }

    #[test]
    fn changing_a_program_file_changes_the_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("fake-compose");
        let candidates = vec![vec![program.display().to_string()]];
        let absent = fingerprint(&candidates);
        assert!(absent.ends_with("absent"), "{absent}");
        std::fs::write(&program, "v1").unwrap();
        let first = fingerprint(&candidates);
        assert_ne!(first, absent);
        std::fs::write(&program, "v2 longer").unwrap();
        assert_ne!(fingerprint(&candidates), first, "an upgrade (new size) invalidates");
    }
}
