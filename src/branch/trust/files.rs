//! The repository files an argument vector names, with the SHA-256 of their bytes.
//!
//! Approving `["./setup.sh"]` must not approve whatever `setup.sh` a branch carries later: the
//! program (when it is a path) and every argument that names a file inside the checkout are
//! hashed as they are in the checkout where the command will run. A word counts when it is a
//! path (relative to the checkout, or absolute below it) that stays inside the checkout and
//! names a file; the words are each argument as a whole and its pieces between spaces, quotes,
//! `=` and shell syntax, so `--config=x`, `--config x` and a `sh -c './x && ./y'` script have
//! their files hashed too. A task runner named anywhere in the command (`make`, `just`, `npm`,
//! …) adds the file it reads without being told: its text decides what runs.
//!
//! What a named file runs in turn (a script calling another script) is not followed: approving
//! a command approves the files it names, as the approval prompt lists them.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileHash {
    /// The path relative to the checkout, `/`-separated.
    pub path: String,
    /// Lower-case hex SHA-256 of the file's bytes.
    pub sha256: String,
}

/// The hash of a file's bytes, or `None` when it cannot be read as a file.
pub fn hash_file(path: &Path) -> Option<String> {
    if !path.is_file() {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    Some(crate::names::hex(&Sha256::digest(&bytes)))
}

/// Task runners and the files of the working folder each reads to know what to run.
const RUNNER_FILES: &[(&str, &[&str])] = &[
    ("make", &["GNUmakefile", "makefile", "Makefile"]),
    ("gmake", &["GNUmakefile", "makefile", "Makefile"]),
    ("just", &["justfile", "Justfile", ".justfile"]),
    ("npm", &["package.json"]),
    ("pnpm", &["package.json"]),
    ("yarn", &["package.json"]),
    ("bun", &["package.json"]),
    ("rake", &["Rakefile", "rakefile"]),
    ("task", &["Taskfile.yml", "Taskfile.yaml"]),
];

/// Characters that end a word inside an argument: spaces, `=` and shell syntax. Quotes do not
/// end one: they are taken out of it (`chk"3".sh` is `chk3.sh`, as a shell reads it).
fn separates(c: char) -> bool {
    c.is_whitespace() || "=;|&<>()`,".contains(c)
}

/// Every word of `argv` that may name a file: each argument whole, then its pieces, unquoted.
fn words(argv: &[String]) -> Vec<String> {
    let mut words = Vec::new();
    for arg in argv {
        words.push(arg.clone());
        for piece in arg.split(separates).map(|w| w.replace(['\'', '"'], "")) {
            if !piece.is_empty() && piece != *arg {
                words.push(piece);
            }
        }
    }
    words
}

/// The folders a command may work from besides the checkout's root: the word after `cd`, after
/// make's `-C`, and in `--directory=` / `--prefix=` / `--cwd=` (the task runners' own).
fn folders(words: &[String]) -> Vec<String> {
    let mut folders = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if matches!(word.as_str(), "cd" | "-C" | "--directory" | "--prefix" | "--cwd") {
            folders.extend(words.get(i + 1).cloned());
        }
        for option in ["--directory=", "--prefix=", "--cwd="] {
            folders.extend(word.strip_prefix(option).map(str::to_string));
        }
        if let Some(dir) = word.strip_prefix("-C").filter(|d| !d.is_empty()) {
            folders.push(dir.to_string());
        }
    }
    folders
}

/// The files of `checkout` that `argv` names, each once, in the order they are named, also
/// taken from each folder the command may change to; then the files the task runners it names
/// read, in the root and in those folders.
pub fn referenced(argv: &[String], checkout: &Path) -> Vec<FileHash> {
    let words = words(argv);
    let runner_files: Vec<&str> = words
        .iter()
        .filter_map(|word| {
            let program = word.rsplit('/').next().unwrap_or(word);
            RUNNER_FILES.iter().find(|(name, _)| *name == program).map(|(_, files)| *files)
        })
        .flatten()
        .copied()
        .collect();
    let mut names: Vec<String> =
        words.iter().cloned().chain(runner_files.iter().map(|f| f.to_string())).collect();
    for folder in folders(&words) {
        names.extend(
            words
                .iter()
                .chain(runner_files.iter().map(|f| f.to_string()).collect::<Vec<_>>().iter())
                .map(|w| format!("{folder}/{w}")),
        );
    }
    let mut found: Vec<FileHash> = Vec::new();
    for word in &names {
        let Some(relative) = inside(word, checkout) else { continue };
        let shown = relative.to_string_lossy().replace('\\', "/");
        if found.iter().any(|f| f.path == shown) {
            continue;
        }
        if let Some(sha256) = hash_file(&checkout.join(&relative)) {
            found.push(FileHash { path: shown, sha256 });
        }
    }
    found
}

