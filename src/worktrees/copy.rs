//! Copying git-ignored files (`.env`, local config) from the main checkout into a new worktree:
//! only those matching a glob of `[copy] include`/`symlink` or of `.worktreeinclude`; in a
//! copied dotenv file, every value holding one of the main checkout's ports gets the branch's
//! port instead, so the copy points at the branch's own services.

use crate::config::CopyConfig;
use crate::git;
use anyhow::{Context as _, Result};
use indexmap::IndexMap;
use serde::Serialize;
use std::path::Path;

pub const INCLUDE_FILE: &str = ".worktreeinclude";

#[derive(Debug, Default, Serialize)]
pub struct Copied {
    pub copied: Vec<String>,
    pub linked: Vec<String>,
    pub rewritten: Vec<String>,
}

/// `ports`: main checkout port → branch port.
pub fn copy_ignored(
    main_root: &Path,
    worktree: &Path,
    cfg: &CopyConfig,
    ports: &IndexMap<u16, u16>,
) -> Result<Copied> {
    let mut include = cfg.include.clone();
    if let Ok(text) = std::fs::read_to_string(main_root.join(INCLUDE_FILE)) {
        include.extend(
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string),
        );
    }
    let mut done = Copied::default();
    if include.is_empty() && cfg.symlink.is_empty() {
        return Ok(done);
    }
    // What git ignores (and does not track) in the main checkout; folders ignored whole come as
    // one `dir/` entry.
    let out = git::git(main_root)
        .args(["ls-files", "--others", "--ignored", "--exclude-standard", "--directory", "-z"])
        .read()?;
    for entry in out.split('\0').filter(|e| !e.is_empty()) {
        let rel = entry.trim_end_matches('/');
        if rel == ".cfn" || rel.starts_with(".cfn/") {
            continue;
        }
        let (src, dst) = (main_root.join(rel), worktree.join(rel));
        if cfg.symlink.iter().any(|g| matches(g, rel)) {
            if let Some(parent) = dst.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::os::unix::fs::symlink(&src, &dst).with_context(|| format!("cannot link {rel}"))?;
            exclude_link(main_root, rel)?;
            done.linked.push(rel.to_string());
        } else if include.iter().any(|g| matches(g, rel)) {
            copy_tree(&src, &dst)?;
            if cfg.rewrite_ports && is_dotenv(rel) && src.is_file() && rewrite_ports(&dst, ports)? {
                done.rewritten.push(rel.to_string());
            }
            done.copied.push(rel.to_string());
        }
    }
    Ok(done)
}

/// A link is not a folder, so an ignore rule like `node_modules/` does not cover it: the exact
/// path goes into the repository's `info/exclude`, so the link never shows as untracked work.
fn exclude_link(main_root: &Path, rel: &str) -> Result<()> {
    let common = git2::Repository::open(main_root)?.commondir().to_path_buf();
    let path = common.join("info").join("exclude");
    let line = format!("/{rel}");
    let mut text = std::fs::read_to_string(&path).unwrap_or_default();
    if text.lines().any(|l| l.trim() == line) {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&line);
    text.push('\n');
    std::fs::create_dir_all(path.parent().unwrap_or(&common))?;
    crate::render::write_atomic(&path, &text, 0o644)?;
    Ok(())
}

fn copy_tree(src: &Path, dst: &Path) -> Result<()> {
    if let Some(parent) = dst.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if src.is_dir() {
        std::fs::create_dir_all(dst)?;
        for entry in std::fs::read_dir(src)? {
            let entry = entry?;
            copy_tree(&entry.path(), &dst.join(entry.file_name()))?;
        }
    } else {
        std::fs::copy(src, dst).with_context(|| format!("cannot copy {}", src.display()))?;
    }
    Ok(())
}

fn is_dotenv(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// Replaces, in the values of `KEY=VALUE` lines, every number equal to a main port (bounded by
/// non-digits) with the branch's port. Returns whether anything changed.
fn rewrite_ports(path: &Path, ports: &IndexMap<u16, u16>) -> Result<bool> {
    let text = std::fs::read_to_string(path)?;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.split_once('=') {
            Some((key, value)) if !key.trim_start().starts_with('#') => {
                out.push_str(key);
                out.push('=');
                out.push_str(&replace_numbers(value, ports));
            }
            _ => out.push_str(line),
        }
    }
    let changed = out != text;
    if changed {
        std::fs::write(path, out)?;
    }
    Ok(changed)
}

fn replace_numbers(value: &str, ports: &IndexMap<u16, u16>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        let mapped = digits.parse::<u16>().ok().and_then(|n| ports.get(&n));
        match mapped {
            Some(p) if digits.len() <= 5 => out.push_str(&p.to_string()),
            _ => out.push_str(digits),
        }
        digits.clear();
    };
    for c in value.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

/// A glob: `*` and `?` within a path segment, `**` across segments; a pattern without `/`
/// matches a file or folder name at any depth.
pub fn matches(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
    if !pattern.contains('/') {
        return path.split('/').any(|seg| segment(pattern.as_bytes(), seg.as_bytes()));
    }
    let p: Vec<&str> = pattern.trim_start_matches('/').split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    segments(&p, &s)
}

fn segments(p: &[&str], s: &[&str]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((&"**", rest)) => (0..=s.len()).any(|i| segments(rest, &s[i..])),
        Some((first, rest)) => {
            !s.is_empty() && segment(first.as_bytes(), s[0].as_bytes()) && segments(rest, &s[1..])
        }
    }
}

fn segment(p: &[u8], s: &[u8]) -> bool {
    match (p.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => segment(&p[1..], s) || (!s.is_empty() && segment(p, &s[1..])),
        (Some(b'?'), Some(_)) => segment(&p[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => segment(&p[1..], &s[1..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(matches(".env", ".env"));
        assert!(matches(".env*", "app/.env.local"));
        assert!(matches("config/*.json", "config/local.json"));
        assert!(!matches("config/*.json", "config/sub/local.json"));
        assert!(matches("config/**/*.json", "config/sub/local.json"));
        assert!(matches("node_modules", "node_modules"));
        assert!(!matches(".env", ".envrc"));
    }

    #[test]
    fn ports_in_values_are_rewritten() {
        let ports = IndexMap::from([(6379, 6409), (5432, 5462)]);
        assert_eq!(replace_numbers("redis://localhost:6379/0\n", &ports), "redis://localhost:6409/0\n");
        assert_eq!(replace_numbers("5432", &ports), "5462");
        assert_eq!(replace_numbers("15432 54321 63790", &ports), "15432 54321 63790");
    }
}
