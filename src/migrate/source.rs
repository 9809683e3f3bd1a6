//! Migration files: finding them, naming rules, checksums.
//!
//! A migration is `NNNN_name.up.sql` with an optional `NNNN_name.down.sql` next to it (same
//! stem). Versions are integers from 1 and are ordered numerically, so `9_x` comes before
//! `10_y` whatever the zero padding. A directory and the embedded list (`include_str!`) follow
//! the same rules; anything that breaks them is an error that names the file, never a file
//! silently skipped: a duplicate version, a down file without its up file, a `.sql` file that
//! does not follow the pattern, a file that is not UTF-8. Files not ending in `.sql` are ignored.
//! The checksum is the lower-case hex SHA-256 of the up script's bytes; the down script is not
//! part of it, because the engine records the down script when it applies the up one.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::error::MigrateError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub version: i64,
    pub name: String,
    pub up: String,
    pub down: Option<String>,
    /// Lower-case hex SHA-256 of the up script's bytes.
    pub checksum: String,
    /// The up file's name, for messages (`0003_add_users.up.sql`).
    pub file: String,
}

/// Reads every migration in `dir`, ordered by version. A missing directory holds none.
pub fn load_dir(dir: &Path) -> Result<Vec<Migration>, MigrateError> {
    let io = |source| MigrateError::Io { path: dir.to_path_buf(), source };
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(io)?.path();
        let file = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(file) = file.filter(|f| f.ends_with(".sql")) else {
            continue;
        };
        if path.is_dir() {
            continue;
        }
        let bytes = fs::read(&path).map_err(|source| MigrateError::Io { path: path.clone(), source })?;
        let text = String::from_utf8(bytes).map_err(|_| MigrateError::NotUtf8 { file: file.clone() })?;
        files.push((file, text));
    }
    assemble(files)
}

/// Builds migrations from `(file name, contents)` pairs compiled into the binary. A name may
/// carry a directory (`migrations/0001_init.up.sql`); only its last component counts.
pub fn from_embedded(files: &[(&str, &str)]) -> Result<Vec<Migration>, MigrateError> {
    let files = files
        .iter()
        .map(|(name, text)| {
            let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
            (base.to_string(), text.to_string())
        })
        .filter(|(name, _)| name.ends_with(".sql"))
        .collect();
    assemble(files)
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn checksum(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

enum Kind {
    Up,
    Down,
}

struct FileName<'a> {
    version: i64,
    name: &'a str,
    stem: &'a str,
    kind: Kind,
}

fn parse_name(file: &str) -> Result<FileName<'_>, MigrateError> {
    let bad = || MigrateError::BadFileName { file: file.to_string() };
    let (stem, kind) = if let Some(stem) = file.strip_suffix(".up.sql") {
        (stem, Kind::Up)
    } else if let Some(stem) = file.strip_suffix(".down.sql") {
        (stem, Kind::Down)
    } else {
        return Err(bad());
    };
    let (digits, name) = stem.split_once('_').ok_or_else(bad)?;
    let name_ok = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || name.is_empty() || !name_ok {
        return Err(bad());
    }
    let version: i64 = digits.parse().map_err(|_| bad())?;
    if version < 1 {
        return Err(bad());
    }
    Ok(FileName { version, name, stem, kind })
}

/// Pairs up and down files by stem and checks the rules; `files` may come in any order.
fn assemble(mut files: Vec<(String, String)>) -> Result<Vec<Migration>, MigrateError> {
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut ups: BTreeMap<i64, Migration> = BTreeMap::new();
    let mut downs: Vec<(&str, String, String)> = Vec::new();
    for (file, text) in &files {
        let parsed = parse_name(file)?;
        match parsed.kind {
            Kind::Down => downs.push((file, parsed.stem.to_string(), text.clone())),
            Kind::Up => {
                if let Some(first) = ups.get(&parsed.version) {
                    return Err(MigrateError::DuplicateVersion {
                        version: parsed.version,
                        first: first.file.clone(),
                        second: file.clone(),
                    });
                }
                let migration = Migration {
                    version: parsed.version,
                    name: parsed.name.to_string(),
                    checksum: checksum(text.as_bytes()),
                    up: text.clone(),
                    down: None,
                    file: file.clone(),
                };
                ups.insert(parsed.version, migration);
            }
        }
    }
    for (file, stem, text) in downs {
        let expected = format!("{stem}.up.sql");
        let up = ups.values_mut().find(|m| m.file == expected);
        let Some(up) = up else {
            return Err(MigrateError::DownWithoutUp { file: file.to_string(), expected });
        };
        if up.down.is_some() {
            return Err(MigrateError::DuplicateVersion {
                version: up.version,
                first: file.to_string(),
                second: file.to_string(),
            });
        }
        up.down = Some(text);
    }
    Ok(ups.into_values().collect())
}