/// `arg` as a path relative to `checkout`, when it names something inside it (judged on the
/// text: no `..` that climbs out; an absolute path must start with the checkout).
fn inside(arg: &str, checkout: &Path) -> Option<PathBuf> {
    if arg.is_empty() || arg.starts_with('-') {
        return None;
    }
    let path = Path::new(arg);
    let relative = if path.is_absolute() { path.strip_prefix(checkout).ok()? } else { path };
    let mut normal = PathBuf::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    (!normal.as_os_str().is_empty()).then_some(normal)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hashes_the_program_and_file_arguments_inside_the_checkout() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("setup.sh"), "echo one").unwrap();
        std::fs::create_dir(root.join("db")).unwrap();
        std::fs::write(root.join("db/seed.sql"), "select 1").unwrap();
        let abs = root.join("db/seed.sql").to_string_lossy().into_owned();
        let files = referenced(&argv(&["./setup.sh", "-x", "db/seed.sql", &abs, "missing.txt", "sh"]), root);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["setup.sh", "db/seed.sql"]);
        assert_eq!(files[0].sha256, hash_file(&root.join("setup.sh")).unwrap());
    }

    #[test]
    fn a_changed_file_changes_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("setup.sh"), "echo one").unwrap();
        let before = referenced(&argv(&["./setup.sh"]), dir.path());
        std::fs::write(dir.path().join("setup.sh"), "echo two").unwrap();
        assert_ne!(before, referenced(&argv(&["./setup.sh"]), dir.path()));
    }

    #[test]
    fn paths_that_leave_the_checkout_are_not_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        std::fs::write(dir.path().join("outside.sh"), "x").unwrap();
        assert!(referenced(&argv(&["../outside.sh", "/etc/hostname"]), &root).is_empty());
        assert!(referenced(&argv(&["sh", "-c", "cat ../outside.sh /etc/hostname"]), &root).is_empty());
    }

    #[test]
    fn files_named_inside_longer_arguments_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["setup.sh", "seed.sql", "app.toml", "lib.sh"] {
            std::fs::write(root.join(name), name).unwrap();
        }
        let command =
            argv(&["sh", "-c", "./setup.sh && psql -f 'seed.sql'", "--config=app.toml", "x;lib.sh"]);
        let files = referenced(&command, root);
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["setup.sh", "seed.sql", "app.toml", "lib.sh"]);
    }

    #[test]
    fn folders_a_command_changes_to_and_quoted_words_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/Makefile"), "all:\n").unwrap();
        std::fs::write(root.join("sub/run.sh"), "x").unwrap();
        std::fs::write(root.join("chk3.sh"), "x").unwrap();
        let paths = |command: &[&str]| -> Vec<String> {
            referenced(&argv(command), root).into_iter().map(|f| f.path).collect()
        };
        assert_eq!(paths(&["make", "-C", "sub"]), ["sub/Makefile"]);
        assert_eq!(paths(&["make", "--directory=sub"]), ["sub/Makefile"]);
        assert_eq!(paths(&["sh", "-c", "cd sub && sh run.sh"]), ["sub/run.sh"]);
        assert_eq!(paths(&["sh", "-c", "sh chk\"3\".sh"]), ["chk3.sh"]);
    }

    #[test]
    fn a_task_runner_adds_the_file_it_reads() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("Makefile"), "setup:\n\ttrue\n").unwrap();
        std::fs::write(root.join("package.json"), "{}").unwrap();
        let paths = |command: &[&str]| -> Vec<String> {
            referenced(&argv(command), root).into_iter().map(|f| f.path).collect()
        };
        assert_eq!(paths(&["make", "setup"]), ["Makefile"]);
        assert_eq!(paths(&["sh", "-c", "cd . && /usr/bin/make setup"]), ["Makefile"]);
        assert_eq!(paths(&["npm", "run", "seed"]), ["package.json"]);
        assert!(paths(&["cargo", "run"]).is_empty());
    }
}
