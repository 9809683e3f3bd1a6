//! The files a compose file pulls in (`include:`, `extends: {file: …}`) must stay inside the
//! repository: compose would read them, and their merged contents land in `.cfn/`.

use super::ComposeFile;
use crate::safe_path::{inside, outside};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// The files a compose file pulls in (`include:` paths, `extends: {file: …}`), and those they
/// pull in in turn, are inside `root`, links resolved: compose would read them, and their merged
/// contents land in `.cfn/`.
pub fn inside_repository(root: &Path, file: &ComposeFile) -> Result<()> {
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut seen = std::collections::HashSet::new();
    references_inside(&real_root, file, &mut seen)
}

fn references_inside(
    real_root: &Path,
    file: &ComposeFile,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> Result<()> {
    let key = format!("a file named in {}", file.path.display());
    let dir = std::fs::canonicalize(file.dir()).unwrap_or_else(|_| file.dir().to_path_buf());
    let from_root =
        dir.strip_prefix(real_root).map_err(|_| outside(&key, &dir.display().to_string(), "its folder"))?;
    for path in referenced_files(file) {
        if Path::new(path).is_absolute() {
            return Err(outside(&key, path, "an absolute path"));
        }
        let rel = from_root.join(path);
        let full = inside(real_root, &rel.to_string_lossy(), &key).map_err(|_| {
            outside(&key, path, "it leads out of the repository, through `..` or a symbolic link")
        })?;
        // what that file pulls in is checked too, once (a file may be named many times)
        let real = std::fs::canonicalize(&full).unwrap_or(full);
        if real.is_file() && seen.insert(real.clone()) {
            if let Ok(pulled) = super::load(&real) {
                references_inside(real_root, &pulled, seen)?;
            }
        }
    }
    Ok(())
}

/// The paths of `include:` entries and of services' `extends: {file: …}`, as written.
fn referenced_files(file: &ComposeFile) -> Vec<&str> {
    use serde_norway::Value;
    let mut referenced: Vec<&str> = Vec::new();
    for entry in file.doc.get("include").and_then(Value::as_sequence).into_iter().flatten() {
        match entry {
            Value::String(path) => referenced.push(path),
            other => match other.get("path") {
                Some(Value::String(path)) => referenced.push(path),
                Some(Value::Sequence(paths)) => referenced.extend(paths.iter().filter_map(Value::as_str)),
                _ => {}
            },
        }
    }
    for (_, body) in file.services() {
        if let Some(path) = body.get("extends").and_then(|e| e.get("file")).and_then(Value::as_str) {
            referenced.push(path);
        }
    }
    referenced
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_a_compose_file_pulls_in_stay_inside() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("docker")).unwrap();
        let parse = |text: &str| ComposeFile::parse(&repo.join("docker/compose.yaml"), text).unwrap();
        std::fs::write(repo.join("docker/nested.yaml"), "include: [../../victim.yaml]\nservices: {}\n")
            .unwrap();
        let err = inside_repository(&repo, &parse("include: [nested.yaml]\nservices: {}\n")).unwrap_err();
        assert!(err.to_string().contains("\"../../victim.yaml\" is outside the repository"), "{err}");
        let ok = parse("include: [base.yaml, {path: [../other.yaml]}]\nservices:\n  a: {extends: {file: x.yaml, service: b}}\n");
        inside_repository(&repo, &ok).unwrap();
        for text in [
            "include: [../../victim.yaml]\nservices: {}\n",
            "include: [{path: /etc/victim.yaml}]\nservices: {}\n",
            "services:\n  a: {extends: {file: ../../x.yaml, service: b}}\n",
        ] {
            let err = inside_repository(&repo, &parse(text)).unwrap_err();
            assert!(err.to_string().contains("is outside the repository"), "{err}");
        }
    }
}
